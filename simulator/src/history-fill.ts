// Sends the demo history through the agent's own export path: per host a batcher (which works
// out each GPU sample's interval_ms and energy delta) feeding the memory store and retrying sender
// of an agent pipeline (createAgentPipeline, not started: no sampling) over gRPC Export, with past
// timestamps. Chunks go most recent first, so the last hours are on the
// pages within seconds while the older days still arrive.
import { createAgentPipeline, resolveAgentConfig } from '@renderwatch/agent';
import { createBatcher } from '@renderwatch/agent/harness';
import type { Logger } from 'pino';
import type { DemoHostSpec } from './demo-fleet.js';
import { generateChunk } from './history.js';

export interface HistoryFillOptions {
  specs: readonly DemoHostSpec[];
  /** host:port of the collector's gRPC endpoint. */
  address: string;
  token?: string;
  /** End of the history (its "now"). */
  endMs: number;
  days: number;
  /** One sample per GPU per this many ms over the newest day (default 60 s; each sample carries it as interval_ms). */
  sampleIntervalMs?: number;
  /** The same for the older days (default 300 s): fewer rows, the same GPU-hours and energy. */
  olderSampleIntervalMs?: number;
  /** Chunks queued and not yet acknowledged, at most (default 2). */
  ahead?: number;
  /** Called once when the newest `pauseAfterMs` of history is in, before the rest is sent (awaited). */
  pauseAfterMs?: number;
  onPause?: () => Promise<void>;
  /** Chunk length, ms (default 6 h). */
  chunkMs?: number;
  seed?: number;
  log: Logger;
  /** After each chunk: how much of the history is in, and rows sent so far. */
  onProgress?: (p: HistoryProgress) => void;
}

export interface HistoryProgress {
  chunksDone: number;
  chunks: number;
  /** Oldest time filled so far (the fill runs backwards from `endMs`). */
  filledFromMs: number;
  rows: number;
  failedBatches: number;
}

/** Fills [endMs − days, endMs) and resolves with the final progress; never throws for a refused batch (counted). */
export async function fillHistory(o: HistoryFillOptions): Promise<HistoryProgress> {
  const newest = o.sampleIntervalMs ?? 60_000;
  const older = o.olderSampleIntervalMs ?? 300_000;
  const ahead = Math.max(1, o.ahead ?? 2);
  const chunkMs = o.chunkMs ?? 6 * 3600_000;
  const startMs = o.endMs - o.days * 86400_000;
  const chunks = Math.ceil((o.endMs - startMs) / chunkMs);
  const progress: HistoryProgress = { chunksDone: 0, chunks, filledFromMs: o.endMs, rows: 0, failedBatches: 0 };
  const agents = o.specs.map((spec) => {
    const counts = { appended: 0, settled: 0 };
    const cfg = resolveAgentConfig({
      AGENT_ID: `sim-${spec.hostname}`,
      AGENT_HOSTNAME: spec.hostname,
      AGENT_COLLECTOR_ADDRESS: o.address,
      AGENT_TOKEN: o.token,
      AGENT_EXPORT_DEADLINE_MS: '30000',
      AGENT_EXPORT_MAX_INFLIGHT: '2',
    });
    if (!cfg.ok) throw new Error(cfg.issues.join('; '));
    const pipeline = createAgentPipeline(cfg.config, {
      log: o.log.child({ host: spec.hostname, module: 'history' }),
      gpuSampler: undefined,
      memoryQueue: 1_000_000,
      onOutcome: (outcome, _seq, result) => {
        if (outcome !== 'retry') counts.settled++;
        if ((outcome === 'ok' || outcome === 'duplicate') && result?.status === 'ok') progress.rows += result.response.acceptedRows;
        else if (outcome === 'refused' || outcome === 'invalid') progress.failedBatches++;
      },
    });
    return { spec, pipeline, counts };
  });
  /** Per chunk: how many batches each host had appended once the chunk was queued. */
  const marks: number[][] = [];
  const settled = async (c: number): Promise<void> => {
    const m = marks[c] ?? [];
    while (agents.some((a, i) => a.counts.settled < (m[i] ?? 0))) await new Promise((r) => setTimeout(r, 25));
  };
  const state = { done: 0 };
  let paused = o.onPause === undefined;
  const finish = async (c: number): Promise<void> => {
    await settled(c);
    state.done = c + 1;
    progress.chunksDone = state.done;
    progress.filledFromMs = Math.max(startMs, o.endMs - state.done * chunkMs);
    o.onProgress?.({ ...progress });
    if (!paused && o.endMs - progress.filledFromMs >= (o.pauseAfterMs ?? 0)) {
      paused = true;
      await o.onPause?.();
    }
  };
  try {
    for (let c = 0; c < chunks; c++) {
      const toMs = o.endMs - c * chunkMs;
      const fromMs = Math.max(startMs, toMs - chunkMs);
      const interval = o.endMs - toMs < 86400_000 ? newest : older;
      for (const a of agents) {
        // a host running campaigns keeps samples at most 2 min apart: the collector reads a longer gap
        // inside a campaign as the host going silent (an interruption), which it was not
        const hostInterval = a.spec.story.campaigns === undefined ? interval : Math.min(interval, 60_000);
        const chunk = generateChunk({ spec: a.spec, endMs: o.endMs, fromMs, toMs, sampleIntervalMs: hostInterval, seed: o.seed ?? 42 });
        const batcher = createBatcher({
          agentId: `sim-${a.spec.hostname}`,
          host: {
            hostname: a.spec.hostname,
            driverVersion: a.spec.driverVersion,
            cudaVersion: '12.8',
            agentVersion: '0.1.0-sim',
            labels: { group: a.spec.rack },
          },
          // batch_seq from the chunk's start: unique per chunk, below every live seq (which start at now)
          firstSeq: fromMs,
          maxRows: 2000,
          flushIntervalMs: 60_000,
          sampleIntervalMs: hostInterval,
          deliver: (req) => {
            a.counts.appended++;
            a.pipeline.enqueue(req);
          },
        });
        for (const s of chunk.samples) {
          batcher.addGpus(s.gpus);
          batcher.addHost(s.host);
        }
        for (const e of chunk.events) batcher.addEvent(e);
        batcher.stop();
      }
      marks[c] = agents.map((a) => a.counts.appended);
      // at most `ahead` chunks in flight: wait for the oldest before generating the next
      for (let w = state.done; c + 1 - w > ahead; w++) await finish(w);
    }
    for (let w = state.done; w < chunks; w++) await finish(w);
  } finally {
    for (const a of agents) a.pipeline.close();
  }
  return progress;
}
