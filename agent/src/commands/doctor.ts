// `renderwatch-agent doctor`: checks, on the host, everything the daemon needs — GPU access (NVML or
// nvidia-smi), the runtime log paths, the state dir, the volumes, the collector and the token —
// and prints what is wrong and how to fix it. Exit 0 when nothing failed.
import { constants } from 'node:fs';
import { access, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import pino from 'pino';
import { loadAgentConfig, type AgentConfig } from '../config.js';
import { tlsWanted } from '../pipeline.js';
import { clientCredentialsFromFiles, createExportClient } from '../export/export-client.js';
import { buildGpuSampler } from '../sources/gpu-from-config.js';
import type { Command } from './command.js';
import { wantsHelp } from './command.js';
import { parseArgs } from './flags.js';

export interface Check {
  name: string;
  level: 'ok' | 'warn' | 'fail';
  detail: string;
}

const USAGE = `usage: renderwatch-agent doctor [same options as run]

Checks GPU access (NVML, nvidia-smi or the replay files), runtime log paths, the state directory,
the configured volumes, and whether the collector is reachable and accepts this agent's token.
Prints one line per check with what to do; exits 1 when a check failed.
`;

async function canRead(path: string): Promise<boolean> {
  return access(path, constants.R_OK).then(
    () => true,
    () => false,
  );
}

async function gpuCheck(cfg: AgentConfig): Promise<Check> {
  const r = await buildGpuSampler(cfg, pino({ level: 'silent' }));
  if (!r.ok) return { name: 'gpu', level: 'fail', detail: r.message };
  if (r.sampler === undefined) return { name: 'gpu', level: 'warn', detail: 'AGENT_GPU_SOURCE=none: no GPU is sampled' };
  const s = await r.sampler.sample();
  await r.sampler.close();
  if (s.gpus.length === 0) {
    const why = s.status[0]?.detail ?? 'no GPU answered';
    return { name: 'gpu', level: 'fail', detail: `${r.sampler.source}: ${why}; check the driver (nvidia-smi) and device permissions` };
  }
  const names = [...new Set(s.gpus.map((g) => g.name ?? 'unknown'))].join(', ');
  return { name: 'gpu', level: 'ok', detail: `${r.sampler.source}: ${s.gpus.length} GPU(s): ${names}` };
}

async function logChecks(cfg: AgentConfig): Promise<Check[]> {
  const logs = cfg.AGENT_RUNTIME_LOGS;
  if (logs.length === 0)
    return [{ name: 'runtime logs', level: 'warn', detail: 'AGENT_RUNTIME_LOGS is empty: no runtime events (jobs, OOMs, starts) will be collected' }];
  return Promise.all(
    logs.map(async ({ runtime, path }): Promise<Check> => {
      if (await canRead(path)) return { name: `log ${runtime}`, level: 'ok', detail: `${path} is readable` };
      return {
        name: `log ${runtime}`,
        level: 'warn',
        detail: `${path} is missing or unreadable (followed once it appears; check the path and that the agent's user may read it)`,
      };
    }),
  );
}

async function stateCheck(cfg: AgentConfig): Promise<Check> {
  const probe = join(cfg.AGENT_STATE_DIR, `.doctor-${process.pid}`);
  try {
    await mkdir(cfg.AGENT_STATE_DIR, { recursive: true });
    await writeFile(probe, 'ok');
    await rm(probe);
    return { name: 'state dir', level: 'ok', detail: `${cfg.AGENT_STATE_DIR} is writable (spool and log offsets)` };
  } catch (err: unknown) {
    return {
      name: 'state dir',
      level: 'fail',
      detail: `${cfg.AGENT_STATE_DIR} is not writable (${err instanceof Error ? err.message : String(err)}); set AGENT_STATE_DIR or fix its owner`,
    };
  }
}

async function volumeChecks(cfg: AgentConfig): Promise<Check[]> {
  return Promise.all(
    Object.entries(cfg.AGENT_VOLUMES).map(async ([role, path]): Promise<Check> =>
      (await canRead(path))
        ? { name: `volume ${role}`, level: 'ok', detail: path }
        : { name: `volume ${role}`, level: 'warn', detail: `${path} does not exist: free space will not be reported` },
    ),
  );
}

/**
 * Reachability and token in one call with no side effect: an Export with an empty agent_id is
 * authenticated first and then refused as INVALID_ARGUMENT, so that answer means "token accepted".
 */
async function collectorCheck(cfg: AgentConfig): Promise<Check> {
  const client = createExportClient({
    address: cfg.AGENT_COLLECTOR_ADDRESS,
    ...(cfg.AGENT_TOKEN === '' ? {} : { token: cfg.AGENT_TOKEN }),
    ...(tlsWanted(cfg)
      ? { credentials: clientCredentialsFromFiles({ caFile: cfg.AGENT_TLS_CA_FILE, certFile: cfg.AGENT_TLS_CERT_FILE, keyFile: cfg.AGENT_TLS_KEY_FILE }) }
      : {}),
  });
  try {
    const r = await client.send({ agentId: '', batchSeq: 0, host: undefined, gpuSamples: [], hostSamples: [], events: [], gpuStatus: [] }, 5000);
    const code = r.status === 'ok' ? status.OK : (r.error as Error & { code?: number }).code;
    const at = cfg.AGENT_COLLECTOR_ADDRESS;
    if (code === status.INVALID_ARGUMENT || code === status.OK) return { name: 'collector', level: 'ok', detail: `${at} reachable; token accepted` };
    if (code === status.UNAUTHENTICATED || code === status.PERMISSION_DENIED) {
      return {
        name: 'collector',
        level: 'fail',
        detail: `${at} refused the token (${cfg.AGENT_TOKEN === '' ? 'none set: set AGENT_TOKEN' : 'wrong or revoked: ask for a new one (renderwatch-collector hash-token --new)'})`,
      };
    }
    return {
      name: 'collector',
      level: 'fail',
      detail: `${at} not reachable (${r.status === 'ok' ? '' : r.error.message}); check AGENT_COLLECTOR_ADDRESS, the network and TLS settings`,
    };
  } finally {
    client.close();
  }
}

export async function runChecks(cfg: AgentConfig): Promise<Check[]> {
  const [gpu, logs, state, vols, collector] = await Promise.all([gpuCheck(cfg), logChecks(cfg), stateCheck(cfg), volumeChecks(cfg), collectorCheck(cfg)]);
  return [gpu, ...logs, state, ...vols, collector];
}

export const doctorCommand: Command = {
  name: 'doctor',
  summary: 'check GPU access, log paths, state dir, collector and token; say what to fix',
  usage: USAGE,
  async run(argv, io) {
    if (wantsHelp(argv)) {
      io.out(USAGE);
      return 0;
    }
    const parsed = loadAgentConfig(parseArgs(argv).flags);
    if (!parsed.ok) {
      io.err(`renderwatch-agent doctor: invalid configuration:\n${parsed.issues.map((i) => `  - ${i}`).join('\n')}\n`);
      return 2;
    }
    const checks = await runChecks(parsed.config);
    const mark = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' } as const;
    for (const c of checks) io.out(`${mark[c.level]}  ${c.name.padEnd(16)} ${c.detail}\n`);
    const failed = checks.filter((c) => c.level === 'fail').length;
    io.out(failed === 0 ? '\nall checks passed\n' : `\n${failed} check(s) failed\n`);
    return failed === 0 ? 0 : 1;
  },
};
