// renderwatch_agent_exported_rows_total against what the collector stored (issue 16: it stayed 0
// while thousands of rows were acked, because the daemon passed 0). The real agent daemon replays a
// recorded H100 and follows a real ComfyUI log into a real collector on the test ClickHouse; at a
// quiet moment between two flushes, the counter equals the rows the collector holds for this agent,
// counted in its tables and in its batch ledger.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { raw } from '@renderwatch/collector';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ROOT, startAgent, stop, until } from './peer-dashboards-harness.js';
import { startTestCollector } from './test-collector.js';

const SMI = join(ROOT, 'agent', 'test', 'fixtures', 'nvidia-smi', 'h100-80gb-hbm3-driver590-query-gpu-load.csv');
const LOG = join(ROOT, 'agent', 'test', 'fixtures', 'runtime-logs', 'comfyui', 'flux-3-jobs-legacy-loaded-format-iso-ts-2025-05.log');
const AGENT_ID = 'agent-rows-e2e';

function counter(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('renderwatch_agent_exported_rows_total', () => {
  let c: Awaited<ReturnType<typeof startTestCollector>>;
  const dir = mkdtempSync(join(tmpdir(), 'rw-rows-'));
  beforeAll(async () => {
    c = await startTestCollector(inject('clickhouseUrl'));
    cpSync(LOG, join(dir, 'comfyui.log'));
  });
  afterAll(async () => {
    await c?.storage.command(raw(`DROP DATABASE IF EXISTS ${c.config.COLLECTOR_CLICKHOUSE_DATABASE}`));
    await c?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function stored(): Promise<{ tables: number; ledger: number }> {
    const where = `agent_id = '${AGENT_ID}'`;
    const [t] = await c.storage.query<{ n: string }>(
      raw(
        `SELECT (SELECT count() FROM gpu_samples WHERE ${where}) + (SELECT count() FROM host_samples WHERE ${where}) + ` +
          `(SELECT count() FROM runtime_events WHERE ${where}) + (SELECT count() FROM gpu_status WHERE ${where}) AS n`,
      ),
    );
    const [l] = await c.storage.query<{ n: string }>(raw(`SELECT sum(rows) AS n FROM ingest_batches FINAL WHERE ${where}`));
    return { tables: Number(t?.n ?? 0), ledger: Number(l?.n ?? 0) };
  }

  it('counts the rows the collector acknowledged: equal to the rows it stored', async () => {
    const agent = await startAgent({
      fakeNvml: '',
      scenario: '',
      stateDir: join(dir, 'state'),
      host: 'rows-e2e',
      args: ['--gpu-source', 'replay', '--flush-interval-ms', '1500'],
      env: {
        AGENT_ID,
        AGENT_REPLAY_FILES: SMI,
        AGENT_RUNTIME_LOGS: `comfyui:${join(dir, 'comfyui.log')}`,
        AGENT_COLLECTOR_ADDRESS: `127.0.0.1:${c.grpcPort}`,
      },
    });
    try {
      const url = `http://127.0.0.1:${agent.port}/metrics`;
      const scrape = async (): Promise<{ rows: number; batches: number }> => {
        const text = await (await fetch(url)).text();
        return { rows: counter(text, 'renderwatch_agent_exported_rows_total') ?? -1, batches: counter(text, 'renderwatch_agent_exported_batches_total') ?? -1 };
      };
      await until(async () => ((await scrape()).batches >= 4 ? true : undefined), 60_000);
      // A quiet moment: the counter did not move while the collector's count was read.
      const seen = await until(async () => {
        const before = await scrape();
        const s = await stored();
        const after = await scrape();
        return before.rows === after.rows && s.tables === before.rows ? { ...s, rows: before.rows } : undefined;
      }, 30_000);
      expect(seen.rows).toBeGreaterThan(20);
      expect(seen.tables).toBe(seen.rows);
      expect(seen.ledger).toBe(seen.rows);
    } finally {
      await stop(agent.proc);
    }
  });
});
