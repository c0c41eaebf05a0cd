// The compatibility families are filled from any GPU source, not only NVML: here from the replay of a
// recorded H100 (`nvidia-smi --query-gpu` CSV, agent/test/fixtures/nvidia-smi/SOURCES.md) through the
// same replay sampler the daemon uses. Values are those of the recording.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createReplaySampler } from '../../sampling/replay.js';
import { createCompatMetrics } from './compat-metrics.js';

const CSV = join(import.meta.dirname, '../../../test/fixtures/nvidia-smi/h100-80gb-hbm3-driver590-query-gpu-load.csv');

describe('compatibility modes on the replay source', () => {
  it('writes dcgm and nvidia_gpu_exporter names from a recorded H100 under load', async () => {
    const sampler = createReplaySampler({ paths: [CSV] });
    const { gpus } = await sampler.sample();
    await sampler.close();
    const c = createCompatMetrics(['dcgm', 'nvidia_gpu_exporter'], 'replay-host');
    c.observeGpus(gpus, 1_700_000_000_000);
    const text = c.text(false);
    const dcgm =
      'gpu="0",UUID="GPU-00000000-0000-0000-0000-000000000000",pci_bus_id="00000000:00:09.0",device="nvidia0",modelName="NVIDIA H100 80GB HBM3",Hostname="replay-host",DCGM_FI_DRIVER_VERSION="590.48.01"';
    // The recording: utilization.gpu 100 %, memory.used 19818 MiB, power.draw 631.95 W, temperature.gpu 59, clocks.sm 1980 MHz.
    expect(text).toContain(`DCGM_FI_DEV_GPU_UTIL{${dcgm}} 100\n`);
    expect(text).toContain(`DCGM_FI_DEV_FB_USED{${dcgm}} 19818\n`);
    expect(text).toContain(`DCGM_FI_DEV_POWER_USAGE{${dcgm}} 631.95\n`);
    expect(text).toContain(`DCGM_FI_DEV_GPU_TEMP{${dcgm}} 59\n`);
    expect(text).toContain(`DCGM_FI_DEV_SM_CLOCK{${dcgm}} 1980\n`);
    const u = 'uuid="00000000-0000-0000-0000-000000000000"';
    expect(text).toContain(`nvidia_smi_utilization_gpu_ratio{${u}} 1\n`);
    expect(text).toContain(`nvidia_smi_memory_used_bytes{${u}} ${19818 * 1024 * 1024}\n`);
    expect(text).toContain(`nvidia_smi_clocks_event_reasons_sw_power_cap{${u}} 0\n`);
    // The peer readings come from the recording's own fields: pstate P0, compute_mode Default,
    // clocks.current.video 1545 MHz, temperature.memory 54, gpu_recovery_action None, fabric.state Completed.
    expect(text).toContain(`nvidia_smi_pstate{${u}} 0\n`);
    expect(text).toContain(`nvidia_smi_compute_mode{${u}} 0\n`);
    expect(text).toContain(`nvidia_smi_clocks_current_video_clock_hz{${u}} 1545000000\n`);
    expect(text).toContain(`nvidia_smi_temperature_memory{${u}} 54\n`);
    expect(text).toContain(`nvidia_smi_gpu_recovery_action{${u}} 0\n`);
    expect(text).toContain(`nvidia_smi_fabric_state{${u}} 3\n`);
    expect(text).toContain(`DCGM_FI_DEV_MEMORY_TEMP{${dcgm}} 54\n`);
  });
});
