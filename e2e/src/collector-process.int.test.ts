// The collector as an operator starts it: clear answers to --help, a bad config and an unreachable
// ClickHouse (non-zero exit, a message that says what to do, no stack trace).
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@renderwatch/devkit';
import { describe, expect, it } from 'vitest';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'collector', 'bin', 'renderwatch-collector');

function run(args: string[], env: Record<string, string>): { code: number | null; out: string; err: string } {
  const r = spawnSync(BIN, args, { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('renderwatch-collector process', () => {
  it('prints its usage with --help', () => {
    const r = run(['--help'], {});
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/usage: renderwatch-collector/);
    expect(r.out).toMatch(/migrate/);
  });

  it('exits 1 with a clear message when ClickHouse is unreachable at start', async () => {
    const dead = await freePort();
    const r = run(['serve'], {
      COLLECTOR_CLICKHOUSE_URL: `http://127.0.0.1:${dead}`,
      COLLECTOR_START_TIMEOUT_MS: '1500',
      COLLECTOR_HTTP_PORT: '0',
      COLLECTOR_GRPC_PORT: '0',
      COLLECTOR_HOST: '127.0.0.1',
      COLLECTOR_LOG_LEVEL: 'silent',
    });
    expect(r.code).toBe(1);
    expect(r.err).toContain(`ClickHouse is unreachable: no answer from http://127.0.0.1:${dead}`);
    expect(r.err).toMatch(/set COLLECTOR_CLICKHOUSE_URL/);
    expect(r.err).toContain('[COL_ERR_STORAGE_UNREACHABLE]');
    expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('exits 1 naming every invalid key when the configuration is wrong', () => {
    const r = run(['serve'], { COLLECTOR_HTTP_PORT: 'eighty', COLLECTOR_CLICKHOUSE_URL: 'not a url' });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/invalid configuration/);
    expect(r.err).toMatch(/COLLECTOR_HTTP_PORT/);
    expect(r.err).toMatch(/COLLECTOR_CLICKHOUSE_URL/);
  });
});
