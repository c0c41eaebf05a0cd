// docs/metrics.md and the registry cannot drift: every renderwatch_* metric the agent registers is
// in the catalog, and every renderwatch_* name in the catalog is registered.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAgentMetrics } from './agent-metrics.js';

const DOC = readFileSync(join(import.meta.dirname, '../../../docs/metrics.md'), 'utf8');

describe('docs/metrics.md', () => {
  const registered = createAgentMetrics({ host: 'h', processMetrics: false }).familyNames().sort();
  const documented = [...new Set([...DOC.matchAll(/`(renderwatch_[a-z_]+)`/g)].map((m) => m[1] ?? ''))].sort();

  it('registers at least the GPU, host, runtime and agent families', () => {
    expect(registered.length).toBeGreaterThan(50);
  });

  it.each(registered)('documents %s', (name) => {
    expect(documented).toContain(name);
  });

  it('names no metric that is not registered', () => {
    expect(documented.filter((n) => !registered.includes(n))).toEqual([]);
  });
});
