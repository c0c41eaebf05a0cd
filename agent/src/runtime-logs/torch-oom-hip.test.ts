// ROCm (HIP) out-of-memory messages: the same numbers and causes as the CUDA text they mirror.
// Real formats: the shared ComfyUI and InvokeAI ROCm fixtures; the others are the CUDA forms of
// docs/research/runtime-logs.md "1.10 PyTorch OOM messages" with `HIP` where ROCm builds print it (PyTorch hipifies the message text).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyOom } from './oom-cause.js';
import { parseLogText } from './parser-session.js';
import { parseOom } from './torch-oom.js';

const FIX = join(import.meta.dirname, '../../test/fixtures/runtime-logs');
const GIB = 1024 ** 3;
const MIB = 1024 ** 2;
const g = (x: number): number => Math.round(x * GIB);
const m = (x: number): number => Math.round(x * MIB);

describe('HIP out of memory, from the shared ROCm fixtures', () => {
  it('ComfyUI + CogVideoX on ROCm torch 2.4: 35.31 GiB requested of a 19.94 GiB card → resolution (request_exceeds_total)', () => {
    const ooms = parseLogText(readFileSync(join(FIX, 'comfyui/hip-oom-rocm-cogvideo-2024-09.log'), 'utf8'), 'comfyui').filter((e) => e.kind === 'oom');
    expect(ooms).toEqual([
      expect.objectContaining({
        requested_bytes: g(35.31),
        total_bytes: g(19.94),
        free_bytes: g(13.47),
        allocated_bytes: g(5.17),
        reserved_unallocated_bytes: m(259.56),
        device: 'hip:0',
        cause: 'resolution',
        cause_rule: 'request_exceeds_total',
      }),
    ]);
  });

  it('InvokeAI on ROCm: 15.98 − 1.40 free − 1.26 allocated − 0.149 reserved = 13.17 GiB held outside this PyTorch → other_process', () => {
    const ooms = parseLogText(readFileSync(join(FIX, 'invokeai/hip-oom-then-graph-stats-2025-02.log'), 'utf8'), 'invokeai').filter((e) => e.kind === 'oom');
    expect(ooms).toEqual([
      expect.objectContaining({
        requested_bytes: g(4.5),
        total_bytes: g(15.98),
        free_bytes: g(1.4),
        allocated_bytes: g(1.26),
        reserved_unallocated_bytes: m(152.5),
        device: 'hip:0',
        cause: 'other_process',
        cause_rule: 'unaccounted_device_memory',
      }),
    ]);
  });
});

describe('HIP and CUDA texts give the same numbers and cause', () => {
  const pairs: [string, string][] = [
    [
      'torch 2.1 `capacty` typo',
      'torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 138.00 MiB. GPU 0 has a total capacty of 15.90 GiB of which 8.44 MiB is free. Of the allocated memory 14.12 GiB is allocated by PyTorch, and 410.41 MiB is reserved by PyTorch but unallocated. If reserved but unallocated memory is large try setting max_split_size_mb to avoid fragmentation.  See documentation for Memory Management and PYTORCH_CUDA_ALLOC_CONF',
    ],
    [
      'torch 2.2+ spelling, device 1',
      'torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 1 has a total capacity of 23.99 GiB of which 1.02 GiB is free. Of the allocated memory 20.10 GiB is allocated by PyTorch, and 2.50 GiB is reserved by PyTorch but unallocated.',
    ],
    [
      'torch 1.5-2.0 legacy form',
      'RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 15.98 GiB total capacity; 12.00 GiB already allocated; 1.50 GiB free; 13.00 GiB reserved in total by PyTorch)',
    ],
  ];
  for (const [name, cuda] of pairs)
    it(name, () => {
      const hip = cuda.replace('CUDA out of memory', 'HIP out of memory').replace('PYTORCH_CUDA_ALLOC_CONF', 'PYTORCH_HIP_ALLOC_CONF');
      const c = parseOom(cuda);
      const h = parseOom(hip);
      expect(c).toBeDefined();
      expect({ ...h, device: h?.device?.replace('hip:', 'cuda:') }).toEqual(c);
      expect(h?.device?.startsWith('hip:')).toBe(true);
      expect(classifyOom(h ?? { form: 'truncated' })).toEqual(classifyOom(c ?? { form: 'truncated' }));
    });

  it('the numbers of the capacty form, worked out', () => {
    const h = parseOom(pairs[0]?.[1].replace('CUDA out', 'HIP out') ?? '');
    expect(h).toEqual({
      form: 'caching',
      requested: m(138),
      total: g(15.9),
      free: m(8.44),
      allocated: g(14.12),
      reservedUnallocated: m(410.41),
      device: 'hip:0',
    });
    // 410.41 MiB reserved-but-unallocated >= 138 MiB requested → fragmentation
    expect(classifyOom(h ?? { form: 'truncated' })).toEqual({ cause: 'fragmentation', rule: 'reserved_unallocated_exceeds_request' });
  });

  it('an APU’s underflowed free value (17179869183.96 GiB of a 16 GiB total) is dropped, not believed', () => {
    const h = parseOom(
      'torch.OutOfMemoryError: HIP out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 16.00 GiB of which 17179869183.96 GiB is free. Of the allocated memory 13.00 GiB is allocated by PyTorch, and 512.00 MiB is reserved by PyTorch but unallocated.',
    );
    expect(h).toEqual({ form: 'caching', requested: 2 * GIB, total: 16 * GIB, allocated: 13 * GIB, reservedUnallocated: 512 * MIB, device: 'hip:0' });
    // without a free value the free_covers_request rule cannot fire on garbage; 16 − 13 − 0.5 leaves no other process
    expect(classifyOom(h ?? { form: 'truncated' }).rule).not.toBe('free_covers_request');
  });

  it('`HIP error: out of memory` (asynchronous, not the allocator) is a cuda_error form without numbers', () => {
    expect(parseOom('RuntimeError: HIP error: out of memory\nHIP kernel errors might be asynchronously reported at some other API call')).toEqual({
      form: 'cuda_error',
    });
  });
});
