// Version drift arithmetic: the change points of one host's timeline, its state at an instant and
// the difference between two states. Pure; unit-tested beside.
import type { JobStatsRow, VersionsHost } from '@renderwatch/schema';

export interface Change {
  atMs: number;
  kind: 'version' | 'extensions' | 'model_hash';
  runtime?: string;
  text: string;
}

const ms = (iso: string): number => Date.parse(iso);

/** Every change on the host, oldest first: a new runtime version or extension set, or a model file whose hash changed. */
export function changePoints(h: VersionsHost): Change[] {
  const out: Change[] = [];
  for (const p of h.timeline) {
    if (p.previous_version !== null && p.previous_version !== p.version) {
      out.push({ atMs: ms(p.first_start), kind: 'version', runtime: p.runtime, text: `${p.runtime} ${p.previous_version} → ${p.version}` });
    }
    const parts = [...(p.added ?? []).map((x) => `+${x}`), ...(p.removed ?? []).map((x) => `−${x}`)];
    if (parts.length > 0) out.push({ atMs: ms(p.first_start), kind: 'extensions', runtime: p.runtime, text: `${p.runtime} extensions ${parts.join(' ')}` });
  }
  const byModel = new Map<string, VersionsHost['model_hashes']>();
  for (const m of h.model_hashes) byModel.set(m.model, [...(byModel.get(m.model) ?? []), m]);
  for (const [model, seen] of byModel) {
    const sorted = [...seen].sort((a, b) => ms(a.first_seen) - ms(b.first_seen));
    for (let i = 1; i < sorted.length; i++) {
      const prev = sorted[i - 1];
      const cur = sorted[i];
      if (prev === undefined || cur === undefined) continue;
      out.push({ atMs: ms(cur.first_seen), kind: 'model_hash', text: `${model} ${prev.model_hash} → ${cur.model_hash}` });
    }
  }
  return out.sort((a, b) => a.atMs - b.atMs);
}

export interface HostState {
  runtimes: Map<string, { version: string; extensions: string[] }>;
  hashes: Map<string, string>;
}

/** What ran on the host at `t`: the last period started by then per runtime, the last hash seen by then per model. */
export function stateAt(h: VersionsHost, t: number): HostState {
  const runtimes = new Map<string, { version: string; extensions: string[] }>();
  for (const p of h.timeline) if (ms(p.first_start) <= t) runtimes.set(p.runtime, { version: p.version, extensions: p.extensions });
  const hashes = new Map<string, string>();
  const sorted = [...h.model_hashes].sort((a, b) => ms(a.first_seen) - ms(b.first_seen));
  for (const m of sorted) if (ms(m.first_seen) <= t) hashes.set(m.model, m.model_hash);
  return { runtimes, hashes };
}

/** Lines saying what differs from state `a` to state `b`; empty when nothing does. */
export function diffStates(a: HostState, b: HostState): string[] {
  const out: string[] = [];
  for (const rt of new Set([...a.runtimes.keys(), ...b.runtimes.keys()])) {
    const x = a.runtimes.get(rt);
    const y = b.runtimes.get(rt);
    if (x === undefined || y === undefined) {
      out.push(`${rt}: ${x === undefined ? 'not running' : x.version} → ${y === undefined ? 'not running' : y.version}`);
      continue;
    }
    if (x.version !== y.version) out.push(`${rt}: ${x.version} → ${y.version}`);
    const added = y.extensions.filter((e) => !x.extensions.includes(e));
    const removed = x.extensions.filter((e) => !y.extensions.includes(e));
    if (added.length > 0) out.push(`${rt} extensions added: ${added.join(', ')}`);
    if (removed.length > 0) out.push(`${rt} extensions removed: ${removed.join(', ')}`);
  }
  for (const model of new Set([...a.hashes.keys(), ...b.hashes.keys()])) {
    const x = a.hashes.get(model);
    const y = b.hashes.get(model);
    if (x !== y) out.push(`${model}: ${x ?? 'not loaded'} → ${y ?? 'not loaded'}`);
  }
  return out;
}

export interface DurationShift {
  model: string;
  beforeP50: number | null;
  afterP50: number | null;
  /** after ÷ before − 1 of the p50 durations; null when either side has none. */
  change: number | null;
  beforeOk: number | null;
  afterOk: number | null;
  jobsBefore: number;
  jobsAfter: number;
}

const sum = (rs: readonly JobStatsRow[], k: 'jobs' | 'ok'): number => rs.reduce((s, r) => s + r[k], 0);

/** Per model: p50 job duration and completion ratio before and after a change. */
export function durationShifts(before: readonly JobStatsRow[], after: readonly JobStatsRow[]): DurationShift[] {
  const models = [...new Set([...before.map((r) => r.model), ...after.map((r) => r.model)])].sort();
  return models.map((model) => {
    const b = before.filter((r) => r.model === model);
    const a = after.filter((r) => r.model === model);
    const p50 = (rs: readonly JobStatsRow[]) =>
      rs.length === 0 ? null : rs.reduce((s, r) => s + (r.duration_p50_s ?? 0) * r.jobs, 0) / Math.max(1, sum(rs, 'jobs'));
    const bp = p50(b);
    const ap = p50(a);
    const jb = sum(b, 'jobs');
    const ja = sum(a, 'jobs');
    return {
      model,
      beforeP50: bp,
      afterP50: ap,
      change: bp !== null && ap !== null && bp > 0 ? ap / bp - 1 : null,
      beforeOk: jb > 0 ? sum(b, 'ok') / jb : null,
      afterOk: ja > 0 ? sum(a, 'ok') / ja : null,
      jobsBefore: jb,
      jobsAfter: ja,
    };
  });
}
