// Black-box probe of the collector's gRPC ingest, as an attacker and as a buggy agent would use it
// (issue 20): a real collector process with two tenants, calls written byte by byte
// (probe-grpc-harness.ts). For every attack: the answer is the documented status with a message that
// says what to do and leaks nothing, good batches interleaved with bad ones are stored exactly once,
// nothing of a refused call is stored, every refusal is counted on /metrics and logged once per kind,
// and /healthz answers throughout (its worst latency is printed, not asserted: speed is bench/'s).
// docs/delivery.md "Limits and bad input" is the table this checks.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http2 from 'node:http2';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { raw, sql, type Storage } from '@renderwatch/collector';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { spawnCollector, testStorage, type CollectorProcess } from './delivery-harness.js';
import {
  batch,
  frame,
  PING,
  rawCall,
  rawFlood,
  RESET_PAIR,
  SETTINGS,
  startHealthPoller,
  STREAM,
  type HealthPoller,
  type RawAnswer,
} from './probe-grpc-harness.js';
import { badCases, junk, LEAK, MAX } from './probe-grpc-cases.js';
import { probeValues } from './probe-grpc-values.js';

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');
const TOKEN_A = 'rwa_probe_grpc_a_0123456789';
const TOKEN_B = 'rwa_probe_grpc_b_9876543210';
const A = { authorization: `Bearer ${TOKEN_A}` };

const dir = mkdtempSync(join(tmpdir(), 'rw-probe-grpc-'));
const database = `rw_probe_grpc_${Date.now().toString(36)}`;
let c: CollectorProcess;
let storage: Storage;
let health: HealthPoller;
const worst: Record<string, number> = {};
let healthAnswers = 0;
let healthBad = 0;
/** Opened at start, checked at the end: clients that never send an HTTP/2 preface (slowloris). */
const silent: net.Socket[] = [];
let silentOpenedAt = 0;
/** A client that did start, opened beside them: it must outlive the preface timeout. */
let started: http2.ClientHttp2Session;

/** Good batches of one agent, sent between the bad ones: every one must be stored once. */
let goodSeq = 0;
const T0 = Date.now() - 60_000;
async function good(): Promise<void> {
  goodSeq++;
  const a = await rawCall(c.grpcPort, { chunks: [frame(batch('probe-good', goodSeq, T0 + goodSeq))], headers: A });
  expect([a.grpcStatus, a.acks[0]?.acceptedRows]).toEqual([0, 1]);
}

async function stored(agentId: string): Promise<number> {
  const [r] = await storage.query<{ n: string }>(sql`SELECT count() AS n FROM gpu_samples FINAL WHERE agent_id = ${agentId}`);
  return Number(r?.n);
}

async function metrics(): Promise<string> {
  return (await fetch(`http://127.0.0.1:${c.httpPort}/metrics`)).text();
}
function metric(text: string, name: string, label = ''): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${label} `));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

async function phase(name: string): Promise<void> {
  const h = await health.take();
  worst[name] = h.worstMs;
  healthAnswers += h.n;
  healthBad += h.bad;
}

beforeAll(async () => {
  const tokens = join(dir, 'tokens.json');
  writeFileSync(
    tokens,
    JSON.stringify({
      tokens: [
        { name: 'a', tenant: 'tenant-a', sha256: sha(TOKEN_A) },
        { name: 'b', tenant: 'tenant-b', sha256: sha(TOKEN_B) },
      ],
    }),
  );
  const url = inject('clickhouseUrl');
  c = await spawnCollector({
    COLLECTOR_CLICKHOUSE_URL: url,
    COLLECTOR_CLICKHOUSE_DATABASE: database,
    COLLECTOR_HTTP_PORT: '0',
    COLLECTOR_GRPC_PORT: '0',
    COLLECTOR_AGENT_TOKENS_FILE: tokens,
    COLLECTOR_MAX_MESSAGE_BYTES: String(MAX),
  });
  storage = testStorage(url, database);
  health = startHealthPoller(c.httpPort);
  silentOpenedAt = Date.now();
  for (let i = 0; i < 40; i++) silent.push(net.connect(c.grpcPort, '127.0.0.1'));
  for (let i = 0; i < 10; i++) {
    const s = net.connect(c.grpcPort, '127.0.0.1', () => s.write('PRI * HTTP/2.0\r\n')); // half a preface
    silent.push(s);
  }
  for (const s of silent) s.on('error', () => {});
  started = http2.connect(`http://127.0.0.1:${c.grpcPort}`);
  started.on('error', () => {});
});

afterAll(async () => {
  for (const s of silent) s.destroy();
  started?.destroy();
  await health?.stop();
  await storage?.command(raw(`DROP DATABASE IF EXISTS ${database}`));
  await storage?.close();
  await c?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const BAD = badCases(A, T0);

/** One batch of agent probe-auth with these headers. */
function call(headers: Record<string, string>, path?: string): Promise<RawAnswer> {
  return rawCall(c.grpcPort, { chunks: [frame(batch('probe-auth', 1, T0))], headers, ...(path === undefined ? {} : { path }) });
}

describe('gRPC ingest probe', () => {
  it('answers every malformed message with its documented status and a message that says what to do; the good batches between them are all stored', async () => {
    const answers: { name: string; a: RawAnswer }[] = [];
    for (const b of BAD) {
      answers.push({ name: b.name, a: await rawCall(c.grpcPort, { chunks: b.chunks, headers: b.headers ?? A }) });
      await good();
    }
    await phase('malformed');
    const got = answers.map(({ name, a }) => [name, a.grpcStatus, a.grpcMessage]);
    expect(got.map(([n, code]) => [n, code])).toEqual(BAD.map((b) => [b.name, b.code]));
    for (const [i, b] of BAD.entries()) {
      const msg = String(got[i]?.[2]);
      expect(msg, b.name).toMatch(b.says);
      expect(msg, b.name).not.toMatch(LEAK);
    }
    // An unknown field is skipped (forward compatibility): stored, not refused.
    const unknown = Buffer.concat([batch('probe-good', ++goodSeq, T0 + goodSeq), Buffer.from([0x98, 0x06, 0x01])]);
    expect((await rawCall(c.grpcPort, { chunks: [frame(unknown)], headers: A })).acks).toEqual([{ acceptedRows: 1, duplicate: false }]);
    expect(await stored('probe-good')).toBe(goodSeq);
    expect(await stored('probe-bad')).toBe(0);
  });

  it('checks the token before anything else, from "authorization: Bearer", on Export and ExportStream', async () => {
    const refused = [
      await call({}),
      await call({}, STREAM),
      await call({ authorization: 'Bearer rwa_not-a-token' }),
      await call({ authorization: 'Bearer rwa_not-a-token' }, STREAM),
      await call({ 'x-token': TOKEN_A }),
      await call({ authorization: TOKEN_A }),
      await call({ authorization: `Token ${TOKEN_A}` }),
      await call({ authorization: `Bearer ${sha(TOKEN_A)}` }),
    ];
    expect(refused.map((a) => a.grpcStatus)).toEqual(Array.from({ length: 8 }, () => 16));
    expect(refused.every((a) => /authorization: Bearer|unknown agent token/.test(a.grpcMessage) && !LEAK.test(a.grpcMessage))).toBe(true);
    // HTTP/2 header names are lower case on the wire; the scheme is case-insensitive (RFC 7235).
    expect((await call({ Authorization: `bearer ${TOKEN_A}` })).acks).toEqual([{ acceptedRows: 1, duplicate: false }]);
    // Headers over nghttp2's limits end the stream before grpc-js sees the call (no gRPC status).
    const hugeAuth = await call({ authorization: `Bearer ${'x'.repeat(100_000)}` });
    const many = await call(
      Object.fromEntries([...Array.from({ length: 600 }, (_, i) => [`x-h${i}`, 'v'.repeat(60)]), ['authorization', `Bearer ${TOKEN_A}`]]),
    );
    expect([hugeAuth.grpcStatus, hugeAuth.error]).toEqual([undefined, expect.stringMatching(/REFUSED_STREAM|ENHANCE_YOUR_CALM|closed/)]);
    expect([many.grpcStatus, many.error]).toEqual([undefined, expect.stringMatching(/REFUSED_STREAM|ENHANCE_YOUR_CALM|closed/)]);
    await good();
    await phase('auth');
    expect(await stored('probe-auth')).toBe(1);
    const m = await metrics();
    expect(metric(m, 'renderwatch_collector_grpc_refused_before_read_total', '{reason="unauthenticated"}')).toBe(8);
  });

  it('keeps values, identities and duplicates exact (probe-grpc-values.ts)', async () => {
    await probeValues({ port: c.grpcPort, storage, tokenA: TOKEN_A, tokenB: TOKEN_B, t0: T0 });
    await good();
    await phase('values');
  });

  it('survives streams never written, half-closed, cancelled mid-message, 300 streams on a connection, 40 connections and 1 ms deadlines', async () => {
    const port = c.grpcPort;
    const idle = await rawCall(port, { path: STREAM, chunks: [], end: false, headers: A, timeoutMs: 1000 });
    expect(idle.error).toBe('TIMEOUT');
    const three = await rawCall(port, { path: STREAM, chunks: [1, 2, 3].map((s) => frame(batch('probe-stream', s, T0 + s))), headers: A });
    expect([three.grpcStatus, three.acks.length]).toEqual([0, 3]);
    // A refused message ends the stream with its status, after the acks of the ones before it.
    const badMiddle = await rawCall(port, { path: STREAM, chunks: [frame(batch('probe-stream', 4, T0 + 4)), frame(junk(40))], headers: A });
    expect([badMiddle.grpcStatus, badMiddle.acks.length]).toEqual([3, 1]);
    // Half-closed after a whole batch and half of the next: the first acked, then INTERNAL (not OK).
    const cut = await rawCall(port, {
      path: STREAM,
      chunks: [frame(batch('probe-stream', 7, T0 + 7)), frame(batch('probe-stream', 8, T0 + 8)).subarray(0, 30)],
      headers: A,
    });
    expect([cut.grpcStatus, cut.acks.length, cut.grpcMessage]).toEqual([13, 1, expect.stringMatching(/without a whole ExportRequest/)]);
    // Cancelled after 20 bytes of a message: nothing of it is stored.
    const s = http2.connect(`http://127.0.0.1:${port}`);
    s.on('error', () => {});
    const half = s.request({ ':method': 'POST', ':path': STREAM, 'content-type': 'application/grpc', te: 'trailers', ...A });
    half.on('error', () => {});
    half.write(frame(batch('probe-cancel', 1, T0)).subarray(0, 20));
    await new Promise((r) => setTimeout(r, 300));
    half.close(http2.constants.NGHTTP2_CANCEL);
    // 300 concurrent streams on that one connection, one batch each.
    const streams = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        rawCall(port, { session: s, path: STREAM, chunks: [frame(batch('probe-many-streams', i + 1, T0 + i))], headers: A, timeoutMs: 30_000 }),
      ),
    );
    s.close();
    expect(streams.filter((a) => a.grpcStatus === 0 && a.acks.length === 1).length).toBe(300);
    // 40 connections × 5 Export calls.
    const conns = Array.from({ length: 40 }, () => http2.connect(`http://127.0.0.1:${port}`));
    for (const x of conns) x.on('error', () => {});
    const unary = await Promise.all(
      conns.flatMap((x, i) =>
        Array.from({ length: 5 }, (_, j) =>
          rawCall(port, { session: x, chunks: [frame(batch('probe-many-conns', i * 5 + j + 1, T0 + i * 5 + j))], headers: A, timeoutMs: 30_000 }),
        ),
      ),
    );
    for (const x of conns) x.close();
    expect(unary.filter((a) => a.grpcStatus === 0).length).toBe(200);
    // A 1 ms deadline: DEADLINE_EXCEEDED, counted as such (not ok); sent again, each is stored once.
    const before = await metrics();
    const late = await Promise.all(
      Array.from({ length: 30 }, (_, i) => rawCall(port, { chunks: [frame(batch('probe-deadline', i + 1, T0 + i))], headers: { ...A, 'grpc-timeout': '1m' } })),
    );
    expect(late.map((a) => a.grpcStatus)).toEqual(Array.from({ length: 30 }, () => 4));
    expect(late[0]?.grpcMessage).toMatch(/may have been stored: send it again/);
    // The collector wrote them after answering: their rows are counted, the calls are not counted ok.
    const rowsBefore = metric(before, 'renderwatch_collector_rows_ingested_total');
    for (let i = 0; i < 100 && metric(await metrics(), 'renderwatch_collector_rows_ingested_total') < rowsBefore + 30; i++)
      await new Promise((r) => setTimeout(r, 100));
    const after = await metrics();
    expect(metric(after, 'renderwatch_collector_rows_ingested_total') - rowsBefore).toBe(30);
    expect(metric(after, 'renderwatch_collector_exports_total', '{outcome="ok"}')).toBe(
      metric(before, 'renderwatch_collector_exports_total', '{outcome="ok"}'),
    );
    const again = await Promise.all(
      Array.from({ length: 30 }, (_, i) => rawCall(port, { chunks: [frame(batch('probe-deadline', i + 1, T0 + i))], headers: A })),
    );
    expect(again.every((a) => a.grpcStatus === 0 && a.acks.length === 1)).toBe(true);
    await good();
    await phase('flow');
    expect([
      await stored('probe-stream'),
      await stored('probe-cancel'),
      await stored('probe-many-streams'),
      await stored('probe-many-conns'),
      await stored('probe-deadline'),
    ]).toEqual([5, 0, 300, 200, 30]);
  });

  it('survives PING and SETTINGS floods, rapid reset with and without a token, and closes connections that never start', async () => {
    const port = c.grpcPort;
    const pings = await rawFlood(port, Buffer.concat(Array.from({ length: 200_000 }, PING)), 3000);
    await phase('PING flood');
    const settings = await rawFlood(port, Buffer.concat(Array.from({ length: 200_000 }, SETTINGS)), 3000);
    await phase('SETTINGS flood');
    const resets = await rawFlood(port, Buffer.concat(Array.from({ length: 50_000 }, (_, i) => RESET_PAIR(1 + 2 * i))), 5000);
    await phase('rapid reset, raw');
    // nghttp2's flood limits (or ours, below) end each of these connections (the flooder reads what it is sent).
    expect([pings.closedByCollector, settings.closedByCollector, resets.closedByCollector]).toEqual([true, true, true]);
    // Rapid reset of authenticated ExportStream calls through node's client: the collector closes the
    // connection after MAX_RESETS_PER_WINDOW (100) reset streams (nghttp2 alone: after ~6,000-8,000).
    const resetsBefore = metric(await metrics(), 'renderwatch_collector_grpc_transport_refused_total', '{reason="rapid_reset"}');
    const s = http2.connect(`http://127.0.0.1:${port}`);
    s.on('error', () => {});
    const seen = { goaway: false }; // set by the event, between the loop's awaits
    s.on('goaway', () => (seen.goaway = true));
    let opened = 0;
    for (; opened < 20_000 && !s.closed && !s.destroyed && !seen.goaway; opened++) {
      try {
        const r = s.request({ ':method': 'POST', ':path': STREAM, 'content-type': 'application/grpc', te: 'trailers', ...A });
        r.on('error', () => {});
        r.close(http2.constants.NGHTTP2_CANCEL);
      } catch {
        break;
      }
      if (opened % 50 === 0) await new Promise((r) => setImmediate(r));
    }
    await new Promise((r) => setTimeout(r, 500));
    s.destroy();
    await phase('rapid reset, authenticated');
    console.log(
      `probe-grpc: closed by the collector: PING flood ${pings.closedByCollector}, SETTINGS flood ${settings.closedByCollector}, rapid reset ${resets.closedByCollector}; authenticated rapid reset: ${opened} streams opened before GOAWAY`,
    );
    expect(seen.goaway).toBe(true);
    expect(metric(await metrics(), 'renderwatch_collector_grpc_transport_refused_total', '{reason="rapid_reset"}') - resetsBefore).toBe(1);
    expect(opened).toBeLessThan(2000);
    await good();
    // The silent clients of beforeAll: each closed by the collector (PREFACE_TIMEOUT_MS, 10 s) and counted.
    await new Promise((r) => setTimeout(r, Math.max(0, silentOpenedAt + 12_000 - Date.now())));
    expect(silent.filter((x) => !x.destroyed).length).toBe(0);
    goodSeq++;
    const late = await rawCall(port, { session: started, chunks: [frame(batch('probe-good', goodSeq, T0 + goodSeq))], headers: A });
    expect([started.closed, late.acks]).toEqual([false, [{ acceptedRows: 1, duplicate: false }]]);
    const m = await metrics();
    expect(metric(m, 'renderwatch_collector_grpc_transport_refused_total', '{reason="no_preface"}')).toBe(50);
  });

  it('counted each refusal by reason and logged each kind once; stored exactly the good batches; /healthz answered throughout', async () => {
    await phase('end');
    const m = await metrics();
    const reasons = {
      too_large: 4,
      inflated_too_large: 2,
      bad_compression: 2,
      unsupported_encoding: 1,
      incomplete_message: 4, // 2 unary, the stream cut short, the cancelled one (node's client half-closes before its RST_STREAM)
      extra_message: 1,
      bad_timeout: 1,
      deadline: 30,
    };
    for (const [reason, n] of Object.entries(reasons))
      expect([reason, metric(m, 'renderwatch_collector_grpc_transport_refused_total', `{reason="${reason}"}`)]).toEqual([reason, n]);
    expect(metric(m, 'renderwatch_collector_exports_total', '{outcome="deadline"}')).toBe(30);
    const out = c.output();
    for (const reason of Object.keys(reasons)) expect([reason, out.split(`"reason":"${reason}"`).length - 1]).toEqual([reason, 1]);
    expect(out.split('"reason":"no_preface"').length - 1).toBe(1);
    expect(out.split('"reason":"unauthenticated"').length - 1).toBe(1);
    expect(await stored('probe-good')).toBe(goodSeq);
    console.log(`probe-grpc: /healthz ${healthAnswers} answers, worst latency per phase (ms): ${JSON.stringify(worst)}`);
    expect(healthAnswers).toBeGreaterThan(0);
    expect(healthBad).toBe(0);
    expect((await fetch(`http://127.0.0.1:${c.httpPort}/healthz`)).status).toBe(200);
  });
});
