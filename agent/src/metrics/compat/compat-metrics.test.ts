// The peer-compatible families: names, units, labels and values hand-worked from one H100 snapshot.
import { describe, expect, it } from 'vitest';
import { resolveAgentConfig } from '../../config.js';
import type { GpuSnapshot } from '../../sampling/sampler.js';
import { createAgentMetrics } from '../agent-metrics.js';
import { createCompatMetrics } from './compat-metrics.js';

const MiB = 1024 * 1024;
const H100: GpuSnapshot = {
  ts_unix_ms: 1_700_000_000_000,
  index: 3,
  uuid: 'GPU-AbCd0000-0000-0000-0000-000000000003',
  name: 'NVIDIA H100 80GB HBM3',
  driver_version: '590.48.01',
  cuda_version: '13.1',
  pci_bus_id: '00000000:48:00.0',
  utilization_gpu_ratio: 0.87,
  utilization_memory_ratio: 0.3,
  memory_used_bytes: 40000 * MiB,
  memory_total_bytes: 81559 * MiB,
  memory_reserved_bytes: 479 * MiB,
  temperature_celsius: 70,
  power_draw_watts: 690,
  power_limit_watts: 700,
  energy_joules: 2100,
  sm_clock_mhz: 1755,
  sm_clock_max_mhz: 1980,
  memory_clock_mhz: 2619,
  memory_clock_max_mhz: 2619,
  clock_event_reasons_mask: 0x4,
  pcie_tx_bytes_per_s: 1024000,
  processes: [{ pid: 11345, name: '/usr/bin/python3', used_memory_bytes: 15690 * MiB }],
  peer: {
    pstate: 0,
    compute_mode: 0,
    minor_number: 5,
    graphics_clock_mhz: 1755,
    video_clock_mhz: 1650,
    decoder_utilization_ratio: 0.05,
    pcie_replays_total: 2,
  },
};

describe('AGENT_METRICS_COMPAT', () => {
  it('is a known option (--metrics-compat dcgm used to answer "unknown option") and rejects unknown modes', () => {
    const ok = resolveAgentConfig({}, { 'metrics-compat': 'dcgm,native' }, 'h');
    expect(ok.ok && ok.config.AGENT_METRICS_COMPAT).toEqual(['dcgm', 'native']);
    const bad = resolveAgentConfig({ AGENT_METRICS_COMPAT: 'dcgm,prometheus' }, {}, 'h');
    expect(bad.ok).toBe(false);
  });
});

describe('dcgm mode', () => {
  const c = createCompatMetrics(['dcgm'], 'gpu-node-07');
  c.observeGpus([H100], 1_700_000_000_000);
  c.observeStatus([{ ts_unix_ms: 1_700_000_001_000, gpu_index: 3, gpu_uuid: H100.uuid ?? '', status: 'xid', xid: 79, detail: 'XID 79' }]);
  const text = c.text(false);
  const labels =
    'gpu="3",UUID="GPU-AbCd0000-0000-0000-0000-000000000003",pci_bus_id="00000000:48:00.0",device="nvidia5",modelName="NVIDIA H100 80GB HBM3",Hostname="gpu-node-07",DCGM_FI_DRIVER_VERSION="590.48.01"';

  it('writes the default counters in their units with the dcgm-exporter label set', () => {
    expect(text).toContain(`DCGM_FI_DEV_GPU_UTIL{${labels}} 87\n`);
    expect(text).toContain(`DCGM_FI_DEV_FB_USED{${labels}} 40000\n`);
    // free = total - used - reserved = 81559 - 40000 - 479 MiB
    expect(text).toContain(`DCGM_FI_DEV_FB_FREE{${labels}} 41080\n`);
    expect(text).toContain(`DCGM_FI_DEV_SM_CLOCK{${labels}} 1755\n`);
    expect(text).toContain(`DCGM_FI_DEV_POWER_USAGE{${labels}} 690\n`);
    expect(text).toContain(`DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{${labels}} 2100000\n`);
    expect(text).toContain(`DCGM_FI_DEV_DEC_UTIL{${labels}} 5\n`);
    expect(text).toContain(`DCGM_FI_DEV_XID_ERRORS{${labels}} 79\n`);
    expect(text).toContain('# HELP DCGM_FI_DEV_GPU_TEMP GPU temperature (in C).\n# TYPE DCGM_FI_DEV_GPU_TEMP gauge\n');
    expect(text).toContain('# TYPE DCGM_FI_DEV_PCIE_REPLAY_COUNTER counter\n');
  });

  it('leaves absent readings absent (no memory temperature, no encoder in this snapshot)', () => {
    expect(text).not.toContain('DCGM_FI_DEV_MEMORY_TEMP');
    expect(text).not.toContain('DCGM_FI_DEV_ENC_UTIL');
    expect(text).not.toContain('nvidia_smi_');
  });

  it('types counters without _total as unknown in OpenMetrics', () => {
    expect(c.text(true)).toContain('# TYPE DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION unknown\n');
  });
});

describe('nvidia_gpu_exporter mode', () => {
  const c = createCompatMetrics(['nvidia_gpu_exporter'], 'h');
  c.observeGpus([H100], 1_700_000_000_000);
  c.observeStatus([{ ts_unix_ms: 1_700_000_001_000, gpu_index: 3, gpu_uuid: H100.uuid ?? '', status: 'xid', xid: 79, detail: 'XID 79' }]);
  c.observeStatus([{ ts_unix_ms: 1_700_000_002_000, gpu_index: 3, gpu_uuid: H100.uuid ?? '', status: 'xid', xid: 79, detail: 'XID 79' }]);
  const text = c.text(false);
  const u = 'uuid="abcd0000-0000-0000-0000-000000000003"';

  it('labels per-GPU series by the lower-case UUID without GPU- and the identity on gpu_info', () => {
    expect(text).toContain(
      `nvidia_smi_gpu_info{${u},name="NVIDIA H100 80GB HBM3",driver_version="590.48.01",pci_bus_id="00000000:48:00.0",index="3",cuda_version="13.1"} 1\n`,
    );
    expect(text).toContain(`nvidia_smi_utilization_gpu_ratio{${u}} 0.87\n`);
    expect(text).toContain(`nvidia_smi_clocks_current_video_clock_hz{${u}} 1650000000\n`);
    expect(text).toContain(`nvidia_smi_pstate{${u}} 0\n`);
    expect(text).toContain(`nvidia_smi_clocks_event_reasons_sw_power_cap{${u}} 1\n`);
    expect(text).toContain(`nvidia_smi_clocks_event_reasons_gpu_idle{${u}} 0\n`);
    expect(text).toContain(`nvidia_smi_energy_joules_total{${u}} 2100\n`);
    expect(text).toContain(`nvidia_smi_compute_app_used_memory_bytes{pid="11345",process_name="python3",${u}} ${15690 * MiB}\n`);
  });

  it('counts XIDs per code from the first one (a counter that starts at 1 would hide it from increase())', () => {
    expect(text).toContain(`nvidia_smi_xid_errors_total{${u},xid="79"} 2\n`);
    expect(text).toContain(`nvidia_smi_xid_last_timestamp_seconds{${u},xid="79"} 1700000002\n`);
    expect(c.text(true)).toContain('# TYPE nvidia_smi_xid_errors counter\nnvidia_smi_xid_errors_total{');
  });
});

describe('createAgentMetrics with compat modes', () => {
  it('drops the native GPU families unless native is listed, and renders once per sample', async () => {
    const only = createAgentMetrics({ host: 'h', processMetrics: false, compat: ['dcgm'] });
    only.observeGpus([H100]);
    expect(await only.text(false)).not.toContain('renderwatch_gpu_utilization_ratio');
    const first = only.compatText(false);
    expect(only.compatText(false)).toBe(first);
    const both = createAgentMetrics({ host: 'h', processMetrics: false, compat: ['dcgm', 'native'] });
    both.observeGpus([H100]);
    expect(await both.text(false)).toContain('renderwatch_gpu_utilization_ratio{');
    expect(both.compatText(false)).toContain('DCGM_FI_DEV_GPU_UTIL{');
    expect(createAgentMetrics({ host: 'h', processMetrics: false }).compatText(false)).toBe('');
  });
});
