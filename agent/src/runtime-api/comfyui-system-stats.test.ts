import { describe, expect, it } from 'vitest';
import { systemStats } from '../../test/support/comfyui-shapes.js';
import { SystemStatsSchema, summariseSystemStats, versionKey } from './comfyui-system-stats.js';

describe('summariseSystemStats', () => {
  it('reads versions and the torch device memory in bytes', () => {
    const s = summariseSystemStats(SystemStatsSchema.parse(systemStats()));
    expect(s).toEqual({
      comfyuiVersion: '0.3.33',
      pythonVersion: '3.12.9',
      pytorchVersion: '2.7.0+cu128',
      devices: [
        {
          name: 'cuda:0 NVIDIA GeForce RTX 4090 : cudaMallocAsync',
          index: 0,
          allocator: 'cudaMallocAsync',
          vramTotalBytes: 25_386_352_640,
          vramFreeBytes: 23_895_539_712,
          torchReservedBytes: 2_147_483_648,
          torchReservedFreeBytes: 1_073_741_824,
        },
      ],
    });
    expect(versionKey(s)).toBe('comfyui=0.3.33 python=3.12.9 pytorch=2.7.0+cu128');
  });

  it('accepts a server before 2024-08-30 (no comfyui_version) and an MPS device without vram figures', () => {
    const s = summariseSystemStats(
      SystemStatsSchema.parse({
        system: { os: 'darwin', python_version: '3.11.6 (main, Oct  2 2023, 13:45:54) [Clang 15.0.0 ]', embedded_python: false },
        devices: [{ name: 'mps', type: 'mps', index: null }],
      }),
    );
    expect(s).toEqual({ pythonVersion: '3.11.6', devices: [{ name: 'mps' }] });
    expect(versionKey(s)).toBe('comfyui=? python=3.11.6 pytorch=?');
  });

  it('rejects an answer that is not system stats', () => {
    expect(SystemStatsSchema.safeParse({ devices: [] }).success).toBe(false);
    expect(SystemStatsSchema.safeParse({ system: {}, devices: [{ vram_total: -1 }] }).success).toBe(false);
  });
});
