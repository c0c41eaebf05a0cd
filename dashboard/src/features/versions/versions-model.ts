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

/**
 * What the around-change comparison measures for a model: `per_image` — the p50 seconds per image
 * (each ok job's duration ÷ its images; docs/signals.md "Seconds per image"), used when both sides
 * have it; `job` — the p50 whole-job duration otherwise (collectors before migration 0028, ranges
 * rolled up before it, or no ok job with an image on one side). A job's duration is seconds per
 * image × batch × repeat, so the job p50 also moves with the batch mix.
 */
export type ShiftBasis = 'per_image' | 'job';

export interface DurationShift {
  model: string;
  basis: ShiftBasis;
  /** p50 of the basis (seconds per image or per job) before and after the change. */
  beforeP50: number | null;
  afterP50: number | null;
  /** after ÷ before − 1 of the p50s; null when either side has none. */
  change: number | null;
  beforeOk: number | null;
  afterOk: number | null;
  jobsBefore: number;
  jobsAfter: number;
}

const sum = (rs: readonly JobStatsRow[], k: 'jobs' | 'ok'): number => rs.reduce((s, r) => s + r[k], 0);

/** The rows' p50s of one field averaged with the given weight, over the rows that have it; null when none has. */
function weightedP50(rs: readonly JobStatsRow[], field: 'duration_p50_s' | 'seconds_per_image_p50_s', weight: 'jobs' | 'ok'): number | null {
  let num = 0;
  let den = 0;
  for (const r of rs) {
    const v = r[field];
    if (v === null) continue;
    num += v * r[weight];
    den += r[weight];
  }
  return den > 0 ? num / den : null;
}

/**
 * Per model: the p50 seconds per image (or, where a side lacks it, the p50 job duration) and the
 * completion ratio before and after a change. Over several runtimes, p50s are averaged weighted by
 * ok jobs (per image: only ok jobs have one) or by jobs (job duration).
 */
export function durationShifts(before: readonly JobStatsRow[], after: readonly JobStatsRow[]): DurationShift[] {
  const models = [...new Set([...before.map((r) => r.model), ...after.map((r) => r.model)])].sort();
  return models.map((model) => {
    const b = before.filter((r) => r.model === model);
    const a = after.filter((r) => r.model === model);
    const bi = weightedP50(b, 'seconds_per_image_p50_s', 'ok');
    const ai = weightedP50(a, 'seconds_per_image_p50_s', 'ok');
    const basis: ShiftBasis = bi !== null && ai !== null ? 'per_image' : 'job';
    const bp = basis === 'per_image' ? bi : weightedP50(b, 'duration_p50_s', 'jobs');
    const ap = basis === 'per_image' ? ai : weightedP50(a, 'duration_p50_s', 'jobs');
    const jb = sum(b, 'jobs');
    const ja = sum(a, 'jobs');
    return {
      model,
      basis,
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

/** The unit a p50 of this basis is shown in. */
export const basisUnit = (b: ShiftBasis): string => (b === 'per_image' ? 's/image' : 's/job');

/** The around-change table's duration header: which p50 its rows compare. */
export function shiftHeader(shifts: readonly DurationShift[]): string {
  const kinds = new Set(shifts.map((s) => s.basis));
  if (kinds.size === 1 && kinds.has('job')) return 'p50 job duration before → after';
  if (kinds.size === 1) return 'p50 seconds per image before → after';
  return 'p50 before → after: seconds per image, or job duration where marked s/job';
}
