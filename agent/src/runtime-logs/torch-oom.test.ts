import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyOom, OOM_RULES } from './oom-cause.js';
import { parseOom, parseSize } from './torch-oom.js';

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;

describe('parseSize', () => {
  it.each([
    ['2.00', 'GiB', 2147483648],
    ['952.00', 'MiB', 998244352],
    ['179.00', 'KiB', 183296],
    ['0', 'bytes', 0],
    ['9.57', 'GB', Math.round(9.57 * GIB)],
  ])('%s %s → %d bytes', (v, u, want) => expect(parseSize(v, u)).toBe(want));
});

describe('parseOom', () => {
  it.each([
    [
      'torch 1.x legacy with reserved',
      'RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 6.00 GiB total capacity; 3.49 GiB already allocated; 1.04 GiB free; 3.50 GiB reserved in total by PyTorch) If reserved memory is >> allocated memory try setting max_split_size_mb',
      {
        form: 'caching_legacy',
        requested: 2 * GIB,
        total: 6 * GIB,
        allocated: Math.round(3.49 * GIB),
        free: Math.round(1.04 * GIB),
        reservedUnallocated: Math.round(3.5 * GIB) - Math.round(3.49 * GIB),
        device: 'cuda:0',
      },
    ],
    [
      'torch 1.0 cached + allowed',
      'RuntimeError: CUDA out of memory. Tried to allocate 16.00 GiB (GPU 1; 11.93 GiB total capacity; 4.00 GiB already allocated; 7.33 GiB free; 8.00 GiB allowed; 4.50 GiB cached)',
      { form: 'caching_legacy', requested: 16 * GIB, device: 'cuda:1', reservedUnallocated: GIB / 2 },
    ],
    [
      'torch 2.1 capacty typo with process lines',
      'torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 138.00 MiB. GPU 0 has a total capacty of 15.90 GiB of which 8.44 MiB is free. Process 1246069 has 577.00 MiB memory in use. Process 7 has 1.00 GiB memory in use. Including non-PyTorch memory, this process has 15.32 GiB memory in use. Of the allocated memory 14.12 GiB is allocated by PyTorch, and 410.41 MiB is reserved by PyTorch but unallocated.',
      {
        form: 'caching',
        requested: 138 * MIB,
        total: Math.round(15.9 * GIB),
        free: Math.round(8.44 * MIB),
        otherProcesses: 577 * MIB + GIB,
        allocated: Math.round(14.12 * GIB),
        reservedUnallocated: Math.round(410.41 * MIB),
      },
    ],
    [
      'torch 2.5 private pools',
      'torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 20.00 MiB. GPU 0 has a total capacity of 23.99 GiB of which 0 bytes is free. Of the allocated memory 22.00 GiB is allocated by PyTorch, with 1.00 GiB allocated in private pools (e.g., CUDA Graphs), and 1.50 GiB is reserved by PyTorch but unallocated.',
      { form: 'caching', free: 0, allocated: 22 * GIB, reservedUnallocated: 1.5 * GIB },
    ],
    [
      'XPU',
      'XPU out of memory. Tried to allocate 1.00 GiB. GPU 0 has a total capacity of 16.00 GiB of which 10.00 MiB is free.',
      { form: 'caching', device: 'xpu:0', total: 16 * GIB },
    ],
    [
      'cut by the device-index bug',
      'torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 3725.29 GiB. GPU',
      { form: 'truncated', requested: Math.round(3725.29 * GIB) },
    ],
    ['async truncated', 'torch.OutOfMemoryError: Allocation on device ', { form: 'truncated' }],
    ['async CUDA error', 'RuntimeError: CUDA error: out of memory', { form: 'cuda_error' }],
    [
      'host RAM',
      'RuntimeError: [enforce fail at alloc_cpu.cpp:83] data. DefaultCPUAllocator: not enough memory: you tried to allocate 1073741824 bytes.',
      { form: 'host_ram', device: 'cpu', requested: GIB },
    ],
  ])('reads the %s form', (_name, text, want) => {
    expect(parseOom(text)).toEqual(expect.objectContaining(want));
  });

  it('a `Process N` line that is this process under another pid namespace is not another process (kohya_ss#3300 on Colab)', () => {
    // the OOM line of agent/test/fixtures/runtime-logs/kohya/sdxl-dreambooth-oom-colab-bar-without-glyphs-2025-07.log,
    // without the markdown backtick the user pasted in front of it
    const line = readFileSync(
      join(import.meta.dirname, '../../test/fixtures/runtime-logs/kohya/sdxl-dreambooth-oom-colab-bar-without-glyphs-2025-07.log'),
      'utf8',
    )
      .split('\n')
      .find((l) => l.includes('OutOfMemoryError: CUDA out of memory'))
      ?.replace(/^`/, '');
    const n = parseOom(line ?? '');
    // 39.55 GiB "in use" beside 37.77 + 1.28 GiB held and 896 KiB free would be 78.6 GiB on a 39.56 GiB card
    expect(n).toMatchObject({ total: Math.round(39.56 * GIB), allocated: Math.round(37.77 * GIB), reservedUnallocated: Math.round(1.28 * GIB) });
    expect(n?.otherProcesses).toBeUndefined();
    expect(n === undefined ? undefined : classifyOom(n)).toEqual({ cause: 'fragmentation', rule: 'reserved_unallocated_exceeds_request' });
    // the same numbers with a process that fits beside them stay another process
    const other = parseOom(
      'torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 14.00 MiB. GPU 0 has a total capacity of 39.56 GiB of which 896.00 KiB is free. Process 7 has 1.50 GiB memory in use. Including non-PyTorch memory, this process has 38.05 GiB memory in use. Of the allocated memory 36.27 GiB is allocated by PyTorch, and 1.28 GiB is reserved by PyTorch but unallocated.',
    );
    expect(other?.otherProcesses).toBe(1.5 * GIB);
  });

  it('is undefined for text that is not an OOM', () => {
    expect(parseOom('RuntimeError: expected scalar type Half but found Float')).toBeUndefined();
  });
});

describe('classifyOom', () => {
  it.each([
    ['numbers missing', { form: 'truncated' as const }, {}, 'unknown', 'missing_numbers'],
    ['request > card', { form: 'caching' as const, requested: 40 * GIB, total: 24 * GIB }, {}, 'resolution', 'request_exceeds_total'],
    ['request > card, batch 4', { form: 'caching' as const, requested: 40 * GIB, total: 24 * GIB }, { batch: 4 }, 'batch', 'request_exceeds_total_with_batch'],
    ['free covers request', { form: 'caching' as const, requested: GIB, total: 16 * GIB, free: 2 * GIB }, {}, 'unknown', 'free_covers_request'],
    [
      'other processes',
      { form: 'caching' as const, requested: GIB, total: 24 * GIB, free: 0, otherProcesses: 3 * GIB },
      {},
      'other_process',
      'other_processes_reported',
    ],
    [
      'fragmentation',
      { form: 'caching' as const, requested: GIB, total: 24 * GIB, free: 0, allocated: 20 * GIB, reservedUnallocated: 3.5 * GIB },
      {},
      'fragmentation',
      'reserved_unallocated_exceeds_request',
    ],
    [
      'unaccounted',
      { form: 'caching' as const, requested: GIB, total: 24 * GIB, free: 0, allocated: 20 * GIB, reservedUnallocated: 0 },
      {},
      'other_process',
      'unaccounted_device_memory',
    ],
    [
      'during load',
      { form: 'caching' as const, requested: GIB / 2, total: 24 * GIB, free: 0, allocated: 23.5 * GIB },
      { duringModelLoad: true },
      'model_too_large',
      'oom_during_model_load',
    ],
    [
      'addons',
      { form: 'caching' as const, requested: GIB / 2, total: 24 * GIB, free: 0, allocated: 23.5 * GIB },
      { addons: true },
      'addons',
      'addons_loaded_in_job',
    ],
    ['batch', { form: 'caching' as const, requested: GIB / 2, total: 24 * GIB, free: 0, allocated: 23.5 * GIB }, { batch: 2 }, 'batch', 'batch_size_gt_1'],
    [
      'large single allocation',
      { form: 'caching' as const, requested: 8 * GIB, total: 24 * GIB, free: 0, allocated: 23.5 * GIB },
      {},
      'resolution',
      'large_single_allocation',
    ],
    ['nothing fits', { form: 'caching' as const, requested: GIB / 2, total: 24 * GIB, free: 0, allocated: 23.5 * GIB }, {}, 'unknown', 'no_rule_matched'],
  ])('chooses by rule when %s', (_n, numbers, ctx, cause, rule) => {
    expect(classifyOom(numbers, ctx)).toEqual({ cause, rule });
  });

  it('has unique rule names', () => {
    expect(new Set(OOM_RULES.map((r) => r.name)).size).toBe(OOM_RULES.length);
  });
});
