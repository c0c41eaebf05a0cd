// GPM readings and MIG GPU instances in the peer-compatible families: DCGM_FI_PROF_* from GPM, the
// per-instance dcgm series (GPU_I_PROFILE, GPU_I_ID) and nvidia_gpu_exporter's per-instance activity.
// Values hand-worked from two snapshots shaped after h100-mig-gpm.json.
import { describe, expect, it } from 'vitest';
import type { GpuSnapshot } from '../../sampling/sampler.js';
import { createCompatMetrics } from './compat-metrics.js';
import { dcgmFamilies, gpuInstanceProfile } from './dcgm.js';
import { renderFamilies } from './exposition.js';

const MiB = 1024 * 1024;
const BUSY: GpuSnapshot = {
  ts_unix_ms: 1_700_000_000_000,
  index: 0,
  uuid: 'GPU-9a3e0c11-5b2d-4f7e-8c61-0d2f4b7a9e10',
  name: 'NVIDIA H100 80GB HBM3',
  driver_version: '590.48.01',
  pci_bus_id: '00000000:18:00.0',
  utilization_gpu_ratio: 0.87,
  memory_used_bytes: 40000 * MiB,
  memory_total_bytes: 81559 * MiB,
  sm_clock_mhz: 1755,
  peer: {
    minor_number: 0,
    gpm: {
      graphics_activity_ratio: 0.7,
      sm_activity_ratio: 0.67,
      sm_occupancy_ratio: 0.355,
      tensor_activity_ratio: 0.45,
      dram_activity_ratio: 0.315,
      pcie_tx_bytes_per_s: 700 * MiB,
      pcie_rx_bytes_per_s: 2000.4 * MiB,
    },
    nvlink: { links_active: 18, raw_tx_bytes_total: 1_000_000 * 1024, raw_rx_bytes_total: 2_000_000 * 1024, raw_bytes_per_s: 76_800_000 },
  },
};
const MIG: GpuSnapshot = {
  ts_unix_ms: 1_700_000_000_000,
  index: 1,
  uuid: 'GPU-4c0b7d2e-1f3a-4e5b-9d8c-7a6b5c4d3e2f',
  name: 'NVIDIA H100 80GB HBM3',
  driver_version: '590.48.01',
  pci_bus_id: '00000000:00:09.0',
  memory_used_bytes: 11126 * MiB,
  memory_total_bytes: 81559 * MiB,
  memory_reserved_bytes: 0,
  temperature_celsius: 48,
  sm_clock_mhz: 1980,
  mig_enabled: true,
  peer: { minor_number: 1 },
  mig_devices: [
    {
      gpu_instance_id: 2,
      compute_instance_id: 0,
      uuid: 'MIG-3d2c',
      profile: '3g.40gb',
      memory_used_bytes: 11091 * MiB,
      memory_total_bytes: 40448 * MiB,
      memory_reserved_bytes: MiB,
      gpm: { graphics_activity_ratio: 0.8, sm_activity_ratio: 0.77, sm_occupancy_ratio: 0.4, tensor_activity_ratio: 0.6, pcie_tx_bytes_per_s: 200 * MiB },
    },
    // Two compute instances of GPU instance 3: one instance series set, two mig_info lines.
    { gpu_instance_id: 3, compute_instance_id: 0, uuid: 'MIG-8e7d', profile: '1c.2g.20gb', memory_used_bytes: 17 * MiB, memory_total_bytes: 20096 * MiB },
    { gpu_instance_id: 3, compute_instance_id: 1, uuid: 'MIG-8e7e', profile: '1c.2g.20gb', memory_used_bytes: 17 * MiB, memory_total_bytes: 20096 * MiB },
    // No profile named by NVML: no GPU_I series (dcgm-exporter writes GPU_I labels only with one).
    { gpu_instance_id: 9, compute_instance_id: 0, uuid: 'MIG-1a2b', memory_used_bytes: 9 * MiB, memory_total_bytes: 9984 * MiB },
  ],
};

const gpu0 =
  'gpu="0",UUID="GPU-9a3e0c11-5b2d-4f7e-8c61-0d2f4b7a9e10",pci_bus_id="00000000:18:00.0",device="nvidia0",modelName="NVIDIA H100 80GB HBM3",Hostname="node-a",DCGM_FI_DRIVER_VERSION="590.48.01"';
const gpu1 = (gi: string): string =>
  `gpu="1",UUID="GPU-4c0b7d2e-1f3a-4e5b-9d8c-7a6b5c4d3e2f",pci_bus_id="00000000:00:09.0",device="nvidia1",modelName="NVIDIA H100 80GB HBM3"${gi},Hostname="node-a",DCGM_FI_DRIVER_VERSION="590.48.01"`;

describe('dcgm mode with GPM and MIG', () => {
  const c = createCompatMetrics(['dcgm'], 'node-a');
  c.observeGpus([BUSY, MIG], 1_700_000_000_000);
  const text = c.text(false);

  it('serves the profiling fields from GPM as ratios, PCIe rates as whole bytes per second', () => {
    expect(text).toContain(`DCGM_FI_PROF_PIPE_TENSOR_ACTIVE{${gpu0}} 0.45\n`);
    expect(text).toContain(`DCGM_FI_PROF_GR_ENGINE_ACTIVE{${gpu0}} 0.7\n`);
    expect(text).toContain(`DCGM_FI_PROF_SM_ACTIVE{${gpu0}} 0.67\n`);
    expect(text).toContain(`DCGM_FI_PROF_SM_OCCUPANCY{${gpu0}} 0.355\n`);
    expect(text).toContain(`DCGM_FI_PROF_DRAM_ACTIVE{${gpu0}} 0.315\n`);
    expect(text).toContain(`DCGM_FI_PROF_PCIE_TX_BYTES{${gpu0}} ${700 * MiB}\n`);
    // 2000.4 MiB/s = 2097571430.4 B/s, rounded
    expect(text).toContain(`DCGM_FI_PROF_PCIE_RX_BYTES{${gpu0}} 2097571430\n`);
    expect(text).toContain(
      '# HELP DCGM_FI_PROF_PIPE_TENSOR_ACTIVE Ratio of cycles the tensor (HMMA) pipe is active.\n# TYPE DCGM_FI_PROF_PIPE_TENSOR_ACTIVE gauge\n',
    );
    // No FP pipe readings in the snapshot: absent, not zero.
    expect(text).not.toContain('DCGM_FI_PROF_PIPE_FP32_ACTIVE');
  });

  it('writes the NVLink rate of all links in MB/s as DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL (typed counter, as the CSV)', () => {
    // 76 800 000 B/s = 76.8 MB/s, rounded.
    expect(text).toContain(`DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL{${gpu0}} 77\n`);
    expect(text).toContain('# TYPE DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL counter\n');
    // GPU 1 has no NVLink reading.
    expect(text.match(/^DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL\{/gm)).toHaveLength(1);
  });

  it('writes one series set per MIG GPU instance with GPU_I_PROFILE and GPU_I_ID after modelName', () => {
    const gi2 = gpu1(',GPU_I_PROFILE="3g.40gb",GPU_I_ID="2"');
    const gi3 = gpu1(',GPU_I_PROFILE="2g.20gb",GPU_I_ID="3"');
    // The instance's own memory and GPM …
    expect(text).toContain(`DCGM_FI_DEV_FB_USED{${gi2}} 11091\n`);
    expect(text).toContain(`DCGM_FI_DEV_FB_FREE{${gi2}} ${40448 - 11091 - 1}\n`);
    expect(text).toContain(`DCGM_FI_DEV_FB_RESERVED{${gi2}} 1\n`);
    expect(text).toContain(`DCGM_FI_PROF_PIPE_TENSOR_ACTIVE{${gi2}} 0.6\n`);
    expect(text).toContain(`DCGM_FI_PROF_GR_ENGINE_ACTIVE{${gi2}} 0.8\n`);
    expect(text).toContain(`DCGM_FI_DEV_FB_USED{${gi3}} 17\n`);
    // … and the GPU's device-level readings, as dcgm-exporter repeats them per instance.
    expect(text).toContain(`DCGM_FI_DEV_SM_CLOCK{${gi2}} 1980\n`);
    expect(text).toContain(`DCGM_FI_DEV_GPU_TEMP{${gi3}} 48\n`);
    expect(text).toContain(`DCGM_FI_DEV_XID_ERRORS{${gi3}} 0\n`);
    // The physical GPU keeps its own series.
    expect(text).toContain(`DCGM_FI_DEV_FB_USED{${gpu1('')}} 11126\n`);
    // One series per GPU instance (GI 3 has two compute instances), none for the unnamed GI 9.
    expect(text.match(/^DCGM_FI_DEV_FB_USED\{/gm)).toHaveLength(2 + 2);
    expect(text).not.toContain('GPU_I_ID="9"');
    expect(text).not.toMatch(/DCGM_FI_PROF_PIPE_TENSOR_ACTIVE\{[^}]*GPU_I_ID="3"/);
  });

  it('maps a compute-instance profile to its GPU instance profile', () => {
    expect(gpuInstanceProfile('1c.2g.20gb')).toBe('2g.20gb');
    expect(gpuInstanceProfile('3g.40gb')).toBe('3g.40gb');
  });

  it('spells the hostname label `hostname` when asked (dcgm-exporter after 4.5.3-4.8.2)', () => {
    const out = renderFamilies(dcgmFamilies({ gpus: [BUSY], lastXid: new Map(), hostname: 'node-a', hostnameLabel: 'hostname' }).families(), false);
    expect(out).toContain(`DCGM_FI_DEV_SM_CLOCK{${gpu0.replace('Hostname=', 'hostname=')}} 1755\n`);
    expect(out).not.toContain('Hostname=');
  });
});

describe('nvidia_gpu_exporter mode with MIG and GPM', () => {
  const c = createCompatMetrics(['nvidia_gpu_exporter'], 'node-a');
  c.observeGpus([BUSY, MIG], 1_700_000_000_000);
  const text = c.text(false);
  const u = 'uuid="4c0b7d2e-1f3a-4e5b-9d8c-7a6b5c4d3e2f"';

  it('labels mig_info with the MIG profile and serves each GPU instance once', () => {
    expect(text).toContain(`nvidia_smi_mig_info{${u},mig_uuid="MIG-3d2c",gpu_instance_id="2",compute_instance_id="0",profile="3g.40gb"} 1\n`);
    expect(text).toContain(`nvidia_smi_mig_info{${u},mig_uuid="MIG-8e7e",gpu_instance_id="3",compute_instance_id="1",profile="1c.2g.20gb"} 1\n`);
    expect(text.match(/^nvidia_smi_mig_memory_used_bytes\{[^}]*gpu_instance_id="3"/gm)).toHaveLength(1);
    // GI 2: total 40448 MiB, used 11091 MiB, reserved 1 MiB → free 29356 MiB.
    expect(text).toContain(`nvidia_smi_mig_memory_free_bytes{${u},gpu_instance_id="2"} ${29356 * MiB}\n`);
    expect(text).toContain(`nvidia_smi_mig_memory_reserved_bytes{${u},gpu_instance_id="2"} ${MiB}\n`);
    expect(text).toContain(`nvidia_smi_mig_sm_activity_ratio{${u},gpu_instance_id="2"} 0.77\n`);
    expect(text).toContain(`nvidia_smi_mig_tensor_activity_ratio{${u},gpu_instance_id="2"} 0.6\n`);
    expect(text).toContain(`nvidia_smi_mig_sm_occupancy_ratio{${u},gpu_instance_id="2"} 0.4\n`);
    expect(text).toContain(`nvidia_smi_mig_graphics_activity_ratio{${u},gpu_instance_id="2"} 0.8\n`);
    expect(text).toContain(`nvidia_smi_mig_pcie_throughput_tx_bytes_per_second{${u},gpu_instance_id="2"} ${200 * MiB}\n`);
    // GI 3 has no GPM reading in the snapshot: no activity series for it.
    expect(text).not.toMatch(/nvidia_smi_mig_sm_activity_ratio\{[^}]*gpu_instance_id="3"/);
  });
});
