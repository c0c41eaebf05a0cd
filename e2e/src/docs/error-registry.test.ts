// Error codes both ways, the way Fastify's test/internals/errors.test.js counts its codes: every code
// the collector or the agent sends is in its registry (collector/src/errors.ts, agent/src/errors.ts)
// and in docs/errors.md, every registered code is sent somewhere (or retired, with the reason), and
// every code the dashboard, e2e tests, simulator and benchmarks name is one the collector or agent has.
// "Sent" = named as a string literal in the service's non-test source outside its registry.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AGENT_ERRORS } from '@renderwatch/agent/harness';
import { COLLECTOR_ERRORS } from '@renderwatch/collector';
import { describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Registered codes. Adding or retiring one changes these numbers on purpose: update them in the same commit. */
const COLLECTOR_CODES = 21;
const AGENT_CODES = 39;
const AGENT_RETIRED = 1;

function sourceFiles(dir: string, keep: (f: string) => boolean): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p, keep));
    else if (/\.(ts|tsx|mjs)$/.test(name) && keep(p)) out.push(p);
  }
  return out;
}

/** code → files naming it as a whole string literal (a quoted prefix such as AGT_ERR_NVML_ is not a code). */
function codesNamed(files: string[], prefix: string): Map<string, string[]> {
  const re = new RegExp(`['"\`](${prefix}_ERR_[A-Z0-9_]*[A-Z0-9])['"\`]`, 'g');
  const out = new Map<string, string[]>();
  for (const f of files) {
    for (const m of readFileSync(f, 'utf8').matchAll(re)) {
      const code = m[1] as string;
      out.set(code, [...(out.get(code) ?? []), relative(ROOT, f)]);
    }
  }
  return out;
}

const isTest = (f: string): boolean => /\.test\.tsx?$/.test(f) || f.includes(`${join('test', 'support')}`);
const sent = (service: string, prefix: string): Map<string, string[]> =>
  codesNamed(
    sourceFiles(join(ROOT, service, 'src'), (f) => !isTest(f) && f !== join(ROOT, service, 'src', 'errors.ts')),
    prefix,
  );

const docHeadings = (): string[] => [...readFileSync(join(ROOT, 'docs', 'errors.md'), 'utf8').matchAll(/^### ([A-Z0-9_]+)$/gm)].map((m) => m[1] as string);

describe('collector error codes', () => {
  const registered = Object.keys(COLLECTOR_ERRORS);
  const used = sent('collector', 'COL');

  it(`has ${COLLECTOR_CODES} registered codes`, () => {
    expect(registered).toHaveLength(COLLECTOR_CODES);
  });

  it('sends only registered codes', () => {
    expect([...used.keys()].filter((c) => !registered.includes(c)).map((c) => `${c} (${used.get(c)?.join(', ')})`)).toEqual([]);
  });

  it('sends every registered code somewhere', () => {
    expect(registered.filter((c) => !used.has(c))).toEqual([]);
  });
});

describe('agent error codes', () => {
  const registered = Object.entries(AGENT_ERRORS as Record<string, { retired?: string }>);
  const used = sent('agent', 'AGT');

  it(`has ${AGENT_CODES} registered codes, ${AGENT_RETIRED} of them retired`, () => {
    expect(registered).toHaveLength(AGENT_CODES);
    expect(registered.filter(([, s]) => s.retired !== undefined)).toHaveLength(AGENT_RETIRED);
  });

  it('sends only registered codes', () => {
    const names = registered.map(([c]) => c);
    expect([...used.keys()].filter((c) => !names.includes(c)).map((c) => `${c} (${used.get(c)?.join(', ')})`)).toEqual([]);
  });

  it('sends every registered code that is not retired, and no retired one', () => {
    expect(registered.filter(([c, s]) => s.retired === undefined && !used.has(c)).map(([c]) => c)).toEqual([]);
    expect(registered.filter(([c, s]) => s.retired !== undefined && used.has(c)).map(([c]) => c)).toEqual([]);
  });
});

describe('docs/errors.md and the code that reads error codes', () => {
  it('has one heading per registered code, no other', () => {
    expect(docHeadings().sort()).toEqual([...Object.keys(COLLECTOR_ERRORS), ...Object.keys(AGENT_ERRORS)].sort());
  });

  it('the dashboard, e2e tests, simulator, benchmarks and scripts name only codes that exist', () => {
    const files = ['dashboard/src', 'e2e/src', 'simulator/src', 'bench/src', 'scripts', 'collector/test', 'agent/test'].flatMap((d) =>
      sourceFiles(join(ROOT, d), () => true),
    );
    const known = new Set([...Object.keys(COLLECTOR_ERRORS), ...Object.keys(AGENT_ERRORS)]);
    const named = new Map([...codesNamed(files, 'COL'), ...codesNamed(files, 'AGT')]);
    expect([...named.keys()].filter((c) => !known.has(c)).map((c) => `${c} (${named.get(c)?.join(', ')})`)).toEqual([]);
  });
});
