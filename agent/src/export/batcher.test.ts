import { describe, expect, it } from 'vitest';
import type { ExportRequest } from '@renderwatch/proto';
import { createBatcher, nextSeqStart } from './batcher.js';
import { backoffMs } from './send-result.js';

const host = { hostname: 'h', driverVersion: '', cudaVersion: '', agentVersion: '0', labels: {} };

describe('batcher', () => {
  it('cuts a batch at the row bound with consecutive batch_seq and nothing lost', () => {
    const out: ExportRequest[] = [];
    const b = createBatcher({ agentId: 'a', host, firstSeq: 100, maxRows: 3, flushIntervalMs: 60_000, deliver: (r) => out.push(r) });
    for (let i = 0; i < 7; i++) b.addHost({ ts_unix_ms: 1_700_000_000_000 + i });
    b.flush();
    expect(out.map((r) => r.batchSeq)).toEqual([100, 101, 102]);
    expect(out.map((r) => r.hostSamples.length)).toEqual([3, 3, 1]);
    expect(out.flatMap((r) => r.hostSamples.map((h) => h.tsUnixMs))).toEqual(Array.from({ length: 7 }, (_, i) => 1_700_000_000_000 + i));
  });

  it('does not cut empty batches', () => {
    const out: ExportRequest[] = [];
    const b = createBatcher({ agentId: 'a', host, firstSeq: 1, maxRows: 3, flushIntervalMs: 60_000, deliver: (r) => out.push(r) });
    b.flush();
    expect(out).toHaveLength(0);
    expect(b.nextSeq).toBe(1);
  });

  it('starts above any previously used seq', () => {
    expect(nextSeqStart(1000, 5000)).toBe(5001);
    expect(nextSeqStart(9000, 5000)).toBe(9000);
  });
});

describe('backoffMs', () => {
  it('grows exponentially, is capped, jittered within [cap/2, cap], and honours the server hint', () => {
    expect(backoffMs(0, 100, 10_000, () => 0)).toBe(50);
    expect(backoffMs(0, 100, 10_000, () => 1)).toBe(100);
    expect(backoffMs(3, 100, 10_000, () => 1)).toBe(800);
    expect(backoffMs(20, 100, 10_000, () => 1)).toBe(10_000);
    expect(backoffMs(0, 100, 10_000, () => 0, 4000)).toBe(4000);
  });
});

describe('eventTime', () => {
  const now = Date.parse('2026-11-22T10:00:00Z');
  it('keeps a plausible log timestamp and replaces an implausible one with the observation time', async () => {
    const { eventTime } = await import('./to-wire.js');
    const ev = (ts?: string) => ({ ts_unix_ms: now, event: { kind: 'job_start' as const, runtime: 'comfyui', ...(ts === undefined ? {} : { ts }) } });
    expect(eventTime(ev('2026-11-22T09:59:58.500Z'))).toBe(now - 1500);
    expect(eventTime(ev('2023-10-01T12:00:00Z'))).toBe(now);
    expect(eventTime(ev('2026-11-22T11:00:00Z'))).toBe(now);
    expect(eventTime(ev('not a date'))).toBe(now);
    expect(eventTime(ev())).toBe(now);
  });
});

describe('eventToWire', () => {
  it('carries the agent-judged cold flag on runtime_start only', async () => {
    const { eventToWire } = await import('./to-wire.js');
    const start = eventToWire({ ts_unix_ms: 1_800_000_000_000, cold: true, event: { kind: 'runtime_start', runtime: 'comfyui', version: '0.3.56' } });
    expect(start.body).toEqual({ $case: 'runtimeStart', value: { version: '0.3.56', extensions: [], cold: true } });
    const warm = eventToWire({ ts_unix_ms: 1_800_000_000_000, event: { kind: 'runtime_start', runtime: 'forge' } });
    expect(warm.body?.$case === 'runtimeStart' && warm.body.value.cold).toBeUndefined();
  });
});
