import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { GpuReadingSchema } from '@renderwatch/schema';
import { describe, expect, it } from 'vitest';
import type { GpuReadingDetail } from './sampler.js';
import { attachComputeApps, parseComputeAppsCsv, parseQueryGpuCsv } from './smi-csv.js';
import { parseNvidiaSmiOutput } from './smi-parse.js';

const DIR = fileURLToPath(new URL('../../test/fixtures/nvidia-smi/', import.meta.url));
const read = (f: string): string => readFileSync(DIR + f, 'utf8');
const MiB = 1048576;

function parse(file: string): GpuReadingDetail[] {
  const r = parseNvidiaSmiOutput(read(file));
  if (!r.ok) throw r.error;
  return r.gpus;
}

type Expect = Partial<GpuReadingDetail> & { gpu?: number; process_count?: number; absent?: (keyof GpuReadingDetail)[] };

// Values read off each file by hand (grep the fixture to check one).
const CASES: [string, 'xml' | 'csv' | 'text', number, Expect[]][] = [
  [
    'a100-sxm4-80gb-mig-driver535.xml',
    'xml',
    1,
    [
      {
        name: 'NVIDIA A100-SXM4-80GB',
        driver_version: '535.54.03',
        memory_used_bytes: 50 * MiB,
        memory_total_bytes: 81920 * MiB,
        temperature_celsius: 27,
        power_draw_watts: 67.03,
        power_limit_watts: 500,
        sm_clock_mhz: 1275,
        sm_clock_max_mhz: 1410,
        clock_event_reasons: [],
        mig_enabled: true,
        process_count: 0,
        absent: ['utilization_gpu_ratio', 'fan_ratio'],
      },
    ],
  ],
  [
    'a10g-driver515.xml',
    'xml',
    1,
    [
      {
        uuid: 'GPU-9a9a6c50-2a47-2f51-a902-b82c3b127e94',
        temperature_celsius: 17,
        memory_used_bytes: 22 * MiB,
        memory_total_bytes: 23028 * MiB,
        power_draw_watts: 25.58,
        power_limit_watts: 300,
        fan_ratio: 0,
        clock_event_reasons: ['gpu_idle'],
        process_count: 1,
      },
    ],
  ],
  [
    'gt1030-driver470-procs.xml',
    'xml',
    1,
    [
      {
        temperature_celsius: 36,
        memory_used_bytes: 875 * MiB,
        memory_total_bytes: 1998 * MiB,
        fan_ratio: 0.35,
        power_limit_watts: 30,
        clock_event_reasons: ['gpu_idle'],
        process_count: 10,
        absent: ['power_draw_watts'],
      },
    ],
  ],
  [
    'rtx-a5000-x2-driver590-v13-procs.xml',
    'xml',
    2,
    [
      { gpu: 0, index: 0, temperature_celsius: 13, memory_used_bytes: 22437 * MiB, power_draw_watts: 6.41, power_limit_watts: 230, process_count: 1 },
      { gpu: 1, index: 1, uuid: 'GPU-12345678-aaaa-bbbb-cccc-0123456789cd', temperature_celsius: 15, memory_used_bytes: 17253 * MiB, power_draw_watts: 13.6 },
    ],
  ],
  [
    'rtx2080-windows-driver516-procs.xml',
    'xml',
    1,
    [{ utilization_gpu_ratio: 0.02, temperature_celsius: 29, memory_used_bytes: 862 * MiB, fan_ratio: 0.37, power_draw_watts: 14.5, process_count: 26 }],
  ],
  [
    'rtx3060-driver570.xml',
    'xml',
    1,
    [
      {
        temperature_celsius: 42,
        memory_used_bytes: 116 * MiB,
        memory_total_bytes: 12288 * MiB,
        power_draw_watts: 11.6,
        power_limit_watts: 170,
        sm_clock_max_mhz: 2145,
        clock_event_reasons: ['gpu_idle'],
        process_count: 0,
      },
    ],
  ],
  [
    'rtx3080-windows-driver536-procs.xml',
    'xml',
    1,
    [{ temperature_celsius: 31, memory_used_bytes: 1128 * MiB, power_draw_watts: 22.78, power_limit_watts: 336, process_count: 5 }],
  ],
  [
    'rtx3090-driver525-v12-throttle-tags.xml',
    'xml',
    1,
    [
      {
        temperature_celsius: 37,
        memory_used_bytes: 1 * MiB,
        power_draw_watts: 27.23,
        power_limit_watts: 200,
        sm_clock_mhz: 0,
        clock_event_reasons: ['gpu_idle'],
      },
    ],
  ],
  [
    'rtx3090-driver590-v13-swpowercap-active.xml',
    'xml',
    1,
    [{ temperature_celsius: 32, power_draw_watts: 35.06, power_limit_watts: 350, clock_event_reasons: ['sw_power_cap'], clock_event_reasons_mask: 0x4 }],
  ],
  [
    'rtx4090-driver535.xml',
    'xml',
    1,
    [
      {
        name: 'NVIDIA GeForce RTX 4090',
        temperature_celsius: 40,
        memory_total_bytes: 24564 * MiB,
        power_draw_watts: 26.84,
        power_limit_watts: 450,
        sm_clock_max_mhz: 3120,
      },
    ],
  ],
  [
    'tesla-p100-driver510.xml',
    'xml',
    1,
    [
      {
        temperature_celsius: 38,
        memory_total_bytes: 16384 * MiB,
        power_draw_watts: 26.16,
        power_limit_watts: 250,
        sm_clock_max_mhz: 1328,
        clock_event_reasons: ['gpu_idle'],
        absent: ['fan_ratio'],
      },
    ],
  ],
  [
    'tesla-t4-driver515-procs.xml',
    'xml',
    1,
    [{ temperature_celsius: 40, memory_used_bytes: 1032 * MiB, power_limit_watts: 70, memory_clock_mhz: 5000, clock_event_reasons: [], process_count: 2 }],
  ],
  [
    'h100-80gb-hbm3-driver590-query-gpu-idle.csv',
    'csv',
    1,
    [
      {
        utilization_gpu_ratio: 0,
        memory_used_bytes: 0,
        temperature_celsius: 41,
        power_draw_watts: 69.85,
        sm_clock_mhz: 345,
        clock_event_reasons: ['gpu_idle'],
        clock_event_reasons_mask: 1,
        mig_enabled: false,
      },
    ],
  ],
  [
    'h100-80gb-hbm3-driver590-query-gpu-load.csv',
    'csv',
    1,
    [
      {
        name: 'NVIDIA H100 80GB HBM3',
        driver_version: '590.48.01',
        pci_bus_id: '00000000:00:09.0',
        utilization_gpu_ratio: 1,
        utilization_memory_ratio: 0.11,
        memory_used_bytes: 19818 * MiB,
        memory_total_bytes: 81559 * MiB,
        memory_reserved_bytes: 479 * MiB,
        temperature_celsius: 59,
        power_draw_watts: 631.95,
        power_limit_watts: 700,
        sm_clock_mhz: 1980,
        memory_clock_max_mhz: 2619,
        clock_event_reasons: [],
        ecc_corrected_total: 0,
        throttle_thermal_us: 0,
        absent: ['fan_ratio', 'processes'],
      },
    ],
  ],
  [
    'h100-mig-driver590-query-gpu-load.csv',
    'csv',
    1,
    [{ mig_enabled: true, memory_used_bytes: 11125 * MiB, temperature_celsius: 53, power_draw_watts: 433.78, absent: ['utilization_gpu_ratio'] }],
  ],
  [
    'l40s-driver595-query-gpu-load.csv',
    'csv',
    1,
    [
      {
        name: 'NVIDIA L40S',
        utilization_gpu_ratio: 0.09,
        memory_used_bytes: 1235 * MiB,
        temperature_celsius: 54,
        power_limit_watts: 350,
        memory_clock_mhz: 9001,
        throttle_power_us: 204642816,
        absent: ['mig_enabled'],
      },
    ],
  ],
  [
    'rtx2080super-windows-driver591-query-gpu-load.csv',
    'csv',
    1,
    [
      {
        fan_ratio: 0.38,
        temperature_celsius: 45,
        power_draw_watts: 97.43,
        power_limit_watts: 250,
        sm_clock_max_mhz: 2145,
        clock_event_reasons: ['gpu_idle'],
        absent: ['ecc_corrected_total'],
      },
    ],
  ],
  [
    'tesla-p100-driver510-query-nounits.csv',
    'csv',
    1,
    [
      {
        name: 'Tesla P100-PCIE-16GB',
        uuid: 'GPU-ef1b2c9b-38d8-2090-2bd1-f567a3eb42a6',
        memory_used_bytes: 0,
        memory_reserved_bytes: 103 * MiB,
        temperature_celsius: 37,
        power_draw_watts: 28.16,
        sm_clock_mhz: 405,
        memory_clock_mhz: 715,
        absent: ['fan_ratio', 'memory_total_bytes'],
      },
    ],
  ],
  [
    'h100-80gb-hbm3-driver590-q-load.txt',
    'text',
    1,
    [
      {
        memory_used_bytes: 19818 * MiB,
        temperature_celsius: 59,
        power_draw_watts: 629.45,
        power_limit_watts: 700,
        clock_event_reasons: [],
        mig_enabled: false,
        process_count: 3,
      },
    ],
  ],
  ['h100-mig-driver590-q-load.txt', 'text', 1, [{ mig_enabled: true, temperature_celsius: 53, absent: ['utilization_gpu_ratio'], process_count: 3 }]],
];

describe('parseNvidiaSmiOutput', () => {
  it.each(CASES)('reads concrete values from %s (%s)', (file, format, count, expects) => {
    const r = parseNvidiaSmiOutput(read(file));
    expect(r.ok && r.format).toBe(format);
    const gpus = parse(file);
    expect(gpus).toHaveLength(count);
    for (const { gpu = 0, process_count, absent = [], ...want } of expects) {
      const g = gpus[gpu];
      expect(g).toMatchObject(want);
      for (const k of absent) expect(g).not.toHaveProperty(k);
      if (process_count !== undefined) expect(g?.processes).toHaveLength(process_count);
      // Every reading satisfies the contract schema.
      expect(GpuReadingSchema.safeParse(g).success).toBe(true);
    }
  });

  it('covers every shared GPU-report fixture', () => {
    const covered = new Set(CASES.map((c) => c[0]));
    // pasted excerpts (`-cut.txt`) and error outputs (`error-`) have their cases in smi-pastes.test.ts
    const files = readdirSync(DIR).filter(
      (f) => !f.endsWith('.md') && !f.includes('compute-apps') && !f.startsWith('help-') && !f.startsWith('error-') && !f.endsWith('-cut.txt'),
    );
    expect(files.filter((f) => !covered.has(f))).toEqual([]);
  });

  it('reads process memory from XML, absent on WDDM', () => {
    const [t4] = parse('tesla-t4-driver515-procs.xml');
    expect(t4?.processes?.[0]).toEqual({ pid: 675, name: '/usr/lib/xorg/Xorg', used_memory_bytes: 22 * MiB });
    const [win] = parse('rtx2080-windows-driver516-procs.xml');
    expect(win?.processes?.[0]).toEqual({ pid: 7724, name: expect.stringContaining('PhoneExperienceHost.exe') });
  });

  it('lists MIG devices with their memory when MIG is enabled', () => {
    const [a100] = parse('a100-sxm4-80gb-mig-driver535.xml');
    expect(a100?.mig_devices).toHaveLength(4);
    expect(a100?.mig_devices?.[0]).toMatchObject({ memory_used_bytes: 12 * MiB, memory_total_bytes: 19968 * MiB });
    const [h100] = parse('h100-mig-driver590-q-load.txt');
    expect(h100?.mig_devices?.map((d) => d.gpu_instance_id)).toEqual([2, 3, 9, 10]);
  });

  it('reads the per-reason µs counters of driver 590+', () => {
    const [g] = parse('rtx3090-driver590-v13-swpowercap-active.xml');
    expect(g?.clock_event_reason_counters_us?.sw_power_cap).toBe(9840338777);
    const [w] = parse('rtx2080super-windows-driver591-query-gpu-load.csv');
    expect(w?.clock_event_reason_counters_us).toMatchObject({ sw_power_cap: 5459682741, sync_boost: 0 });
  });
});

describe('parseQueryGpuCsv', () => {
  const fields = ['index', 'uuid', 'name', 'memory.used', 'utilization.gpu', 'fan.speed', 'clocks_throttle_reasons.active', 'power.draw'];

  it('reads noheader,nounits rows with the field list', () => {
    const rows = parseQueryGpuCsv(
      '0, GPU-a, NVIDIA L4, 1024, 57, [N/A], 0x0000000000000044, 70.25\n1, GPU-b, NVIDIA L4, 0, 0, 30, 0x0000000000000001, [Not Supported]\n',
      fields,
    );
    expect(rows[0]).toMatchObject({
      index: 0,
      uuid: 'GPU-a',
      memory_used_bytes: 1024 * MiB,
      utilization_gpu_ratio: 0.57,
      power_draw_watts: 70.25,
      clock_event_reasons: ['sw_power_cap', 'hw_thermal_slowdown'],
    });
    expect(rows[0]).not.toHaveProperty('fan_ratio');
    expect(rows[1]).toMatchObject({ index: 1, fan_ratio: 0.3, clock_event_reasons: ['gpu_idle'] });
    expect(rows[1]).not.toHaveProperty('power_draw_watts');
  });

  it('reads the old per-reason Active flags when the mask is missing', () => {
    const csv = 'index, clocks_throttle_reasons.gpu_idle, clocks_throttle_reasons.hw_slowdown\n0, Not Active, Active\n';
    expect(parseQueryGpuCsv(csv)[0]?.clock_event_reasons).toEqual(['hw_slowdown']);
  });

  it('an unreadable value is absent, also in text fields and in what is derived from it (smi-variants.test.ts found each)', () => {
    const csv =
      'index, uuid, name, clocks_event_reasons.gpu_idle, clocks_event_reasons.sw_power_cap, clocks_event_reasons_counters.sw_power_cap [us], clocks_event_reasons_counters.hw_power_brake_slowdown [us]\n' +
      '0, ERR!, [GPU is lost], Active, [Unknown Error], [N/A], 5\n' +
      '1, GPU-b, NVIDIA L4, Active, Not Active, 7, 5\n';
    const [lost, ok] = parseQueryGpuCsv(csv);
    expect(lost).toEqual({ index: 0, clock_event_reason_counters_us: { hw_power_brake_slowdown: 5 } });
    expect(ok).toMatchObject({ uuid: 'GPU-b', clock_event_reasons: ['gpu_idle'], throttle_power_us: 12 });
  });

  it('returns no rows for truncated or garbage input instead of throwing', () => {
    expect(parseQueryGpuCsv('')).toEqual([]);
    expect(parseQueryGpuCsv('index, memory.used [MiB]\n0')).toEqual([{ index: 0 }]);
    expect(parseNvidiaSmiOutput('<nvidia_smi_log><gpu id="x"><fb_memory_usage>').ok).toBeTypeOf('boolean');
    expect(parseNvidiaSmiOutput('hello').ok).toBe(false);
  });
});

describe('parseComputeAppsCsv', () => {
  it('reads H100 processes and joins them to the GPU by bus id', () => {
    const apps = parseComputeAppsCsv(read('h100-80gb-hbm3-driver590-compute-apps-load.csv'));
    expect(apps).toHaveLength(3);
    expect(apps[2]).toEqual({
      gpu_uuid: 'GPU-00000000-0000-0000-0000-000000000000',
      gpu_bus_id: '00000000:00:09.0',
      pid: 11345,
      name: './gpu_burn',
      used_memory_bytes: 15690 * MiB,
    });
    const gpus = parse('h100-80gb-hbm3-driver590-query-gpu-load.csv');
    attachComputeApps(gpus, apps);
    expect(gpus[0]?.processes?.map((p) => p.pid)).toEqual([11327, 11328, 11345]);
  });

  it('leaves WDDM process memory absent', () => {
    const apps = parseComputeAppsCsv(read('rtx2080super-windows-driver591-compute-apps-load.csv'));
    expect(apps).toHaveLength(12);
    expect(apps.every((a) => a.used_memory_bytes === undefined)).toBe(true);
    expect(apps[3]).toMatchObject({ pid: 12332, name: 'C:\\Windows\\explorer.exe' });
  });
});
