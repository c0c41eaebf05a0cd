// A crash right after a log poll, modelled exactly: the state directory is copied at that instant
// (what a SIGKILL leaves on disk; no microtask, timer or close runs), and a second agent recovers
// from the copy. Events and the log offset that produced them reach the spool in one write, so
// every job of the log is stored exactly once across the crash.
import { appendFileSync, cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createRuntimeLogSource } from '../runtime-logs/runtime-log-source.js';
import { createBatcher } from './batcher.js';
import { openSpool } from './spool.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const log = pino({ level: 'silent' });
const host = { hostname: 'h', driverVersion: '', cudaVersion: '', agentVersion: 't', labels: {} };
const job = (i: number): string => `2026-12-07T10:00:0${i}.000000 - got prompt\n2026-12-07T10:00:0${i}.500000 - Prompt executed in ${i}.25 seconds\n`;

function agentOn(state: string, logPath: string) {
  const spool = openSpool({ dir: join(state, 'spool'), maxBytes: 1 << 20, maxAgeMs: 3600_000, log });
  const batcher = createBatcher({ agentId: 'a', host, maxRows: 10_000, flushIntervalMs: 3_600_000, journal: spool });
  const source = createRuntimeLogSource({
    runtime: 'comfyui',
    path: logPath,
    stateDir: join(state, 'logs'),
    log,
    onEvent: (e) => batcher.addEvent({ event: e, ts_unix_ms: 1 }),
    offsets: { get: (k) => spool.checkpoint(k), commit: (k, at) => batcher.checkpoint(k, at) },
  });
  return { spool, batcher, source };
}

describe('crash right after a log poll', () => {
  it.each([1, 2, 3])('stores every job once when the agent dies after poll %i', (polls) => {
    const dir = mkdtempSync(join(tmpdir(), 'rw-crash-offsets-'));
    dirs.push(dir);
    const logPath = join(dir, 'comfyui.log');
    writeFileSync(logPath, job(1) + job(2));
    const a = agentOn(join(dir, 'a'), logPath);
    for (let p = 1; p <= polls; p++) {
      a.source.pollOnce();
      if (p === 1) appendFileSync(logPath, job(3));
    }
    cpSync(join(dir, 'a'), join(dir, 'b'), { recursive: true }); // SIGKILL now
    appendFileSync(logPath, job(4) + job(5));
    const b = agentOn(join(dir, 'b'), logPath);
    b.source.pollOnce();
    b.source.stop();
    b.batcher.flush();
    const ends = b.spool
      .head(100)
      .flatMap((x) => x.load()?.events ?? [])
      .flatMap((e) => (e.body?.$case === 'jobEnd' ? [e.body.value.durationS] : []));
    expect(ends).toEqual([1.25, 2.25, 3.25, 4.25, 5.25]);
  });
});
