// OpenMetrics 1.0 text exposition of a prom-client registry, built from getMetricsAsJSON() so the
// registry itself stays in the Prometheus text format (prom-client's own OpenMetrics mode renames
// counters in place, which would break the text format served to the next scraper).
import type { MetricObjectWithValues, MetricValue, Registry } from 'prom-client';

export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

const escapeLabel = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function formatLabels(labels: Readonly<Record<string, string | number | undefined>>): string {
  const parts = Object.entries(labels)
    .filter((e): e is [string, string | number] => e[1] !== undefined)
    .map(([k, v]) => `${k}="${escapeLabel(typeof v === 'number' ? formatValue(v) : v)}"`);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

function family(m: MetricObjectWithValues<MetricValue<string>>): string[] {
  const type = String(m.type);
  const isCounter = type === 'counter';
  const name = isCounter ? m.name.replace(/_total$/, '') : m.name;
  const lines = [`# TYPE ${name} ${type}`, `# HELP ${name} ${escapeLabel(m.help)}`];
  for (const v of m.values) {
    const sample = (v as { metricName?: string }).metricName ?? (isCounter ? `${name}_total` : name);
    lines.push(`${sample}${formatLabels(v.labels)} ${formatValue(v.value)}`);
  }
  return lines;
}

/** Serialises every metric of the registry as OpenMetrics text, then `extra` (already OpenMetrics lines), ending with `# EOF`. */
export async function openMetricsText(registry: Registry, extra = ''): Promise<string> {
  const metrics = await registry.getMetricsAsJSON();
  const lines = metrics.flatMap((m) => family(m as MetricObjectWithValues<MetricValue<string>>));
  return `${lines.join('\n')}\n${extra}# EOF\n`;
}

/** True when the scraper prefers OpenMetrics (Prometheus sends it first in Accept). */
export function wantsOpenMetrics(accept: string | undefined): boolean {
  if (accept === undefined) return false;
  for (const part of accept.split(',')) {
    const [type = '', ...params] = part.split(';').map((s) => s.trim());
    if (type.toLowerCase() !== 'application/openmetrics-text') continue;
    const q = params.find((p) => p.startsWith('q='));
    if (q === undefined || Number(q.slice(2)) > 0) return true;
  }
  return false;
}
