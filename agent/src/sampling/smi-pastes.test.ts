// nvidia-smi output pasted into public issue threads (agent/test/fixtures/nvidia-smi/SOURCES.md
// "Pasted in issue threads"): the default table, `-q` / `-q -d` text from drivers 375 to 595, and
// the messages nvidia-smi prints instead of a report. Values read off each paste by hand.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { GpuReadingSchema } from '@renderwatch/schema';
import { describe, expect, it } from 'vitest';
import type { GpuReadingDetail } from './sampler.js';
import { parseNvidiaSmiOutput } from './smi-parse.js';

const DIR = fileURLToPath(new URL('../../test/fixtures/nvidia-smi/', import.meta.url));
const read = (f: string): string => readFileSync(DIR + f, 'utf8');
const MiB = 1048576;

function parse(file: string, format: string): GpuReadingDetail[] {
  const r = parseNvidiaSmiOutput(read(file));
  if (!r.ok) throw r.error;
  expect(r.format, file).toBe(format);
  for (const g of r.gpus) expect(GpuReadingSchema.safeParse(g).success, file).toBe(true);
  return r.gpus;
}

const TABLES: [string, number, GpuReadingDetail][] = [
  [
    // ECC on: `0` uncorrected errors is a count; `No running processes found`: processes known empty
    'tesla-k80-aws-p2-driver384-table-no-processes-cut.txt',
    1,
    {
      index: 0,
      name: 'Tesla K80',
      driver_version: '384.90',
      pci_bus_id: '00000000:00:1E.0',
      temperature_celsius: 41,
      power_draw_watts: 31,
      power_limit_watts: 149,
      memory_used_bytes: 11 * MiB,
      memory_total_bytes: 11439 * MiB,
      utilization_gpu_ratio: 0,
      ecc_uncorrected_total: 0,
      processes: [],
      peer: { pstate: 8, compute_mode: 0 },
    },
  ],
  [
    // driver 610 prints `KMD Version:` and `CUDA UMD Version:` where older drivers print `Driver Version:` / `CUDA Version:`
    'rtx5090-x2-driver610-kmd-version-table-cut.txt',
    2,
    {
      index: 1,
      name: 'NVIDIA GeForce RTX 5090',
      driver_version: '610.57.04',
      cuda_version: '13.3',
      pci_bus_id: '00000000:02:00.0',
      fan_ratio: 0.45,
      temperature_celsius: 52,
      power_draw_watts: 12,
      power_limit_watts: 600,
      memory_used_bytes: 30357 * MiB,
      memory_total_bytes: 32607 * MiB,
      utilization_gpu_ratio: 0.02,
      peer: { pstate: 8, compute_mode: 0 },
    },
  ],
  [
    // ECC disabled: the `Volatile Uncorr. ECC` cell says `Off`, which is no count
    'rtx4090-x2-driver550-table-ecc-off-cut.txt',
    2,
    {
      index: 0,
      name: 'NVIDIA GeForce RTX 4090',
      driver_version: '550.163.01',
      cuda_version: '12.4',
      pci_bus_id: '00000000:4E:00.0',
      fan_ratio: 0.3,
      temperature_celsius: 29,
      power_draw_watts: 22,
      power_limit_watts: 450,
      memory_used_bytes: 507 * MiB,
      memory_total_bytes: 24564 * MiB,
      utilization_gpu_ratio: 0,
      peer: { pstate: 8, compute_mode: 0 },
    },
  ],
  [
    'quadro-rtx4000-x2-driver535-table-cut.txt',
    2,
    {
      index: 0,
      name: 'Quadro RTX 4000',
      driver_version: '535.129.03',
      cuda_version: '12.2',
      pci_bus_id: '00000000:06:00.0',
      fan_ratio: 0.3,
      temperature_celsius: 25,
      power_draw_watts: 10,
      power_limit_watts: 125,
      memory_used_bytes: 1 * MiB,
      memory_total_bytes: 8192 * MiB,
      utilization_gpu_ratio: 0,
      peer: { pstate: 8, compute_mode: 0 },
    },
  ],
  [
    'rtx3090-x2-driver595-table-cut.txt',
    2,
    {
      index: 1,
      name: 'NVIDIA GeForce RTX 3090',
      driver_version: '595.84',
      cuda_version: '13.2',
      pci_bus_id: '00000000:21:00.0',
      fan_ratio: 0,
      temperature_celsius: 37,
      power_draw_watts: 6,
      power_limit_watts: 250,
      memory_used_bytes: 22630 * MiB,
      memory_total_bytes: 24576 * MiB,
      utilization_gpu_ratio: 0,
      peer: { pstate: 8, compute_mode: 0 },
    },
  ],
  [
    'gtx1070-x4-driver390-table-tab-indented-cut.txt',
    4,
    {
      index: 0,
      name: 'GeForce GTX 1070',
      driver_version: '390.25',
      pci_bus_id: '00000000:01:00.0',
      fan_ratio: 1,
      temperature_celsius: 45,
      power_draw_watts: 101,
      power_limit_watts: 100,
      memory_used_bytes: 2518 * MiB,
      memory_total_bytes: 8119 * MiB,
      utilization_gpu_ratio: 1,
      peer: { pstate: 2, compute_mode: 0 },
    },
  ],
  [
    // Windows laptop GPU, WDDM: no fan, no power reading (`N/A /  N/A`)
    'geforce840m-windows-driver369-wddm-table-cut.txt',
    1,
    {
      index: 0,
      name: 'GeForce 840M',
      driver_version: '369.30',
      pci_bus_id: '0000:03:00.0',
      temperature_celsius: 37,
      memory_used_bytes: 52 * MiB,
      memory_total_bytes: 2048 * MiB,
      utilization_gpu_ratio: 0,
      peer: { pstate: 8, compute_mode: 0 },
    },
  ],
];

describe('nvidia-smi default table pasted in issue threads', () => {
  it.each(TABLES)('%s: %i GPUs, every printed value with its unit, placeholders absent', (file, count, want) => {
    const gpus = parse(file, 'table');
    expect(gpus).toHaveLength(count);
    expect(gpus[want.index]).toEqual(want);
  });

  it('a GPU whose second row was cut off has its name and bus id only, never zeros', () => {
    expect(parse('quadro-rtx4000-x2-driver535-table-cut.txt', 'table')[1]).toEqual({
      index: 1,
      name: 'Quadro RTX 4000',
      driver_version: '535.129.03',
      cuda_version: '12.2',
      pci_bus_id: '00000000:07:00.0',
    });
  });

  it('reads processes, MIG mode, ECC, a cut name and `ERR!` cells in the layout of driver 535', () => {
    const lines = read('quadro-rtx4000-x2-driver535-table-cut.txt').split('\n').slice(0, 12);
    lines[8] = '|   0  NVIDIA GeForce RTX 4090 ...    Off | 00000000:06:00.0 Off |                    0 |';
    lines[9] = '| ERR!  25C    P2            ERR! / 125W |   7001MiB /  8192MiB |    100%   E. Process |';
    lines[10] = '|                                         |                      |             Disabled |';
    const procs = [
      '| Processes:                                                                            |',
      '|  GPU   GI   CI        PID   Type   Process name                            GPU Memory |',
      '|        ID   ID                                                             Usage      |',
      '|=======================================================================================|',
      '|    0   N/A  N/A      2095      G   /usr/lib/xorg/Xorg                            4MiB |',
      '|    0   N/A  N/A    812345      C   python                                     6990MiB |',
      '+---------------------------------------------------------------------------------------+',
    ];
    const r = parseNvidiaSmiOutput([...lines, '', ...procs, ''].join('\n'));
    expect(r.ok && r.gpus[0]).toEqual({
      index: 0,
      driver_version: '535.129.03',
      cuda_version: '12.2',
      pci_bus_id: '00000000:06:00.0',
      temperature_celsius: 25,
      power_limit_watts: 125,
      memory_used_bytes: 7001 * MiB,
      memory_total_bytes: 8192 * MiB,
      utilization_gpu_ratio: 1,
      ecc_uncorrected_total: 0,
      mig_enabled: false,
      processes: [
        { pid: 2095, name: '/usr/lib/xorg/Xorg', used_memory_bytes: 4 * MiB },
        { pid: 812345, name: 'python', used_memory_bytes: 6990 * MiB },
      ],
      peer: { pstate: 2, compute_mode: 3 },
    });
  });

  it('CRLF (a Windows paste) and a byte order mark read the same', () => {
    for (const [file] of TABLES) {
      const text = read(file);
      const again = parseNvidiaSmiOutput(`\uFEFF${text.replace(/\n/g, '\r\n')}`);
      expect(again.ok && again.gpus, file).toEqual(parse(file, 'table'));
    }
  });
});

describe('nvidia-smi -q text pasted in issue threads', () => {
  it('`-q -d MEMORY,PERFORMANCE` of a vGPU host driver (580): `CUDA Version : Not Found` is absent, not a version', () => {
    const [g] = parse('rtx-pro-6000-x4-driver580-q-d-memory-performance-cut.txt', 'text');
    expect(g).not.toHaveProperty('cuda_version');
    expect(g).toMatchObject({ driver_version: '580.105.06', pci_bus_id: '00000000:42:00.0', clock_event_reasons_mask: 0, peer: { pstate: 8 } });
    expect(g?.clock_event_reason_counters_us).toEqual({
      sw_power_cap: 1202176,
      sync_boost: 0,
      sw_thermal_slowdown: 0,
      hw_thermal_slowdown: 0,
      hw_power_brake_slowdown: 0,
    });
  });

  it('`-q -d MEMORY,UTILIZATION` of driver 375 (`Gpu :` spelling, 4-digit PCI domain)', () => {
    expect(parse('gtx-driver375-q-d-memory-utilization-cut.txt', 'text')).toEqual([
      {
        index: 0,
        driver_version: '375.66',
        pci_bus_id: '0000:01:00.0',
        memory_used_bytes: 1934 * MiB,
        memory_total_bytes: 1995 * MiB,
        utilization_gpu_ratio: 0.47,
        utilization_memory_ratio: 0.06,
        peer: { compute_mode: 0, encoder_utilization_ratio: 0 },
      },
    ]);
  });

  it('a line another library printed into the report (HAMi) changes nothing; WDDM laptop; Azure K80 bus id', () => {
    expect(parse('tesla-v100-driver535-q-hami-line-injected-cut.txt', 'text')).toEqual([
      {
        index: 0,
        uuid: 'GPU-3a6ec8f0-24eb-1905-1f17-7bdb4e850ffa',
        name: 'Tesla V100-PCIE-16GB',
        driver_version: '535.86.10',
        cuda_version: '12.2',
        pci_bus_id: '00000000:AF:00.0',
        peer: { minor_number: 1 },
      },
    ]);
    // `Minor Number : N/A` on Windows: absent (no peer block at all)
    expect(parse('rtx3070ti-laptop-windows-driver555-q-wddm-cut.txt', 'text')).toEqual([
      {
        index: 0,
        uuid: 'GPU-317b1ee1-938f-259c-21e3-3bac71f77dd3',
        name: 'NVIDIA GeForce RTX 3070 Ti Laptop GPU',
        driver_version: '555.99',
        cuda_version: '12.5',
        pci_bus_id: '00000000:01:00.0',
      },
    ]);
    // only the GPU block was pasted (no banner, no driver header): still a `-q` report
    expect(parse('rtx3090-q-gpu-block-only-2021-cut.txt', 'text')).toEqual([
      {
        index: 0,
        uuid: 'GPU-4fb6ac9a-29e1-b611-4af7-b61a99e3b92d',
        name: 'NVIDIA GeForce RTX 3090',
        pci_bus_id: '00000000:18:00.0',
        peer: { minor_number: 0 },
      },
    ]);
    expect(parse('tesla-k80-azure-driver396-q-a-cut.txt', 'text')[0]).toMatchObject({
      name: 'Tesla K80',
      pci_bus_id: '3E3F8E05:00:00.0',
      driver_version: '396.37',
    });
  });
});

describe('what nvidia-smi prints instead of a report', () => {
  it('names the GPU and the reason (GPU is lost, Unknown Error) instead of "unknown format"', () => {
    const lost = parseNvidiaSmiOutput(read('error-gpu-is-lost-geforce840m-windows-driver369.txt'));
    expect(lost.ok === false && [lost.error.code, lost.error.message]).toEqual([
      'AGT_ERR_SMI_PARSE',
      expect.stringContaining('nvidia-smi printed no report: GPU 0000:03:00.0: GPU is lost.'),
    ]);
    const unknown = parseNvidiaSmiOutput(read('error-unknown-error-device-handle-2015.txt'));
    expect(unknown.ok === false && unknown.error.message).toContain('GPU 0000:0B:00.0: Unknown Error');
  });

  it('every pasted fixture has a case here', () => {
    const covered = new Set([
      ...TABLES.map((t) => t[0]),
      'rtx-pro-6000-x4-driver580-q-d-memory-performance-cut.txt',
      'gtx-driver375-q-d-memory-utilization-cut.txt',
      'tesla-v100-driver535-q-hami-line-injected-cut.txt',
      'rtx3070ti-laptop-windows-driver555-q-wddm-cut.txt',
      'tesla-k80-azure-driver396-q-a-cut.txt',
      'rtx3090-q-gpu-block-only-2021-cut.txt',
      'error-gpu-is-lost-geforce840m-windows-driver369.txt',
      'error-unknown-error-device-handle-2015.txt',
    ]);
    expect(readdirSync(DIR).filter((f) => (f.endsWith('-cut.txt') || f.startsWith('error-')) && !covered.has(f))).toEqual([]);
  });
});
