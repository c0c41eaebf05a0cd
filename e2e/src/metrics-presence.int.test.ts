// docs/metrics.md against what the agent daemon really serves on /metrics, for each GPU source:
// NVML (the fake libnvidia-ml, 8 H100s with XIDs), a live nvidia-smi (agent/test/support/fake-nvidia-smi.mjs)
// and the replay of a recorded H100 query (agent/test/fixtures/nvidia-smi). Every series of the GPU,
// host and agent tables is served, or the table "Absent by GPU source" names it for that source with
// a reason; a series the table calls absent must really be absent.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildFakeNvml, FAKE_NVML_SCENARIOS } from '../../agent/test/support/build-fake-nvml.js';
import { ROOT, startAgent, stop, until } from './peer-dashboards-harness.js';

const DOC = readFileSync(join(ROOT, 'docs', 'metrics.md'), 'utf8');
const SOURCES = ['nvml', 'nvidia-smi', 'replay'] as const;
type Source = (typeof SOURCES)[number];

function section(title: string): string {
  return DOC.split(/^## /m).find((s) => s.startsWith(title)) ?? '';
}

/** Metric names in the first column of a section's table. */
function documented(title: string): string[] {
  return [...section(title).matchAll(/^\| `(renderwatch_[a-z_]+)`/gm)].map((m) => m[1] ?? '');
}

/** metric → source → reason, from the "Absent by GPU source" table (`—` = served). */
function absences(): Map<string, Partial<Record<Source, string>>> {
  const out = new Map<string, Partial<Record<Source, string>>>();
  for (const line of section('Absent by GPU source').split('\n')) {
    const m = /^\| `(renderwatch_[a-z_]+)` \|(.*)\|\s*$/.exec(line);
    if (m === null) continue;
    const cells = (m[2] ?? '').split('|').map((c) => c.trim());
    const row: Partial<Record<Source, string>> = {};
    SOURCES.forEach((s, i) => {
      const c = cells[i] ?? '';
      if (c !== '' && c !== '—') row[s] = c;
    });
    out.set(m[1] ?? '', row);
  }
  return out;
}

const WANTED = [...documented('GPU'), ...documented('Host'), ...documented('Agent self-metrics')];

function served(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line === '') continue;
    const name = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line)?.[1] ?? '';
    names.add(name.replace(/_(bucket|sum|count)$/, ''));
  }
  return names;
}

/** Documented-but-missing and documented-absent-but-served, for one source's /metrics. */
function mismatches(text: string, source: Source): { missing: string[]; wronglyAbsent: string[]; noReason: string[] } {
  const have = served(text);
  const abs = absences();
  const missing: string[] = [];
  const wronglyAbsent: string[] = [];
  const noReason: string[] = [];
  for (const name of WANTED) {
    const reason = abs.get(name)?.[source];
    if (have.has(name) && reason !== undefined) wronglyAbsent.push(name);
    if (!have.has(name) && reason === undefined) missing.push(name);
    if (reason !== undefined && reason.length < 12) noReason.push(name);
  }
  return { missing, wronglyAbsent, noReason };
}

describe('docs/metrics.md against /metrics for each GPU source', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rw-presence-'));
  const procs: ChildProcess[] = [];
  afterAll(async () => {
    await Promise.all(procs.map((p) => stop(p)));
    rmSync(dir, { recursive: true, force: true });
  });

  it('documents at least the GPU, host and agent tables', () => {
    expect(WANTED.length).toBeGreaterThan(40);
    expect(WANTED).toContain('renderwatch_gpu_pcie_transmit_bytes_per_second');
    expect(WANTED).toContain('renderwatch_gpu_clock_event_seconds_total');
  });

  const setups: Record<Source, () => { env: Record<string, string>; args: string[] }> = {
    nvml: () => {
      const scenario = JSON.parse(readFileSync(join(FAKE_NVML_SCENARIOS, 'eight-gpus.json'), 'utf8')) as Record<string, unknown>;
      writeFileSync(join(dir, 'scenario.json'), JSON.stringify({ ...scenario, tick_ms: 500 }));
      return { env: { FAKE_NVML_SCENARIO: join(dir, 'scenario.json'), AGENT_NVML_LIB: buildFakeNvml() }, args: ['--gpu-source', 'nvml'] };
    },
    'nvidia-smi': () => ({
      env: { AGENT_NVIDIA_SMI_PATH: join(ROOT, 'agent', 'test', 'support', 'fake-nvidia-smi.mjs') },
      args: ['--gpu-source', 'nvidia-smi'],
    }),
    replay: () => ({
      env: { AGENT_REPLAY_FILES: join(ROOT, 'agent', 'test', 'fixtures', 'nvidia-smi', 'h100-80gb-hbm3-driver590-query-gpu-load.csv') },
      args: ['--gpu-source', 'replay'],
    }),
  };

  for (const source of SOURCES) {
    it(`${source}: every documented series is served or documented as absent for ${source}, with a reason`, async () => {
      const s = setups[source]();
      const agent = await startAgent({
        fakeNvml: s.env.AGENT_NVML_LIB ?? '',
        scenario: s.env.FAKE_NVML_SCENARIO ?? '',
        stateDir: join(dir, source),
        host: `presence-${source}`,
        args: [...s.args, '--volumes', `model:${dir}`, '--flush-interval-ms', '500'],
        env: s.env,
      });
      procs.push(agent.proc);
      const url = `http://127.0.0.1:${agent.port}/metrics`;
      // Rates need two samples and XIDs need their tick: poll until the page settles into agreement.
      let last = { missing: ['(no scrape)'], wronglyAbsent: [] as string[], noReason: [] as string[] };
      await until(async () => {
        last = mismatches(await (await fetch(url)).text(), source);
        return last.missing.length === 0 && last.wronglyAbsent.length === 0 ? true : undefined;
      }, 30_000).catch(() => undefined);
      await stop(agent.proc);
      expect(last).toEqual({ missing: [], wronglyAbsent: [], noReason: [] });
    });
  }
});
