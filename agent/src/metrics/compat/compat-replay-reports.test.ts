// The XML and `-q` text recordings fill the compatibility readings as the CSV ones do: replayed through
// the daemon's replay sampler, each recording's own fields (agent/test/fixtures/nvidia-smi/SOURCES.md)
// come out under the dcgm and nvidia_gpu_exporter names. The `-q` capture is the same H100 under load
// as the CSV of compat-sources.test.ts (one capture file, two sections).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createReplaySampler } from '../../sampling/replay.js';
import { createCompatMetrics } from './compat-metrics.js';

const FIXTURES = join(import.meta.dirname, '../../../test/fixtures/nvidia-smi');

async function compatText(file: string): Promise<string> {
  const sampler = createReplaySampler({ paths: [join(FIXTURES, file)] });
  const { gpus } = await sampler.sample();
  await sampler.close();
  const c = createCompatMetrics(['dcgm', 'nvidia_gpu_exporter'], 'replay-host');
  c.observeGpus(gpus, 1_700_000_000_000);
  return c.text(false);
}

describe('compatibility readings from XML and -q text replays', () => {
  it('-q text of the H100 under load: pstate, clocks, codecs, memory temperature, remapped rows, ECC, recovery, fabric, replays', async () => {
    const text = await compatText('h100-80gb-hbm3-driver590-q-load.txt');
    const u = 'uuid="00000000-0000-0000-0000-000000000000"';
    // Performance State P0, Compute Mode Default, Clocks/Graphics 1980 MHz, Clocks/Video 1545 MHz,
    // Max Clocks/Graphics 1980 MHz, Utilization/Decoder 0 %, Memory Current Temp 55 C, Remapped Rows all 0/No,
    // ECC Errors/Aggregate all 0, GPU Recovery Action None, Fabric/State Completed.
    expect(text).toContain(`nvidia_smi_pstate{${u}} 0\n`);
    expect(text).toContain(`nvidia_smi_compute_mode{${u}} 0\n`);
    expect(text).toContain(`nvidia_smi_clocks_current_graphics_clock_hz{${u}} 1980000000\n`);
    expect(text).toContain(`nvidia_smi_clocks_current_video_clock_hz{${u}} 1545000000\n`);
    expect(text).toContain(`nvidia_smi_clocks_max_graphics_clock_hz{${u}} 1980000000\n`);
    expect(text).toContain(`nvidia_smi_temperature_memory{${u}} 55\n`);
    expect(text).toContain(`nvidia_smi_remapped_rows_pending{${u}} 0\n`);
    expect(text).toContain(`nvidia_smi_ecc_errors_corrected_aggregate_total{${u}} 0\n`);
    expect(text).toContain(`nvidia_smi_gpu_recovery_action{${u}} 0\n`);
    expect(text).toContain(`nvidia_smi_fabric_state{${u}} 3\n`);
    // What -q prints and --query-gpu cannot: Minor Number 0 (the dcgm `device` label) and PCI/Replays Since Reset 9.
    const dcgm =
      'gpu="0",UUID="GPU-00000000-0000-0000-0000-000000000000",pci_bus_id="00000000:00:09.0",device="nvidia0",modelName="NVIDIA H100 80GB HBM3",Hostname="replay-host",DCGM_FI_DRIVER_VERSION="590.48.01"';
    expect(text).toContain(`DCGM_FI_DEV_PCIE_REPLAY_COUNTER{${dcgm}} 9\n`);
    expect(text).toContain(`DCGM_FI_DEV_MEMORY_TEMP{${dcgm}} 55\n`);
    expect(text).toContain(`DCGM_FI_DEV_DEC_UTIL{${dcgm}} 0\n`);
    expect(text).toContain(`DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS{${dcgm}} 0\n`);
  });

  it('XML: the A10G (P8, remapped rows), the P100 (aggregate single-bit ECC 3) and the two A5000s (minor numbers 1 and 0)', async () => {
    const a10g = await compatText('a10g-driver515.xml');
    expect(a10g).toMatch(/^nvidia_smi_pstate\{uuid="[0-9a-f-]+"\} 8$/m);
    expect(a10g).toMatch(/^nvidia_smi_clocks_max_graphics_clock_hz\{uuid="[0-9a-f-]+"\} 1710000000$/m);
    expect(a10g).toMatch(/^nvidia_smi_remapped_rows_failure\{uuid="[0-9a-f-]+"\} 0$/m);
    expect(a10g).toMatch(/^DCGM_FI_DEV_ROW_REMAP_FAILURE\{gpu="0",.*\} 0$/m);
    const p100 = await compatText('tesla-p100-driver510.xml');
    expect(p100).toMatch(/^nvidia_smi_ecc_errors_corrected_aggregate_total\{uuid="[0-9a-f-]+"\} 3$/m);
    expect(p100).toMatch(/^nvidia_smi_ecc_errors_uncorrected_aggregate_total\{uuid="[0-9a-f-]+"\} 0$/m);
    expect(p100).toMatch(/^nvidia_smi_clocks_current_video_clock_hz\{uuid="[0-9a-f-]+"\} 835000000$/m);
    const a5000 = await compatText('rtx-a5000-x2-driver590-v13-procs.xml');
    expect([...a5000.matchAll(/^DCGM_FI_DEV_GPU_TEMP\{gpu="(\d)",[^}]*device="(nvidia\d)"/gm)].map((m) => [m[1], m[2]])).toEqual([
      ['0', 'nvidia1'],
      ['1', 'nvidia0'],
    ]);
  });
});
