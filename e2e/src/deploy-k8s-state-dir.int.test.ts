// The Kubernetes DaemonSet on a fresh node: the kubelet creates the spool's hostPath root-owned
// (DirectoryOrCreate, 0755) and the agent runs as uid 1000. Done here as the manifest does it, with
// setpriv (the test runs as root): the directory made root-owned, the manifest's `state-dir` init
// container command run as root with only the capabilities the manifest grants it, then the real
// agent daemon (agent/bin/renderwatch-agent run) as uid/gid 1000 with the manifest's AGENT_STATE_DIR
// mapped onto the directory. Without the init step the agent cannot open its spool (EACCES).
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@renderwatch/devkit';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

const ROOT = join(import.meta.dirname, '../..');
const MANIFEST = join(ROOT, 'deploy/k8s/base/agent-daemonset.yaml');
const UID = 1000;

interface Container {
  name: string;
  command?: string[];
  env?: { name: string; value?: string }[];
  securityContext?: { runAsUser?: number; runAsNonRoot?: boolean; capabilities?: { drop?: string[]; add?: string[] } };
  volumeMounts: { name: string; mountPath: string }[];
}
interface PodSpec {
  securityContext: { runAsUser: number; runAsGroup: number };
  initContainers?: Container[];
  containers: Container[];
  volumes: { name: string; hostPath?: { path: string; type?: string } }[];
}

const manifestDoc = parseAllDocuments(readFileSync(MANIFEST, 'utf8'))[0];
if (manifestDoc === undefined) throw new Error(`${MANIFEST} holds no YAML document`);
const pod = (manifestDoc.toJS() as { spec: { template: { spec: PodSpec } } }).spec.template.spec;
const agent = pod.containers.find((c) => c.name === 'agent') as Container;
const statePath = agent.env?.find((e) => e.name === 'AGENT_STATE_DIR')?.value ?? '';

/** Runs the agent daemon as uid/gid 1000 until it has opened its spool or given up; returns its output. */
async function runAgentAsUid(stateDir: string): Promise<{ out: string; spool: boolean }> {
  const port = await freePort();
  const p = spawn(
    'setpriv',
    [
      `--reuid=${pod.securityContext.runAsUser}`,
      `--regid=${pod.securityContext.runAsGroup}`,
      '--clear-groups',
      join(ROOT, 'agent/bin/renderwatch-agent'),
      'run',
    ],
    {
      env: {
        PATH: process.env.PATH,
        HOME: tmpdir(),
        AGENT_STATE_DIR: stateDir,
        AGENT_GPU_SOURCE: 'none',
        AGENT_HOSTNAME: 'gpu-node-fresh',
        AGENT_COLLECTOR_ADDRESS: '127.0.0.1:1',
        AGENT_METRICS_HOST: '127.0.0.1',
        AGENT_METRICS_PORT: String(port),
        AGENT_LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  p.stdout.on('data', (b: Buffer) => (out += b.toString()));
  p.stderr.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<void>((r) => p.once('exit', () => r()));
  for (let i = 0; i < 300 && p.exitCode === null; i++) {
    if (out.includes('agent started') || out.includes('cannot open the spool')) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  if (p.exitCode === null) p.kill('SIGTERM');
  await exited;
  let spool = false;
  try {
    spool = statSync(join(stateDir, 'spool')).uid === UID;
  } catch {
    spool = false;
  }
  return { out, spool };
}

describe('deploy/k8s agent state dir on a fresh node', () => {
  // the host's /var/lib: root-owned 0755, traversable by every uid
  const scratch = mkdtempSync(join(tmpdir(), 'rw-k8s-state-'));
  chmodSync(scratch, 0o755);
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  /** The hostPath as the kubelet creates it: root-owned, 0755; the manifest's mount path mapped into the scratch dir. */
  function freshHostPath(name: string): string {
    const dir = join(scratch, name);
    mkdirSync(dir, { mode: 0o755 });
    expect(statSync(dir).uid).toBe(0);
    return dir;
  }

  it('mounts the state volume where AGENT_STATE_DIR points, from a DirectoryOrCreate hostPath', () => {
    expect(statePath).toBe('/var/lib/renderwatch-agent');
    expect(agent.volumeMounts.find((m) => m.mountPath === statePath)?.name).toBe('state');
    expect(pod.volumes.find((v) => v.name === 'state')?.hostPath).toEqual({ path: '/var/lib/renderwatch-agent', type: 'DirectoryOrCreate' });
    expect(pod.securityContext).toMatchObject({ runAsUser: UID, runAsGroup: UID });
  });

  it('reproduces the defect: uid 1000 cannot open its spool in the root-owned directory', async () => {
    const dir = freshHostPath('no-init');
    const r = await runAgentAsUid(dir);
    expect(r.out).toContain('cannot open the spool');
    expect(r.out).toContain(`EACCES: permission denied, mkdir '${join(dir, 'spool')}'`);
    expect(r.spool).toBe(false);
  });

  it('the state-dir init container, as root with only CHOWN and FOWNER, lets uid 1000 create and write its spool', async () => {
    const init = pod.initContainers?.find((c) => c.name === 'state-dir');
    expect(init?.volumeMounts).toEqual([{ name: 'state', mountPath: statePath }]);
    expect(init?.securityContext).toMatchObject({ runAsUser: 0, runAsNonRoot: false, capabilities: { drop: ['ALL'], add: ['CHOWN', 'FOWNER'] } });
    const dir = freshHostPath('with-init');
    const caps = (init?.securityContext?.capabilities?.add ?? []).map((c) => `+${c.toLowerCase()}`).join(',');
    const command = (init?.command ?? []).map((a) => a.replaceAll(statePath, dir));
    expect(command.slice(0, 2)).toEqual(['sh', '-c']);
    // run twice: the second pod start finds the directory already handed over
    for (let i = 0; i < 2; i++) {
      const r = spawnSync('setpriv', ['--reuid=0', '--regid=0', '--clear-groups', `--inh-caps=-all,${caps}`, `--bounding-set=-all,${caps}`, ...command], {
        encoding: 'utf8',
      });
      expect(r.status, r.stderr).toBe(0);
    }
    expect(statSync(dir).uid).toBe(UID);
    const r = await runAgentAsUid(dir);
    expect(r.out).not.toContain('EACCES');
    expect(r.out).toContain('agent started');
    expect(r.spool).toBe(true);
  });
});
