// Issue 20 item 3: an unauthenticated client must not be able to stall the collector. Before the
// gate, grpc-js read, decompressed and decoded each message before the handler looked at the
// token (eight concurrent 15 MB junk messages held /healthz for 7.4 s). Now the token is checked
// from the metadata and a refused call's message is never read: the proof is structural — the
// collector's own /metrics count 0 decoded bytes for the whole flood — and every /healthz polled
// during the flood answers.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestCollector } from './test-collector.js';

const dir = mkdtempSync(join(tmpdir(), 'rw-preauth-'));
const TOKEN = 'rwa_token-of-the-preauth-test';
const sha = (t: string): string => execFileSync('sha256sum', { input: t }).toString().split(' ')[0] ?? '';
const JUNK_BYTES = 15 * 1024 * 1024;
const FLOOD = 8;

let collector: Awaited<ReturnType<typeof startTestCollector>>;

beforeAll(async () => {
  const tokens = join(dir, 'tokens.yaml');
  writeFileSync(tokens, `tokens:\n  - { name: a, tenant: studio-a, sha256: ${sha(TOKEN)} }\n`);
  collector = await startTestCollector(inject('clickhouseUrl'), { COLLECTOR_AGENT_TOKENS_FILE: tokens });
});

afterAll(async () => {
  await collector.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Sends raw bytes as an Export message; resolves with the gRPC status code. */
function sendRaw(client: Client, body: Buffer, md: Metadata): Promise<number> {
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      '/renderwatch.telemetry.v1.TelemetryService/Export',
      (b: Buffer) => b,
      (b: Buffer) => b,
      body,
      md,
      { deadline: Date.now() + 60_000 },
      (err: ServiceError | null) => resolve(err === null ? status.OK : err.code),
    );
  });
}

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${collector.httpPort}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line === undefined ? Number.NaN : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('unauthenticated flood', () => {
  it('refuses eight concurrent 15 MB junk messages (plain and gzip) before reading them; /healthz answers throughout', async () => {
    const target = `127.0.0.1:${collector.grpcPort}`;
    const plain = new Client(target, credentials.createInsecure(), { 'grpc.max_send_message_length': -1 });
    const gzip = new Client(target, credentials.createInsecure(), { 'grpc.max_send_message_length': -1, 'grpc.default_compression_algorithm': 2 });
    // 0x0a + a huge length: junk that still looks like the start of a protobuf field.
    const junk = Buffer.alloc(JUNK_BYTES, 0x0a);
    const wrongToken = new Metadata();
    wrongToken.set('authorization', 'Bearer rwa_not-a-token');
    const before = await metric('renderwatch_collector_grpc_decoded_bytes_total');

    const flood = { on: true };
    const health: number[] = [];
    const poll = (async () => {
      while (flood.on) {
        const r = await fetch(`http://127.0.0.1:${collector.httpPort}/healthz`);
        health.push(r.status);
      }
    })();
    const codes = await Promise.all(
      Array.from({ length: FLOOD }, (_, i) => sendRaw(i % 2 === 0 ? plain : gzip, junk, i % 4 < 2 ? new Metadata() : wrongToken)),
    );
    flood.on = false;
    await poll;
    plain.close();
    gzip.close();

    expect(codes).toEqual(Array.from({ length: FLOOD }, () => status.UNAUTHENTICATED));
    expect(await metric('renderwatch_collector_grpc_refused_before_read_total')).toBe(FLOOD);
    // Not one byte of the 120 MB was decoded (the counter is created at start, so this is 0, not NaN).
    expect(before).toBe(0);
    expect(await metric('renderwatch_collector_grpc_decoded_bytes_total')).toBe(0);
    expect(health.length).toBeGreaterThan(0);
    expect(health.every((s) => s === 200)).toBe(true);
  });

  it('still reads a call with the right token (the gate lets it through to the handler)', async () => {
    const client = new Client(`127.0.0.1:${collector.grpcPort}`, credentials.createInsecure());
    const md = new Metadata();
    md.set('authorization', `Bearer ${TOKEN}`);
    // Not a protobuf: the handler, not the gate, answers INVALID_ARGUMENT, so the bytes were decoded.
    const code = await sendRaw(client, Buffer.from([0xff, 0xff, 0xff]), md);
    client.close();
    expect(code).toBe(status.INVALID_ARGUMENT);
    expect(await metric('renderwatch_collector_grpc_decoded_bytes_total')).toBe(3);
  });
});
