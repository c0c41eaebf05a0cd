// Privacy, end to end: every real runtime log fixture (two of them carry users' prompts in A1111's
// "*** Arguments:" dump) is followed by the real agent daemon, sent over gRPC to the collector and
// stored in ClickHouse; then every table is dumped and searched for the prompt text. Nothing of it
// may be stored, while the events themselves (those very jobs, failed) must be.
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildLogSources, createAgent, createExportClient, createMemoryStore, createRetryingSender, resolveAgentConfig } from '@renderwatch/agent';
import { raw } from '@renderwatch/collector';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestCollector } from './test-collector.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'agent', 'test', 'fixtures', 'runtime-logs');
/** Fragments of the prompts in the A1111 fixtures (issues #13745 and #14592). */
const PROMPT_FRAGMENTS = ['blender render', 'colorful-hued', 'coke bottle', 'sand sculpture style', 'a naked woman'];
const TABLES = ['runtime_events', 'gpu_samples', 'host_samples', 'gpu_status', 'hosts', 'ingest_batches'];

describe('privacy: prompts never reach storage', () => {
  let c: Awaited<ReturnType<typeof startTestCollector>>;
  let dir: string;
  beforeAll(async () => {
    c = await startTestCollector(inject('clickhouseUrl'));
    dir = mkdtempSync(join(tmpdir(), 'rw-privacy-'));
  });
  afterAll(async () => {
    await c?.storage.command(raw(`DROP DATABASE IF EXISTS ${c.config.COLLECTOR_CLICKHOUSE_DATABASE}`));
    await c?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores the events of prompt-bearing logs but none of the prompt text', async () => {
    const pairs: string[] = [];
    for (const runtime of readdirSync(FIXTURES)) {
      for (const f of readdirSync(join(FIXTURES, runtime))) {
        if (f.endsWith('.md')) continue;
        const copy = join(dir, `${runtime}--${f}`);
        cpSync(join(FIXTURES, runtime, f), copy);
        pairs.push(`${runtime}:${copy}`);
      }
    }
    expect(pairs.length).toBeGreaterThan(20);
    // The fragments really are in what the agent reads (otherwise this test could not fail).
    const input = pairs
      .map((p) => readFileSync(p.slice(p.indexOf(':') + 1), 'utf8'))
      .join('\n')
      .toLowerCase();
    for (const p of PROMPT_FRAGMENTS) expect(input.includes(p), p).toBe(true);
    const log = pino({ level: 'silent' });
    const cfg = resolveAgentConfig({ AGENT_HOSTNAME: 'privacy-host', AGENT_GPU_SOURCE: 'none', AGENT_FLUSH_INTERVAL_MS: '200' });
    if (!cfg.ok) throw new Error(cfg.issues.join('; '));
    const sources = buildLogSources(pairs.join(','), join(dir, 'state'), log);
    if (!sources.ok) throw new Error(sources.message);
    const client = createExportClient({ address: `127.0.0.1:${c.grpcPort}` });
    const store = createMemoryStore(1000);
    const sender = createRetryingSender({ client, store, log, deadlineMs: 5000 });
    const agent = createAgent(cfg.config, {
      log,
      gpuSampler: undefined,
      eventSources: sources.sources,
      deliver: (r) => {
        store.append(r);
        sender.kick();
      },
    });
    await agent.start();
    await new Promise((r) => setTimeout(r, 2500));
    await agent.stop();
    expect(await sender.drain(10_000)).toBe(true);
    sender.stop();
    client.close();

    // Positive control: the A1111 jobs whose arguments carry the prompts did produce stored OOMs.
    // Positive control: the two A1111 jobs whose "*** Arguments:" carry the prompts were stored,
    // with their metadata (id, size, steps) and their failed outcome.
    const jobs = await c.storage.query<{ job_id: string; outcome: string; width: number; steps: number }>(
      raw("SELECT job_id, outcome, width, steps FROM runtime_events WHERE kind = 'job_end' AND runtime = 'a1111' ORDER BY job_id"),
    );
    expect(jobs.map((j) => j.job_id)).toEqual(['lvau6n2en670qr9', 'y45gdzs5l75m2r7']);
    expect(jobs.every((j) => j.outcome === 'error')).toBe(true);
    expect(jobs.find((j) => j.job_id === 'lvau6n2en670qr9')).toMatchObject({ width: 512, steps: 20 });
    const total = await c.storage.query<{ c: string }>(raw('SELECT count() AS c FROM runtime_events'));
    expect(Number(total[0]?.c)).toBeGreaterThan(50);

    for (const t of TABLES) {
      const rows = await c.storage.query<Record<string, unknown>>(raw(`SELECT * FROM ${t}`));
      const dump = JSON.stringify(rows).toLowerCase();
      for (const p of PROMPT_FRAGMENTS) expect(dump.includes(p), `${t} contains prompt text "${p}"`).toBe(false);
    }
  });
});
