// A minimal exposition writer for the peer-compatible families (metrics/compat): they are rebuilt
// from the latest sample, so they are plain values rendered to text once per sample, not prom-client
// instruments. Text format 0.0.4, or the OpenMetrics 1.0 lines (without `# EOF`) for the same data.

export type FamilyType = 'gauge' | 'counter';

export interface Sample {
  labels: readonly (readonly [string, string])[];
  value: number;
}

export interface Family {
  name: string;
  help: string;
  type: FamilyType;
  samples: Sample[];
}

const escapeLabel = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const escapeHelp = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function line(name: string, s: Sample): string {
  const labels = s.labels.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',');
  return `${name}${labels === '' ? '' : `{${labels}}`} ${formatValue(s.value)}`;
}

/**
 * Renders families; empty families are left out (absent, as the peers do). In OpenMetrics a counter
 * family is named without `_total` and its samples with it; a peer counter whose name lacks `_total`
 * (dcgm-exporter's DCGM_FI_* counters) is typed `unknown` there, since OpenMetrics cannot name it.
 */
export function renderFamilies(families: readonly Family[], openMetrics: boolean): string {
  const out: string[] = [];
  for (const f of families) {
    if (f.samples.length === 0) continue;
    let family = f.name;
    let type: string = f.type;
    if (openMetrics && f.type === 'counter') {
      if (f.name.endsWith('_total')) family = f.name.slice(0, -'_total'.length);
      else type = 'unknown';
    }
    out.push(`# HELP ${family} ${escapeHelp(f.help)}`, `# TYPE ${family} ${type}`);
    for (const s of f.samples) out.push(line(f.name, s));
  }
  return out.length === 0 ? '' : `${out.join('\n')}\n`;
}

/** Collects samples by family name, keeping the order families were declared in. */
export class FamilySet {
  private readonly byName = new Map<string, Family>();

  declare(name: string, type: FamilyType, help: string): void {
    if (!this.byName.has(name)) this.byName.set(name, { name, type, help, samples: [] });
  }

  /** Adds a sample when the value is a finite number; undefined (absent) adds nothing. */
  add(name: string, labels: readonly (readonly [string, string])[], value: number | undefined): void {
    if (value === undefined || !Number.isFinite(value)) return;
    this.byName.get(name)?.samples.push({ labels, value });
  }

  families(): Family[] {
    return [...this.byName.values()];
  }
}
