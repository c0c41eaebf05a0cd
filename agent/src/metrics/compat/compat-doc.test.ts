// docs/metrics.md and the peer-compatible families cannot drift: every family the compatibility
// modes declare is named in the section "Compatibility modes", none is listed as not served, and
// every enabled row of dcgm-exporter's default-counters.csv is either served (with its type) or in
// the table "Peer metrics not served".
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCompatMetrics } from './compat-metrics.js';

const ROOT = join(import.meta.dirname, '../../../..');
const DOC = readFileSync(join(ROOT, 'docs', 'metrics.md'), 'utf8');
const section = (title: string): string => DOC.split(/^## /m).find((s) => s.startsWith(title)) ?? '';

/** `nvidia_smi_mig_{sm,tensor}_activity_ratio{uuid}` → the names it stands for (labels dropped). */
function expand(token: string): string[] {
  const m = /^([A-Za-z0-9_]*)\{([A-Za-z0-9_,]+)\}([A-Za-z0-9_]*)/.exec(token);
  if (m === null) return [/^[A-Za-z0-9_]+/.exec(token)?.[0] ?? ''];
  if ((m[1] ?? '') === '' || !(m[2] ?? '').includes(',')) {
    // `name{labels}`: a label set, not alternatives.
    if ((m[3] ?? '') === '') return [m[1] ?? ''];
  }
  return (m[2] ?? '').split(',').flatMap((alt) => expand(`${m[1] ?? ''}${alt}${m[3] ?? ''}${token.slice(m[0].length)}`));
}

const mentioned = new Set([...section('Compatibility modes').matchAll(/`([^`]+)`/g)].flatMap((m) => expand(m[1] ?? '')));
const notServed = new Set([...section('Peer metrics not served').matchAll(/^\| `([A-Za-z0-9_]+)`/gm)].map((m) => m[1] ?? ''));
const families = createCompatMetrics(['dcgm', 'nvidia_gpu_exporter'], 'h').families();

describe('docs/metrics.md "Compatibility modes"', () => {
  it('expands the brace lists it uses', () => {
    expect(expand('nvidia_smi_mig_{sm_activity,tensor_activity}_ratio{uuid, gpu_instance_id}')).toEqual([
      'nvidia_smi_mig_sm_activity_ratio',
      'nvidia_smi_mig_tensor_activity_ratio',
    ]);
    expect(expand('nvidia_smi_mig_info{uuid, mig_uuid}')).toEqual(['nvidia_smi_mig_info']);
  });

  it.each(families.map((f) => f.name))('documents %s', (name) => {
    expect(mentioned).toContain(name);
  });

  it('lists no served family as not served', () => {
    expect(families.map((f) => f.name).filter((n) => notServed.has(n))).toEqual([]);
  });

  it("covers every enabled row of dcgm-exporter's default-counters.csv: served with its type, or not served", () => {
    const csv = readFileSync(join(ROOT, 'agent', 'test', 'fixtures', 'peers', 'dcgm-exporter', 'default-counters.csv'), 'utf8');
    const rows = csv
      .split('\n')
      .filter((l) => l.startsWith('DCGM_FI_'))
      .map((l) => l.split(',').map((c) => c.trim()))
      .filter(([, type]) => type !== 'label');
    expect(rows.length).toBe(25);
    const byName = new Map(families.map((f) => [f.name, f.type]));
    const uncovered = rows.filter(([name, type]) => byName.get(name ?? '') !== type && !notServed.has(name ?? '')).map(([n]) => n);
    expect(uncovered).toEqual([]);
    expect(rows.filter(([n]) => notServed.has(n ?? '')).map(([n]) => n)).toEqual(['DCGM_FI_DEV_VGPU_LICENSE_STATUS']);
  });
});
