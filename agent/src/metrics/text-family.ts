// Exposition-text pieces for the families the agent renders itself (gpu-metrics, host-metrics), in
// exactly the form prom-client writes (text format 0.0.4) or openmetrics.ts writes (OpenMetrics 1.0),
// so moving a family out of the registry changes no byte a scraper sees.

export type TextFamilyType = 'gauge' | 'counter';

/** prom-client's label escaping: backslash, newline, double quote. */
export const labelValue = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

const helpText = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

/**
 * The HELP/TYPE lines of a family. Text format: `# HELP` then `# TYPE` (prom-client); OpenMetrics:
 * `# TYPE` then `# HELP`, a counter family named without `_total` (openmetrics.ts; its samples keep it).
 */
export function familyHeader(name: string, type: TextFamilyType, help: string, openMetrics: boolean): string {
  if (!openMetrics) return `# HELP ${name} ${helpText(help)}\n# TYPE ${name} ${type}\n`;
  const family = type === 'counter' ? name.replace(/_total$/, '') : name;
  return `# TYPE ${family} ${type}\n# HELP ${family} ${labelValue(help)}\n`;
}
