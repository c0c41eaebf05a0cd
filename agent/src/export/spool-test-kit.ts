// What the spool's tests (spool*.test.ts) share: temporary spool directories removed after each test,
// a spool opened with the tests' defaults, and the requests and encoded rows they append. Test
// support only: not a test file (vitest runs *.test.ts), imported by nothing the agent ships (the
// bundle starts from the agent's entry point), type-checked with the rest of agent/src.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExportRequest } from '@renderwatch/proto';
import pino, { type Logger } from 'pino';
import { afterEach } from 'vitest';
import { openSpool, type Spool, type SpoolOptions } from './spool.js';
import { spoolFileName } from './spool-legacy.js';

type GpuSample = ExportRequest['gpuSamples'][number];
type RuntimeEvent = ExportRequest['events'][number];

/** The tests' clock: every spool opened here reads it, every row is stamped from it. */
export const T = 1_700_000_000_000;
export const silentLog: Logger = pino({ level: 'silent' });

/** A factory of fresh directories named `prefix…`; each is removed after the test that made it. */
export function tempDirs(prefix: string): () => string {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  return () => {
    const d = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(d);
    return d;
  };
}

/** `open(dir, over)`: a spool on `dir` with 1 MiB, one hour, the clock at T and `log`, then `over`. */
export function opener(log: Logger = silentLog): (dir: string, over?: Partial<SpoolOptions>) => Spool {
  return (dir, over = {}) => openSpool({ dir, maxBytes: 1024 * 1024, maxAgeMs: 3600_000, log, now: () => T, ...over });
}
export const open = opener();

export const host = { hostname: 'h1', driverVersion: '570', cudaVersion: '12.8', agentVersion: 't', labels: {} };
export const empty = (): ExportRequest => ({ agentId: '', batchSeq: 0, host: undefined, gpuSamples: [], hostSamples: [], events: [], gpuStatus: [] });
/** What a cut takes: agent a1, batch `seq`, host h1, no rows. */
export const header = (seq: number): ExportRequest => ({ ...empty(), agentId: 'a1', batchSeq: seq, host });

/** GPU `i` (an L40S, GPU-i) at T+i, then `over`. */
export const gpu = (i: number, over: Partial<GpuSample> = {}): GpuSample => ({
  tsUnixMs: T + i,
  index: i,
  uuid: `GPU-${i}`,
  name: 'L40S',
  pciBusId: '',
  migEnabled: false,
  processes: [],
  ...over,
});
/** ComfyUI progress step `i` of 20 at T+i, then `over`. */
export const event = (i: number, over: Partial<RuntimeEvent> = {}): RuntimeEvent => ({
  tsUnixMs: T + i,
  kind: 'progress',
  runtime: 'comfyui',
  body: { $case: 'progress', value: { step: i, totalSteps: 20 } },
  ...over,
});
/** A ComfyUI event of `kind` carrying the job start of `jobId`. */
export const jobEvent = (tsUnixMs: number, jobId: string, kind = 'job_start'): RuntimeEvent => ({
  tsUnixMs,
  kind,
  runtime: 'comfyui',
  body: { $case: 'jobStart', value: { jobId } },
});
export const gpus = (n: number, over: Partial<GpuSample> = {}): GpuSample[] => Array.from({ length: n }, (_, i) => gpu(i, over));
export const events = (n: number, over: Partial<RuntimeEvent> = {}): RuntimeEvent[] => Array.from({ length: n }, (_, i) => event(i, over));

/** The encoded ExportRequest that holds only `part`: what appendRows takes. */
export const encodeRows = (part: Partial<ExportRequest>): Uint8Array => ExportRequest.encode({ ...empty(), ...part }).finish();
/** `samples` GPU samples and `evs` events (gpus, events) in one encoded request. */
export const rows = (samples: number, evs = 0, over: { tsUnixMs?: number } = {}): Uint8Array =>
  encodeRows({ gpuSamples: gpus(samples, over), events: events(evs, over) });
export const size = (r: ExportRequest): number => ExportRequest.encode(r).finish().length;
export const headerBytes = (seq: number): number => size(header(seq));
export const seqs = (s: Spool): number[] => s.head(100).map((b) => b.seq);
/** The segment files, in name (= id) order. */
export const segFiles = (dir: string): string[] =>
  readdirSync(dir)
    .filter((f) => f.startsWith('seg-'))
    .sort();
/** Writes `req` as the old file-per-batch spool did, created at T. */
export function writeLegacy(dir: string, req: ExportRequest): void {
  const name = spoolFileName({ seq: req.batchSeq, createdMs: T, samples: req.gpuSamples.length, events: req.events.length });
  writeFileSync(join(dir, name), ExportRequest.encode(req).finish());
}
