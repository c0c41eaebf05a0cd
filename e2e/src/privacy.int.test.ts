// Privacy, end to end: every real runtime log fixture (two of them carry users' prompts in A1111's
// "*** Arguments:" dump) is followed by the real agent daemon, sent over gRPC to the collector and
// stored in ClickHouse; then every table is dumped and searched for the prompt text. Nothing of it
// may be stored, while the events themselves (those very jobs, failed) must be. Then exceptions that
// quote prompt text, in every runtime's log format (./privacy/planted-errors.ts), go the same way:
// stored as templates with fingerprints, none of the planted words in any text column of any table,
// unless the agent opted in to raw messages (AGENT_ERROR_MESSAGES=raw, the control that shows the
// sweep finds a leak).
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAgentPipeline, resolveAgentConfig } from '@renderwatch/agent';
import { buildLogSources } from '@renderwatch/agent/harness';
import { raw } from '@renderwatch/collector';
import { RUNTIMES } from '@renderwatch/schema';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PLANTED_LOGS, PLANTED_WORDS } from './privacy/planted-errors.js';
import { startTestCollector } from './test-collector.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'agent', 'test', 'fixtures', 'runtime-logs');
/** Fragments of the prompts in the A1111 fixtures (issues #13745 and #14592). */
const PROMPT_FRAGMENTS = ['blender render', 'colorful-hued', 'coke bottle', 'sand sculpture style', 'a naked woman'];
const TABLES = ['runtime_events', 'gpu_samples', 'host_samples', 'gpu_status', 'hosts', 'ingest_batches'];

/** Follows the logs with the real agent (no GPU) until every event is acked by the collector. */
async function runAgent(grpcPort: number, pairs: readonly string[], stateDir: string, env: Record<string, string>): Promise<void> {
  const log = pino({ level: 'silent' });
  const cfg = resolveAgentConfig({
    AGENT_GPU_SOURCE: 'none',
    AGENT_FLUSH_INTERVAL_MS: '200',
    AGENT_RUNTIME_LOGS: pairs.join(','),
    AGENT_COLLECTOR_ADDRESS: `127.0.0.1:${grpcPort}`,
    AGENT_EXPORT_DEADLINE_MS: '5000',
    AGENT_STATE_DIR: stateDir,
    ...env,
  });
  if (!cfg.ok) throw new Error(cfg.issues.join('; '));
  const sources = buildLogSources(cfg.config.AGENT_RUNTIME_LOGS, stateDir, log);
  const pipeline = createAgentPipeline(cfg.config, { log, gpuSampler: undefined, eventSources: sources, memoryQueue: 1000 });
  await pipeline.start();
  await new Promise((r) => setTimeout(r, 2500));
  expect(await pipeline.stop(10_000)).toBe(true);
}

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
    // fixture folders that are runtimes (others, e.g. model-download logs, are not followed as one)
    for (const runtime of readdirSync(FIXTURES).filter((d) => (RUNTIMES as readonly string[]).includes(d))) {
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
    await runAgent(c.grpcPort, pairs, join(dir, 'state'), { AGENT_HOSTNAME: 'privacy-host' });

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

  it('stores exceptions quoting prompt text as templates and fingerprints, none of the words in any text column', async () => {
    const pairs = Object.entries(PLANTED_LOGS).map(([runtime, text]) => {
      const path = join(dir, `planted--${runtime}.log`);
      writeFileSync(path, text);
      return `${runtime}:${path}`;
    });
    const input = Object.values(PLANTED_LOGS).join('\n');
    for (const w of PLANTED_WORDS) expect(input.includes(w), w).toBe(true);
    await runAgent(c.grpcPort, pairs, join(dir, 'state-planted'), { AGENT_HOSTNAME: 'privacy-errors' });

    // Positive control: every runtime's exception was stored, as a template with its fingerprint.
    const errors = await c.storage.query<{ runtime: string; error_type: string; message: string; message_fingerprint: string }>(
      raw(
        "SELECT runtime, error_type, message, message_fingerprint FROM runtime_events WHERE host = 'privacy-errors' AND kind = 'error' ORDER BY runtime, message",
      ),
    );
    expect(errors.map((e) => e.runtime).sort()).toEqual([
      'a1111',
      'ai-toolkit',
      'comfyui',
      'comfyui',
      'comfyui',
      'diffusers',
      'forge',
      'invokeai',
      'kohya',
      'sdnext',
      'wan2gp',
    ]);
    for (const e of errors) expect(e.message_fingerprint, JSON.stringify(e)).toMatch(/^[0-9a-f]{16}$/);
    const byTemplate = (t: string) => errors.filter((e) => e.message === t);
    // one error, three runtimes, three prompts: one fingerprint
    expect(byTemplate('Prompt <words> could not be encoded').map((e) => e.runtime)).toEqual(['ai-toolkit', 'comfyui', 'wan2gp']);
    expect(new Set(byTemplate('Prompt <words> could not be encoded').map((e) => e.message_fingerprint)).size).toBe(1);
    expect(byTemplate('<str>').map((e) => [e.runtime, e.error_type])).toEqual([
      ['comfyui', 'KeyError'],
      ['forge', 'KeyError'],
      ['kohya', 'KeyError'],
    ]);
    expect(byTemplate('Wildcard <path> not found in <words>').map((e) => e.runtime)).toEqual(['comfyui', 'invokeai']);
    // the event list API serves the template and the fingerprint
    const api = (await (await fetch(`http://127.0.0.1:${c.httpPort}/api/v1/events?host=privacy-errors&kind=error&runtime=wan2gp`)).json()) as {
      events: { fields: Record<string, unknown> }[];
    };
    expect(api.events.map((e) => e.fields)).toEqual([
      {
        error_type: 'ValueError',
        message: 'Prompt <words> could not be encoded',
        message_fingerprint: byTemplate('Prompt <words> could not be encoded')[0]?.message_fingerprint,
      },
    ]);

    // Every text column (String, Nullable, arrays of them) of every table, searched for every planted word.
    const leaks = async (): Promise<string[]> => {
      const cols = await c.storage.query<{ table: string; name: string }>(
        raw(
          `SELECT table, name FROM system.columns WHERE database = '${c.config.COLLECTOR_CLICKHOUSE_DATABASE}' AND type LIKE '%String%' AND table NOT LIKE '.inner%' ORDER BY table, name`,
        ),
      );
      expect(cols.length).toBeGreaterThan(40);
      const found: string[] = [];
      for (const col of cols) {
        const rows = await c.storage.query<Record<string, unknown>>(raw(`SELECT \`${col.name}\` AS v FROM \`${col.table}\``));
        const dump = JSON.stringify(rows).toLowerCase();
        for (const w of PLANTED_WORDS) if (dump.includes(w)) found.push(`${col.table}.${col.name}: ${w}`);
      }
      return found;
    };
    expect(await leaks()).toEqual([]);

    // Control: the same wan2gp exception from an agent that opted in to raw messages is stored with
    // its words, and the sweep finds them.
    const rawPath = join(dir, 'planted-raw--wan2gp.log');
    writeFileSync(rawPath, PLANTED_LOGS.wan2gp);
    await runAgent(c.grpcPort, [`wan2gp:${rawPath}`], join(dir, 'state-raw'), { AGENT_HOSTNAME: 'privacy-raw', AGENT_ERROR_MESSAGES: 'raw' });
    const rawRows = await c.storage.query<{ message: string; message_fingerprint: string }>(
      raw("SELECT message, message_fingerprint FROM runtime_events WHERE host = 'privacy-raw' AND kind = 'error'"),
    );
    expect(rawRows).toEqual([
      {
        message: 'Prompt quokka marmalade saxophone could not be encoded',
        message_fingerprint: byTemplate('Prompt <words> could not be encoded')[0]?.message_fingerprint,
      },
    ]);
    expect(await leaks()).toEqual(['runtime_events.message: marmalade', 'runtime_events.message: quokka', 'runtime_events.message: saxophone']);
  });
});
