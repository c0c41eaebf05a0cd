// The real agent daemon (agent/bin/renderwatch-agent run) exits non-zero on every start-up error,
// also on those that come after NVML (the fake libnvidia-ml.so, 8 GPUs) and /metrics are set up —
// which used to leave the process running forever, so systemd's Restart=on-failure never fired.
// Each case: the exit code, the message on stderr, and the /metrics port free again afterwards.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@renderwatch/devkit';
import { afterAll, describe, expect, it } from 'vitest';
import { buildFakeNvml, FAKE_NVML_SCENARIOS } from '../../agent/test/support/build-fake-nvml.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'rw-startup-'));
const aFile = join(dir, 'not-a-dir');
writeFileSync(aFile, 'x');

/** Runs the daemon until it exits (or 20 s pass: then it is killed and the code is null). */
function runAgent(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const p = spawn(join(ROOT, 'agent', 'bin', 'renderwatch-agent'), ['run'], {
    env: {
      ...process.env,
      AGENT_GPU_SOURCE: 'nvml',
      AGENT_NVML_LIB: buildFakeNvml(),
      FAKE_NVML_SCENARIO: join(FAKE_NVML_SCENARIOS, 'eight-gpus.json'),
      AGENT_COLLECTOR_ADDRESS: '127.0.0.1:1',
      AGENT_STATE_DIR: join(dir, 'state'),
      AGENT_METRICS_HOST: '127.0.0.1',
      AGENT_LOG_LEVEL: 'error',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  p.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
  const timer = setTimeout(() => p.kill('SIGKILL'), 20_000);
  return new Promise((resolve) =>
    p.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    }),
  );
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

describe('agent start-up errors', () => {
  let busy: Server | undefined;
  afterAll(() => {
    busy?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ['an unknown runtime in AGENT_RUNTIME_LOGS', { AGENT_RUNTIME_LOGS: 'nosuchruntime:/x' }, 2, /AGENT_RUNTIME_LOGS: "nosuchruntime:\/x"/],
    ['a spool that cannot be created (after NVML and /metrics)', { AGENT_STATE_DIR: aFile }, 1, /cannot open the spool under .*not-a-dir/],
    ['a collector CA file that cannot be read (after NVML and /metrics)', { AGENT_TLS_CA_FILE: join(dir, 'missing-ca.pem') }, 1, /missing-ca\.pem/],
    ['an NVML library that cannot be loaded (after /metrics)', { AGENT_NVML_LIB: join(dir, 'no-libnvidia-ml.so') }, 1, /no GPU source could be opened/],
    ['an invalid configuration value', { AGENT_SAMPLE_INTERVAL_MS: 'soon' }, 2, /invalid configuration/],
  ])('exits %s: code %s', async (_name, env, code, message) => {
    const metricsPort = await freePort();
    const r = await runAgent({ ...env, AGENT_METRICS_PORT: String(metricsPort) });
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(message);
    expect(await canListen(metricsPort)).toBe(true);
  });

  it('exits 1 when the /metrics port is taken, before opening NVML', async () => {
    const port = await freePort();
    busy = createServer();
    await new Promise<void>((resolve) => busy?.listen(port, '127.0.0.1', resolve));
    const r = await runAgent({ AGENT_METRICS_PORT: String(port) });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`cannot serve /metrics on 127\\.0\\.0\\.1:${port}`));
  });
});
