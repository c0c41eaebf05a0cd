// Who may write, and what is refused: agent tokens (hashed file, reloaded at once), tenant taken
// from the token only, oversize and garbage input, back-pressure with a retry hint, TLS and mTLS
// with certificates made at test time.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials, Metadata, status } from '@grpc/grpc-js';
import type { ExportClient, SendResult } from '@renderwatch/agent';
import { clientCredentialsFromFiles, createBatcher, createExportClient } from '@renderwatch/agent/harness';
import { raw, sql } from '@renderwatch/collector';
import { TelemetryServiceClient, type ExportRequest } from '@renderwatch/proto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestCollector } from './test-collector.js';

const dir = mkdtempSync(join(tmpdir(), 'rw-deliv-auth-'));
const TOKEN_A = 'rwa_token-of-studio-a';
const TOKEN_B = 'rwa_token-of-studio-b';
const sha = (t: string): string => execFileSync('sha256sum', { input: t }).toString().split(' ')[0] ?? '';

function tokensYaml(revokeA: boolean): string {
  return `tokens:
  - { name: render-a, tenant: studio-a, sha256: ${sha(TOKEN_A)}, revoked: ${revokeA} }
  - { name: render-b, tenant: studio-b, sha256: ${sha(TOKEN_B)} }
`;
}

function request(agentId: string, seq: number, gpus = 2): ExportRequest {
  let built: ExportRequest | undefined;
  const b = createBatcher({
    agentId,
    host: { hostname: `${agentId}-host`, driverVersion: '', cudaVersion: '', agentVersion: 't', labels: {} },
    firstSeq: seq,
    maxRows: 1_000_000,
    flushIntervalMs: 60_000,
    deliver: (r) => (built = r),
  });
  const ts = Date.now() - 1000;
  b.addGpus(Array.from({ length: gpus }, (_, i) => ({ ts_unix_ms: ts, index: i, uuid: `GPU-${agentId}-${i}`, name: 'L4' })));
  b.flush();
  if (built === undefined) throw new Error('no batch');
  return built;
}

const codeOf = (r: SendResult): number | 'ok' => (r.status === 'ok' ? 'ok' : (r.error as Error & { code: number }).code);

const p = (f: string): string => join(dir, f);
function ossl(...args: string[]): void {
  execFileSync('openssl', args, { stdio: 'ignore' });
}

/** openssl: a CA, a server certificate for 127.0.0.1 and a client certificate, all signed by the CA. */
function makeCertificates(): { ca: string; serverCert: string; serverKey: string; clientCert: string; clientKey: string } {
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ossl('req', '-x509', ...key, '-keyout', p('ca.key'), '-out', p('ca.crt'), '-subj', '/CN=renderwatch-test-ca', '-days', '1');
  for (const [name, cn, ext] of [
    ['server', 'localhost', 'subjectAltName=IP:127.0.0.1,DNS:localhost'],
    ['client', 'agent-1', 'extendedKeyUsage=clientAuth'],
  ] as const) {
    writeFileSync(p(`${name}.ext`), `${ext}\n`);
    ossl('req', ...key, '-keyout', p(`${name}.key`), '-out', p(`${name}.csr`), '-subj', `/CN=${cn}`);
    ossl(
      'x509',
      '-req',
      '-in',
      p(`${name}.csr`),
      '-CA',
      p('ca.crt'),
      '-CAkey',
      p('ca.key'),
      '-CAcreateserial',
      '-out',
      p(`${name}.crt`),
      '-days',
      '1',
      '-extfile',
      p(`${name}.ext`),
    );
  }
  return { ca: p('ca.crt'), serverCert: p('server.crt'), serverKey: p('server.key'), clientCert: p('client.crt'), clientKey: p('client.key') };
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('agent authentication and bad input', () => {
  let c: Awaited<ReturnType<typeof startTestCollector>>;
  let address: string;
  const tokensFile = join(dir, 'tokens.yaml');
  const clients: ExportClient[] = [];
  const client = (token?: string): ExportClient => {
    const x = createExportClient({ address, ...(token === undefined ? {} : { token }) });
    clients.push(x);
    return x;
  };
  beforeAll(async () => {
    writeFileSync(tokensFile, tokensYaml(false));
    c = await startTestCollector(inject('clickhouseUrl'), {
      COLLECTOR_AGENT_TOKENS_FILE: tokensFile,
      COLLECTOR_MAX_BATCH_ROWS: '100',
      COLLECTOR_MAX_MESSAGE_BYTES: '65536',
    });
    address = `127.0.0.1:${c.grpcPort}`;
  });
  afterAll(async () => {
    for (const x of clients) x.close();
    await c.storage.command(raw(`DROP DATABASE IF EXISTS ${c.config.COLLECTOR_CLICKHOUSE_DATABASE}`));
    await c.stop();
  });

  it('answers UNAUTHENTICATED for a missing or wrong token and counts it', async () => {
    expect(codeOf(await client().send(request('anon', 1), 5000))).toBe(status.UNAUTHENTICATED);
    expect(codeOf(await client('rwa_wrong').send(request('anon', 2), 5000))).toBe(status.UNAUTHENTICATED);
    // The hash itself is not a token.
    expect(codeOf(await client(sha(TOKEN_A)).send(request('anon', 3), 5000))).toBe(status.UNAUTHENTICATED);
    const metrics = await (await fetch(`http://127.0.0.1:${c.httpPort}/metrics`)).text();
    expect(metrics).toMatch(/renderwatch_collector_exports_total\{outcome="unauthenticated"\} 3/);
    const [n] = await c.storage.query<{ c: string }>(sql`SELECT count() AS c FROM gpu_samples WHERE agent_id = ${'anon'}`);
    expect(Number(n?.c)).toBe(0);
  });

  it("writes tenant A's token's rows as tenant A, even when the payload imitates tenant B's agent", async () => {
    expect(codeOf(await client(TOKEN_B).send(request('agent-of-b', 10), 5000))).toBe('ok');
    expect(codeOf(await client(TOKEN_A).send(request('agent-of-b', 11), 5000))).toBe('ok');
    const rows = await c.storage.query<{ tenant: string; s: string; n: string }>(
      sql`SELECT tenant, toString(batch_seq) AS s, count() AS n FROM gpu_samples FINAL WHERE agent_id = ${'agent-of-b'} GROUP BY tenant, batch_seq ORDER BY batch_seq`,
    );
    expect(rows).toEqual([
      { tenant: 'studio-b', s: '10', n: '2' },
      { tenant: 'studio-a', s: '11', n: '2' },
    ]);
  });

  it('refuses a token on the next call after the tokens file revokes it', async () => {
    const a = client(TOKEN_A);
    expect(codeOf(await a.send(request('agent-a', 20), 5000))).toBe('ok');
    writeFileSync(`${tokensFile}.new`, tokensYaml(true));
    renameSync(`${tokensFile}.new`, tokensFile);
    expect(codeOf(await a.send(request('agent-a', 21), 5000))).toBe(status.UNAUTHENTICATED);
    expect(codeOf(await client(TOKEN_B).send(request('agent-b', 22), 5000))).toBe('ok');
  });

  it('answers INVALID_ARGUMENT for too many rows and RESOURCE_EXHAUSTED for a message over the size limit', async () => {
    const b = client(TOKEN_B);
    expect(codeOf(await b.send(request('agent-b', 30, 101), 5000))).toBe(status.INVALID_ARGUMENT);
    const huge = request('agent-b', 31, 1);
    huge.events = Array.from({ length: 40 }, () => ({
      tsUnixMs: Date.now(),
      kind: 'error',
      runtime: 'comfyui',
      body: { $case: 'error', value: { errorType: 'X', message: 'x'.repeat(4000) } },
    }));
    expect(codeOf(await b.send(huge, 5000))).toBe(status.RESOURCE_EXHAUSTED);
    expect(codeOf(await b.send(request('agent-b', 32), 5000))).toBe('ok');
  });

  it('answers INVALID_ARGUMENT for garbage bytes and keeps serving', async () => {
    const rawClient = new TelemetryServiceClient(address, credentials.createInsecure());
    const md = new Metadata();
    md.set('authorization', `Bearer ${TOKEN_B}`);
    const code = await new Promise<number>((resolve) => {
      rawClient.makeUnaryRequest(
        '/renderwatch.telemetry.v1.TelemetryService/Export',
        (x: Buffer) => x,
        (x: Buffer) => x,
        Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]),
        md,
        (err) => resolve(err?.code ?? 0),
      );
    });
    rawClient.close();
    expect(code).toBe(status.INVALID_ARGUMENT);
    expect(codeOf(await client(TOKEN_B).send(request('agent-b', 40), 5000))).toBe('ok');
  });
});

describe('back-pressure', () => {
  it('answers RESOURCE_EXHAUSTED with retry-after-s when the ingest queue is full', async () => {
    const c = await startTestCollector(inject('clickhouseUrl'), {
      COLLECTOR_INGEST_MAX_INFLIGHT: '1',
      COLLECTOR_INGEST_QUEUE_MAX: '0',
      COLLECTOR_INGEST_RETRY_AFTER_S: '3',
    });
    const x = createExportClient({ address: `127.0.0.1:${c.grpcPort}` });
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => x.send(request('burst', 100 + i), 5000)));
    const pushed = results.filter((r) => r.status === 'retryable');
    expect(results.filter((r) => r.status === 'ok').length).toBeGreaterThanOrEqual(1);
    expect(pushed.length).toBeGreaterThanOrEqual(1);
    expect(pushed.map((r) => [codeOf(r), r.status === 'retryable' ? r.retryInMs : undefined])[0]).toEqual([status.RESOURCE_EXHAUSTED, 3000]);
    x.close();
    await c.storage.command(raw(`DROP DATABASE IF EXISTS ${c.config.COLLECTOR_CLICKHOUSE_DATABASE}`));
    await c.stop();
  });
});

describe('TLS and mTLS', () => {
  it('serves gRPC and HTTPS with a test-time certificate and requires a client certificate when a client CA is set', async () => {
    const t = makeCertificates();
    const c = await startTestCollector(inject('clickhouseUrl'), {
      COLLECTOR_TLS_CERT_FILE: t.serverCert,
      COLLECTOR_TLS_KEY_FILE: t.serverKey,
      COLLECTOR_TLS_CLIENT_CA_FILE: t.ca,
    });
    const address = `127.0.0.1:${c.grpcPort}`;
    const withCert = createExportClient({ address, credentials: clientCredentialsFromFiles({ caFile: t.ca, certFile: t.clientCert, keyFile: t.clientKey }) });
    const noCert = createExportClient({ address, credentials: clientCredentialsFromFiles({ caFile: t.ca }) });
    const plain = createExportClient({ address });
    expect(codeOf(await withCert.send(request('tls-agent', 1), 5000))).toBe('ok');
    expect(codeOf(await noCert.send(request('tls-agent', 2), 3000))).not.toBe('ok');
    expect(codeOf(await plain.send(request('tls-agent', 3), 3000))).not.toBe('ok');
    const body = await new Promise<string>((resolve, reject) => {
      httpsGet({ host: '127.0.0.1', port: c.httpPort, path: '/readyz', ca: readFileSync(t.ca) }, (res) => {
        let s = '';
        res.on('data', (d: Buffer) => (s += d.toString()));
        res.on('end', () => resolve(`${res.statusCode} ${s}`));
      }).on('error', reject);
    });
    expect(body).toBe('200 {"status":"ready"}');
    for (const x of [withCert, noCert, plain]) x.close();
    await c.storage.command(raw(`DROP DATABASE IF EXISTS ${c.config.COLLECTOR_CLICKHOUSE_DATABASE}`));
    await c.stop();
  });
});
