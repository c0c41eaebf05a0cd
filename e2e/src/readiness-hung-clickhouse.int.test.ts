// Issue 20 item 4: with ClickHouse paused (SIGSTOP) /readyz and the API used to answer only after
// the client's 30 s request timeout. Now every ClickHouse call has a deadline and a call that found
// ClickHouse hung marks it down, so /readyz answers 503 after its ping deadline (1.5 s) and the API
// answers 503 with Retry-After. The test's own fetches give up after 10 s (five times the 2 s
// promise, so load cannot fail them; before the fix each of them hit it).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalClickHouse, type LocalClickHouse } from '@renderwatch/devkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCollector } from './test-collector.js';

const dir = mkdtempSync(join(tmpdir(), 'rw-hung-ch-'));
let ch: LocalClickHouse;
let collector: Awaited<ReturnType<typeof startTestCollector>>;
let stopped = false;

beforeAll(async () => {
  ch = await startLocalClickHouse({ dataDir: join(dir, 'ch') });
  collector = await startTestCollector(ch.url, { COLLECTOR_API_QUERY_TIMEOUT_S: '2', COLLECTOR_API_CACHE_TTL_MS: '0' });
});

afterAll(async () => {
  if (stopped) process.kill(ch.pid, 'SIGCONT');
  await collector.stop();
  await ch.stop(3000);
  rmSync(dir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  retryAfter: string | null;
  body: string;
}

async function get(path: string): Promise<Answer> {
  const r = await fetch(`http://127.0.0.1:${collector.httpPort}${path}`, { signal: AbortSignal.timeout(10_000) });
  return { status: r.status, retryAfter: r.headers.get('retry-after'), body: await r.text() };
}

const unavailable = (a: Answer): unknown => ({ status: a.status, retryAfter: a.retryAfter, code: (JSON.parse(a.body) as { code?: string }).code });

describe('ClickHouse hung (SIGSTOP), then back, then dead', () => {
  it('answers /readyz and the API with 503 + Retry-After while ClickHouse is stopped, 200 again after SIGCONT, 503 when it is gone', async () => {
    expect((await get('/readyz')).status).toBe(200);
    expect((await get('/api/v1/fleet')).status).toBe(200);

    process.kill(ch.pid, 'SIGSTOP');
    stopped = true;
    // First API call: ClickHouse is not known to be down yet; the query's deadline (2 s + 2 s) ends it.
    expect(unavailable(await get('/api/v1/fleet'))).toEqual({ status: 503, retryAfter: '2', code: 'COL_ERR_STORAGE_UNREACHABLE' });
    const ready = await get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.retryAfter).toBe('2');
    expect(JSON.parse(ready.body)).toEqual({ status: 'not ready', reason: 'ClickHouse does not answer a ping in time' });
    // Now marked down: other routes wait for one shared ping, not for their query.
    for (const path of ['/api/v1/fleet/summary', '/api/v1/events', '/api/v1/slos']) {
      const a = await get(path);
      expect(unavailable(a)).toEqual({ status: 503, retryAfter: '2', code: 'COL_ERR_STORAGE_UNREACHABLE' });
      expect(a.body).not.toMatch(/DB::|Exception|Timeout error|ECONN/);
    }
    // /healthz never touches ClickHouse.
    expect((await get('/healthz')).status).toBe(200);

    process.kill(ch.pid, 'SIGCONT');
    stopped = false;
    let back = await get('/readyz');
    for (let i = 0; i < 50 && back.status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 200));
      back = await get('/readyz');
    }
    expect(back.status).toBe(200);
    expect((await get('/api/v1/fleet')).status).toBe(200);

    await ch.stop(3000);
    const dead = await get('/readyz');
    expect(dead.status).toBe(503);
    expect(unavailable(await get('/api/v1/fleet'))).toEqual({ status: 503, retryAfter: '2', code: 'COL_ERR_STORAGE_UNREACHABLE' });
  });
});
