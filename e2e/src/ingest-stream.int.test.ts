// ExportStream (issue 17): the same batches on one long-lived stream per agent, one ack per batch
// in order, the same dedup as Export, the first refused batch ends the stream with its status; the
// unary Export keeps working beside it (agents that only speak unary).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { raw, sql } from '@renderwatch/collector';
import { ExportRequest, TelemetryServiceClient, type ExportResponse } from '@renderwatch/proto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestCollector } from './test-collector.js';

const dir = mkdtempSync(join(tmpdir(), 'rw-stream-'));
const TOKEN = 'rwa_stream-test-token';
const sha = (t: string): string => execFileSync('sha256sum', { input: t }).toString().split(' ')[0] ?? '';
let c: Awaited<ReturnType<typeof startTestCollector>>;
let client: TelemetryServiceClient;
const NOW = Date.now() - 5000;

beforeAll(async () => {
  writeFileSync(join(dir, 'tokens.yaml'), `tokens:\n  - { name: a, tenant: studio-s, sha256: ${sha(TOKEN)} }\n`);
  c = await startTestCollector(inject('clickhouseUrl'), { COLLECTOR_AGENT_TOKENS_FILE: join(dir, 'tokens.yaml') });
  client = new TelemetryServiceClient(`127.0.0.1:${c.grpcPort}`, credentials.createInsecure());
});
afterAll(async () => {
  client.close();
  await c.storage.command(raw(`DROP DATABASE IF EXISTS ${c.config.COLLECTOR_CLICKHOUSE_DATABASE}`));
  await c.stop();
  rmSync(dir, { recursive: true, force: true });
});

function md(token = TOKEN): Metadata {
  const m = new Metadata();
  m.set('authorization', `Bearer ${token}`);
  return m;
}

/** 2 GPU rows + 1 host row; `agentId: ''` makes it invalid. */
function batch(agentId: string, seq: number): ExportRequest {
  return ExportRequest.fromPartial({
    agentId,
    batchSeq: seq,
    host: { hostname: `${agentId || 'none'}-host`, labels: {} },
    gpuSamples: [0, 1].map((i) => ({ tsUnixMs: NOW + seq, index: i, uuid: `GPU-${agentId}-${i}`, name: 'L4', powerDrawWatts: 70 })),
    hostSamples: [{ tsUnixMs: NOW + seq, cpuRatio: 0.5 }],
  });
}

/** Writes the batches on one stream, half-closes, and collects the acks and the final status. */
function stream(batches: ExportRequest[], meta = md()): Promise<{ acks: ExportResponse[]; code: number; details: string }> {
  return new Promise((resolve) => {
    const call = client.exportStream(meta);
    const acks: ExportResponse[] = [];
    call.on('data', (r: ExportResponse) => acks.push(r));
    call.on('error', (err: ServiceError) => resolve({ acks, code: err.code, details: err.details }));
    call.on('status', (s: { code: number; details: string }) => {
      if (s.code === status.OK) resolve({ acks, code: s.code, details: s.details });
    });
    for (const b of batches) call.write(b);
    call.end();
  });
}

const stored = async (agent: string): Promise<number> =>
  Number((await c.storage.query<{ n: string }>(sql`SELECT count() AS n FROM gpu_samples FINAL WHERE agent_id = ${agent}`))[0]?.n);

describe('ExportStream', () => {
  it('acks every batch in order, answers a re-sent batch as a duplicate and stores each once', async () => {
    const batches = [1, 2, 3, 4, 5].map((s) => batch('stream-a', s));
    const r = await stream([...batches, batch('stream-a', 3)]);
    expect(r.code).toBe(status.OK);
    expect(r.acks).toEqual([
      { acceptedRows: 3, duplicate: false },
      { acceptedRows: 3, duplicate: false },
      { acceptedRows: 3, duplicate: false },
      { acceptedRows: 3, duplicate: false },
      { acceptedRows: 3, duplicate: false },
      { acceptedRows: 0, duplicate: true },
    ]);
    expect(await stored('stream-a')).toBe(10);
    // the same batches again, now over unary Export: duplicates (one dedup for both paths)
    const unary = await new Promise<ExportResponse>((resolve, reject) =>
      client.export(batch('stream-a', 2), md(), (err: ServiceError | null, res?: ExportResponse) => (err ? reject(err) : resolve(res!))),
    );
    expect(unary).toEqual({ acceptedRows: 0, duplicate: true });
  });

  it('ends the stream with the first refused batch: acks before it, its status, nothing after', async () => {
    const r = await stream([batch('stream-b', 1), batch('', 2), batch('stream-b', 3)]);
    expect(r.acks).toEqual([{ acceptedRows: 3, duplicate: false }]);
    expect(r.code).toBe(status.INVALID_ARGUMENT);
    expect(r.details).toMatch(/agent_id is missing/);
    // batch 3 was neither acknowledged nor, as the stream had ended, relied on: the agent resends it
    await new Promise((res) => setTimeout(res, 300));
    const n = await stored('stream-b');
    expect(n === 2 || n === 4).toBe(true);
    const again = await stream([batch('stream-b', 3)]);
    expect(again.acks.length).toBe(1);
    expect(await stored('stream-b')).toBe(4);
  });

  it('refuses a stream with a wrong token before reading it', async () => {
    const r = await stream([batch('stream-c', 1)], md('rwa_wrong'));
    expect(r).toEqual({ acks: [], code: status.UNAUTHENTICATED, details: expect.stringMatching(/not valid|token/) as unknown as string });
    expect(await stored('stream-c')).toBe(0);
  });
});
