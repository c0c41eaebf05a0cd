// `renderwatch-agent doctor` against a real collector that requires tokens, and the bundled agent
// (agent/dist, what hosts without Node tooling run) answering exactly like the TypeScript sources.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { raw } from '@renderwatch/collector';
import { freePort } from '@renderwatch/devkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestCollector } from './test-collector.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = join(ROOT, 'agent', 'bin', 'renderwatch-agent');
const SMI = join(ROOT, 'agent', 'test', 'fixtures', 'nvidia-smi', 'h100-80gb-hbm3-driver590-query-gpu-load.csv');
const TOKEN = 'rwa_doctor-test-token';

/** Async on purpose: the collector runs in this process and must keep answering meanwhile. */
function doctor(env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const p = spawn(BIN, ['doctor'], { env: { ...process.env, ...env } });
    let out = '';
    p.stdout.on('data', (b: Buffer) => (out += b.toString()));
    p.stderr.on('data', (b: Buffer) => (out += b.toString()));
    p.on('exit', (code) => resolve({ code, out }));
  });
}

describe('renderwatch-agent doctor', () => {
  let c: Awaited<ReturnType<typeof startTestCollector>>;
  let dir: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rw-doctor-'));
    const tokens = join(dir, 'tokens.yaml');
    writeFileSync(tokens, `tokens:\n  - name: doctor\n    tenant: studio-a\n    sha256: ${createHash('sha256').update(TOKEN).digest('hex')}\n`);
    c = await startTestCollector(inject('clickhouseUrl'), { COLLECTOR_AGENT_TOKENS_FILE: tokens });
    env = {
      AGENT_COLLECTOR_ADDRESS: `127.0.0.1:${c.grpcPort}`,
      AGENT_GPU_SOURCE: 'replay',
      AGENT_REPLAY_FILES: SMI,
      AGENT_STATE_DIR: join(dir, 'state'),
      AGENT_RUNTIME_LOGS: `comfyui:${join(dir, 'missing.log')}`,
    };
  });
  afterAll(async () => {
    await c?.storage.command(raw(`DROP DATABASE IF EXISTS ${c.config.COLLECTOR_CLICKHOUSE_DATABASE}`));
    await c?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('passes with a valid token and says what it found', async () => {
    const r = await doctor({ ...env, AGENT_TOKEN: TOKEN });
    expect(r.out).toMatch(/ok\s+gpu\s+replay: 1 GPU\(s\): NVIDIA H100 80GB HBM3/);
    expect(r.out).toMatch(/ok\s+collector\s+127\.0\.0\.1:\d+ reachable; token accepted/);
    expect(r.out).toMatch(/warn\s+log comfyui\s+.*missing\.log is missing or unreadable/);
    expect(r.out).toMatch(/ok\s+state dir/);
    expect(r.code).toBe(0);
  });

  it('fails and says how to fix a refused token and an unreachable collector', async () => {
    const bad = await doctor({ ...env, AGENT_TOKEN: 'rwa_wrong' });
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/FAIL\s+collector\s+.*refused the token \(wrong or revoked/);
    const dead = await doctor({ ...env, AGENT_TOKEN: TOKEN, AGENT_COLLECTOR_ADDRESS: `127.0.0.1:${await freePort()}` });
    expect(dead.code).toBe(1);
    expect(dead.out).toMatch(/FAIL\s+collector\s+.*not reachable/);
  });
});

describe('the bundled agent (agent/dist)', () => {
  it('prints the same as the TypeScript sources for the inspection commands', () => {
    const bundle = join(ROOT, 'agent', 'dist', 'renderwatch-agent.mjs');
    expect(existsSync(bundle), 'agent/dist is missing: `npm run bundle` (npm test builds it)').toBe(true);
    const tsx = join(ROOT, 'agent', 'node_modules', 'tsx', 'dist', 'esm', 'index.mjs');
    const cases = [
      ['parse-nvidia-smi', join(ROOT, 'agent', 'test', 'fixtures', 'nvidia-smi', 'a100-sxm4-80gb-mig-driver535.xml')],
      [
        'parse-log',
        '--runtime',
        'auto',
        join(ROOT, 'agent', 'test', 'fixtures', 'runtime-logs', 'a1111', 'oom-error-completing-request-second-job-2024-01.log'),
      ],
    ];
    for (const args of cases) {
      const fromBundle = spawnSync('node', [bundle, ...args], { encoding: 'utf8', cwd: tmpdir() });
      const fromSource = spawnSync('node', ['--import', `file://${tsx}`, join(ROOT, 'agent', 'src', 'cli.ts'), ...args], { encoding: 'utf8' });
      expect(fromBundle.status).toBe(0);
      expect(fromBundle.stdout.length).toBeGreaterThan(50);
      expect(fromBundle.stdout).toBe(fromSource.stdout);
    }
  });
});
