// Each OOM rule at its boundary, with numbers worked by hand (GiB = 1024^3 bytes), and the event
// buildOomEvent makes. The parser tests (torch-oom*.test.ts) cover the rules on real messages; these
// decide the edges: >= vs >, which numbers must be present, and the order of the rules.
import { describe, expect, it } from 'vitest';
import { buildOomEvent, classifyOom, OOM_RULES } from './oom-cause.js';
import type { OomNumbers } from './torch-oom.js';

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;
const base: OomNumbers = { form: 'caching_legacy' };
const rule = (n: Omit<OomNumbers, 'form'>, ctx = {}): string => classifyOom({ ...base, ...n }, ctx).rule;

describe('classifyOom', () => {
  it('needs both the request and the total; context alone never decides', () => {
    expect(rule({ total: 24 * GIB }, { batch: 4 })).toBe('missing_numbers');
    expect(rule({ requested: 2 * GIB }, { duringModelLoad: true })).toBe('missing_numbers');
    expect(classifyOom({ ...base, requested: 2 * GIB, total: 24 * GIB, free: 100 * MIB })).toEqual({ cause: 'unknown', rule: 'no_rule_matched' });
  });

  it('a request larger than the card is batch with a batch > 1, else resolution; equal to the card is neither', () => {
    expect(classifyOom({ ...base, requested: 25 * GIB, total: 24 * GIB }, { batch: 2 })).toEqual({ cause: 'batch', rule: 'request_exceeds_total_with_batch' });
    expect(classifyOom({ ...base, requested: 25 * GIB, total: 24 * GIB }, { batch: 1 })).toEqual({
      cause: 'resolution',
      rule: 'request_exceeds_total',
    });
    expect(rule({ requested: 25 * GIB, total: 24 * GIB })).toBe('request_exceeds_total');
    // exactly the card: not "exceeds"; a quarter or more of the card is a large single allocation
    expect(rule({ requested: 24 * GIB, total: 24 * GIB, free: 0 }, { batch: 2 })).toBe('batch_size_gt_1');
    expect(rule({ requested: 24 * GIB, total: 24 * GIB, free: 0 })).toBe('large_single_allocation');
  });

  it('free memory that covers the request (equal included) explains nothing', () => {
    expect(classifyOom({ ...base, requested: 2 * GIB, total: 24 * GIB, free: 2 * GIB })).toEqual({ cause: 'unknown', rule: 'free_covers_request' });
    expect(rule({ requested: 2 * GIB, total: 24 * GIB, free: 2 * GIB - 1, otherProcesses: GIB })).toBe('other_processes_reported');
    // no free figure: the rule cannot apply
    expect(rule({ requested: 2 * GIB, total: 24 * GIB, otherProcesses: GIB })).toBe('other_processes_reported');
  });

  it('other processes from 1 GiB on', () => {
    expect(classifyOom({ ...base, requested: 2 * GIB, total: 24 * GIB, free: GIB, otherProcesses: GIB })).toEqual({
      cause: 'other_process',
      rule: 'other_processes_reported',
    });
    expect(rule({ requested: 2 * GIB, total: 24 * GIB, free: GIB, otherProcesses: GIB - 1 })).toBe('no_rule_matched');
  });

  it('MPS other allocations above what the MPS allocator holds (equal is not above)', () => {
    const mps = { requested: 2 * GIB, total: 32 * GIB }; // MPS prints no free figure
    expect(classifyOom({ ...base, form: 'mps', ...mps, allocated: 10 * GIB, mpsOther: 10 * GIB + 1 })).toEqual({
      cause: 'other_process',
      rule: 'mps_other_allocations_exceed_mps',
    });
    expect(rule({ ...mps, allocated: 10 * GIB, mpsOther: 10 * GIB })).toBe('no_rule_matched');
    expect(rule({ ...mps, mpsOther: 10 * GIB })).toBe('no_rule_matched');
    expect(rule({ ...mps, allocated: 10 * GIB })).toBe('no_rule_matched');
  });

  it('reserved but unallocated memory at least the request is fragmentation', () => {
    const n = { requested: 2 * GIB, total: 24 * GIB, free: GIB };
    expect(classifyOom({ ...base, ...n, reservedUnallocated: 2 * GIB })).toEqual({ cause: 'fragmentation', rule: 'reserved_unallocated_exceeds_request' });
    expect(rule({ ...n, reservedUnallocated: 2 * GIB - 1 })).toBe('no_rule_matched');
  });

  it('device memory PyTorch does not hold, at least max(1 GiB, the request), is another process', () => {
    // 24 total − 1 free − 20 allocated − 1 reserved = 2 GiB nobody in this process holds
    const n = { requested: 2 * GIB, total: 24 * GIB, free: GIB, allocated: 20 * GIB, reservedUnallocated: GIB };
    expect(classifyOom({ ...base, ...n })).toEqual({ cause: 'other_process', rule: 'unaccounted_device_memory' });
    expect(rule({ ...n, allocated: 20 * GIB + 1 })).toBe('no_rule_matched'); // 2 GiB − 1 byte
    // without the reserved figure it counts as 0: 24 − 1 − 21 = 2 GiB
    expect(rule({ requested: 2 * GIB, total: 24 * GIB, free: GIB, allocated: 21 * GIB })).toBe('unaccounted_device_memory');
    // a small request still needs a whole GiB unaccounted
    const small = { requested: 100 * MIB, total: 24 * GIB, free: 50 * MIB, reservedUnallocated: 0 };
    expect(rule({ ...small, allocated: 24 * GIB - 50 * MIB - GIB })).toBe('unaccounted_device_memory');
    expect(rule({ ...small, allocated: 24 * GIB - 50 * MIB - GIB + 1 })).toBe('no_rule_matched');
    // every one of total, free and allocated is needed
    expect(rule({ requested: 2 * GIB, total: 24 * GIB, allocated: 10 * GIB })).toBe('no_rule_matched');
    expect(rule({ requested: 2 * GIB, total: 24 * GIB, free: GIB })).toBe('no_rule_matched');
  });

  it('then the job context: model load, add-ons, batch, in that order', () => {
    const n = { requested: 2 * GIB, total: 24 * GIB, free: GIB };
    expect(classifyOom({ ...base, ...n }, { duringModelLoad: true, addons: true, batch: 4 })).toEqual({
      cause: 'model_too_large',
      rule: 'oom_during_model_load',
    });
    expect(classifyOom({ ...base, ...n }, { addons: true, batch: 4 })).toEqual({ cause: 'addons', rule: 'addons_loaded_in_job' });
    expect(classifyOom({ ...base, ...n }, { batch: 2 })).toEqual({ cause: 'batch', rule: 'batch_size_gt_1' });
    expect(rule(n, { batch: 1, addons: false, duringModelLoad: false })).toBe('no_rule_matched');
  });

  it('a single allocation of a quarter of the card or more is resolution', () => {
    expect(classifyOom({ ...base, requested: 6 * GIB, total: 24 * GIB, free: GIB })).toEqual({ cause: 'resolution', rule: 'large_single_allocation' });
    expect(rule({ requested: 6 * GIB - 1, total: 24 * GIB, free: GIB })).toBe('no_rule_matched');
  });

  it('lists its rules in the order they are tried', () => {
    expect(OOM_RULES.map((r) => r.name)).toEqual([
      'missing_numbers',
      'request_exceeds_total_with_batch',
      'request_exceeds_total',
      'free_covers_request',
      'other_processes_reported',
      'mps_other_allocations_exceed_mps',
      'reserved_unallocated_exceeds_request',
      'unaccounted_device_memory',
      'oom_during_model_load',
      'addons_loaded_in_job',
      'batch_size_gt_1',
      'large_single_allocation',
    ]);
  });
});

describe('buildOomEvent', () => {
  it('carries every number the message had, the time, recovered, the cause and its rule', () => {
    const n: OomNumbers = {
      form: 'caching_legacy',
      requested: 2 * GIB,
      total: 24 * GIB,
      free: GIB,
      allocated: 20 * GIB,
      reservedUnallocated: 512 * MIB,
      otherProcesses: 3 * GIB,
      device: 'cuda:0',
    };
    expect(buildOomEvent('comfyui', n, { ts: '2026-01-01T00:00:00.000Z', recovered: true })).toEqual({
      kind: 'oom',
      runtime: 'comfyui',
      ts: '2026-01-01T00:00:00.000Z',
      requested_bytes: 2 * GIB,
      total_bytes: 24 * GIB,
      free_bytes: GIB,
      allocated_bytes: 20 * GIB,
      reserved_unallocated_bytes: 512 * MIB,
      other_processes_bytes: 3 * GIB,
      device: 'cuda:0',
      recovered: true,
      cause: 'other_process',
      cause_rule: 'other_processes_reported',
    });
  });

  it('leaves out what the message did not have; not recovered unless said', () => {
    // strict: absent numbers are absent keys, not keys holding undefined
    expect(buildOomEvent('a1111', { form: 'caching_legacy' }, { ctx: { batch: 3 } })).toStrictEqual({
      kind: 'oom',
      runtime: 'a1111',
      recovered: false,
      cause: 'unknown',
      cause_rule: 'missing_numbers',
    });
    expect(Object.keys(buildOomEvent('forge', { form: 'caching_legacy', requested: GIB, total: 8 * GIB }, { ctx: { batch: 2 } })).sort()).toEqual([
      'cause',
      'cause_rule',
      'kind',
      'recovered',
      'requested_bytes',
      'runtime',
      'total_bytes',
    ]);
    expect(buildOomEvent('forge', { form: 'caching_legacy', requested: GIB, total: 8 * GIB }, { ctx: { batch: 2 } }).cause).toBe('batch');
  });
});
