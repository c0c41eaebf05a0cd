import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExportRequest } from '@renderwatch/proto';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { ExportClient } from './export/export-client.js';
import type { SendResult } from './export/send-result.js';
import { createAgentPipeline, tlsWanted, type PipelineConfig } from './pipeline.js';
import type { GpuSampler } from './sampling/sampler.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function cfg(over: Partial<PipelineConfig> = {}): PipelineConfig {
  const dir = mkdtempSync(join(tmpdir(), 'rw-pipeline-'));
  dirs.push(dir);
  return {
    agentId: 'agent-p',
    hostname: 'p-host',
    AGENT_COLLECTOR_ADDRESS: '127.0.0.1:1',
    AGENT_TOKEN: '',
    AGENT_STATE_DIR: dir,
    AGENT_SAMPLE_INTERVAL_MS: 1000,
    AGENT_FLUSH_INTERVAL_MS: 3_600_000,
    AGENT_MAX_BATCH_ROWS: 2000,
    AGENT_EXPORT_DEADLINE_MS: 1000,
    AGENT_EXPORT_MAX_INFLIGHT: 1,
    AGENT_SPOOL_MAX_BYTES: 1024 * 1024,
    AGENT_SPOOL_MAX_AGE_S: 3600,
    AGENT_TLS: 'off',
    AGENT_TLS_CA_FILE: '',
    AGENT_TLS_CERT_FILE: '',
    AGENT_TLS_KEY_FILE: '',
    ...over,
  };
}

/** A collector that is down until `up` is set; records what arrived (decoded from the bytes sent). */
function flakyClient(): ExportClient & { up: boolean; got: ExportRequest[] } {
  const answer = (): SendResult =>
    c.up ? { status: 'ok', response: { acceptedRows: 0, duplicate: false } } : { status: 'retryable', retryInMs: 10, error: new Error('down') };
  const c = {
    up: false,
    got: [] as ExportRequest[],
    send(r: ExportRequest): Promise<SendResult> {
      if (c.up) c.got.push(r);
      return Promise.resolve(answer());
    },
    close() {},
  };
  return c;
}

const gpus: GpuSampler = {
  source: 'simulated',
  sample: () =>
    Promise.resolve({
      gpus: [0, 1].map((i) => ({ ts_unix_ms: 1_700_000_000_000, index: i, uuid: `GPU-${i}`, name: 'L40S', memory_used_bytes: 1, memory_total_bytes: 2 })),
      status: [],
    }),
  close: () => Promise.resolve(),
};

/** An empty batch with this batch_seq. */
const emptyBatch = (seq: number): ExportRequest => ({
  agentId: 'agent-p',
  batchSeq: seq,
  host: undefined,
  gpuSamples: [],
  hostSamples: [],
  events: [],
  gpuStatus: [],
});

describe('createAgentPipeline', () => {
  it('spools under AGENT_STATE_DIR/spool, keeps cut batches until acked, continues batch_seq after a restart, and counts acked rows', async () => {
    const c = cfg();
    const client = flakyClient();
    const log = pino({ level: 'silent' });
    const p1 = createAgentPipeline(c, { log, client, gpuSampler: gpus });
    await p1.agent.tick();
    p1.agent.batcher.flush();
    await p1.agent.tick(); // taken, not cut: on disk only
    const first = p1.spool?.head(5)[0]?.seq ?? 0;
    expect(readdirSync(join(c.AGENT_STATE_DIR, 'spool')).filter((f) => f.endsWith('.log'))).toHaveLength(1);
    p1.close(); // a crash: nothing cut, drained or acked
    const acked: number[] = [];
    const p2 = createAgentPipeline(c, { log, client, gpuSampler: gpus, onOutcome: (o, _s, _r, rows) => (o === 'ok' ? acked.push(rows) : undefined) });
    expect(p2.spool?.openRows).toBe(2);
    p2.agent.batcher.flush();
    expect(p2.spool?.head(5).map((b) => b.seq)).toEqual([first, first + 1]);
    client.up = true;
    expect(await p2.stop(2000)).toBe(true);
    expect(client.got.map((r) => [r.batchSeq, r.agentId, r.host?.hostname, r.gpuSamples.length])).toEqual([
      [first, 'agent-p', 'p-host', 2],
      [first + 1, 'agent-p', 'p-host', 2],
    ]);
    expect(acked).toEqual([2, 2]);
  });

  it('sends batches enqueued on a memory-queue pipeline in order, and refuses enqueue on a disk-spooled one', async () => {
    const client = flakyClient();
    client.up = true;
    const log = pino({ level: 'silent' });
    const p = createAgentPipeline(cfg(), { log, client, gpuSampler: undefined, memoryQueue: 10 });
    p.enqueue(emptyBatch(7));
    p.enqueue(emptyBatch(8));
    expect(await p.stop(2000)).toBe(true);
    expect(client.got.map((r) => r.batchSeq)).toEqual([7, 8]);
    const disk = createAgentPipeline(cfg(), { log, client, gpuSampler: undefined });
    expect(() => disk.enqueue(emptyBatch(9))).toThrow('enqueue needs a pipeline built with memoryQueue');
    disk.close();
  });

  it.each([
    [{}, false],
    [{ AGENT_TLS: 'on' as const }, true],
    [{ AGENT_TLS_CA_FILE: '/etc/ca.pem' }, true],
  ])('uses TLS for %j: %s', (over, want) => {
    expect(tlsWanted(cfg(over))).toBe(want);
  });
});
