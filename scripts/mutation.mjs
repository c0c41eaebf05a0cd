#!/usr/bin/env node
// `npm run mutation [module ...]`: StrykerJS (9.6.1, the last release that runs on Node 20; 10.x needs
// Node 22) with its vitest runner over the decision modules, one module at a time, concurrency 1, each
// against the narrow set of unit tests that decide it. Prints the score per module and exits non-zero
// when one is under the threshold. Not part of `npm test` (minutes per module). Results and every
// surviving mutant explained: docs/mutation.md. Reports: .stryker-reports/<module>.json.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './ensure-deps.mjs';

const THRESHOLD = 80;

/** module → the files mutated and the unit tests that decide them. */
export const MODULES = {
  'oom-cause': {
    mutate: ['agent/src/runtime-logs/oom-cause.ts'],
    tests: ['agent/src/runtime-logs/oom-cause.test.ts', 'agent/src/runtime-logs/torch-oom.test.ts', 'agent/src/runtime-logs/torch-oom-hip.test.ts'],
  },
  'cold-warm': { mutate: ['agent/src/signals/cold-warm.ts'], tests: ['agent/src/signals/cold-warm.test.ts', 'agent/src/signals/cold-warm-boundaries.test.ts'] },
  'slo-evaluate': { mutate: ['collector/src/slo/evaluate.ts'], tests: ['collector/src/slo/evaluate.test.ts'] },
  'burn-rate-alerts': {
    mutate: ['collector/src/alerts/candidates.ts', 'collector/src/alerts/state-machine.ts'],
    tests: ['collector/src/alerts/state-machine.test.ts', 'collector/src/alerts/candidates.test.ts', 'collector/src/slo/evaluate.test.ts'],
  },
  'tenant-scope': { mutate: ['collector/src/storage/scope.ts'], tests: ['collector/src/storage/scope.test.ts'] },
  'retrying-sender': {
    mutate: ['agent/src/export/retrying-sender.ts'],
    tests: ['agent/src/export/retrying-sender.test.ts', 'agent/src/export/retrying-sender-edges.test.ts'],
  },
  spool: {
    mutate: ['agent/src/export/spool.ts', 'agent/src/export/spool-frames.ts'],
    tests: [
      'agent/src/export/spool.test.ts',
      'agent/src/export/spool-journal.test.ts',
      'agent/src/export/spool-frames.test.ts',
      'agent/src/export/spool-accounting.test.ts',
      'agent/src/export/spool-recovery.test.ts',
      'agent/src/export/spool-logs.test.ts',
      'agent/src/export/spool-durability.test.ts',
      'agent/src/export/spool-kill.test.ts',
      'agent/src/export/crash-offsets.test.ts',
    ],
  },
};

function score(reportFile) {
  const r = JSON.parse(readFileSync(reportFile, 'utf8'));
  const count = { killed: 0, survived: 0, noCoverage: 0, timeout: 0, other: 0 };
  const survivors = [];
  for (const [file, f] of Object.entries(r.files)) {
    for (const m of f.mutants) {
      if (m.status === 'Killed') count.killed++;
      else if (m.status === 'Timeout') count.timeout++;
      else if (m.status === 'Survived') count.survived++;
      else if (m.status === 'NoCoverage') count.noCoverage++;
      else count.other++;
      if (m.status === 'Survived' || m.status === 'NoCoverage') {
        survivors.push(`${file}:${m.location.start.line}:${m.location.start.column} ${m.mutatorName} ${JSON.stringify(m.replacement ?? '')} (${m.status})`);
      }
    }
  }
  const detected = count.killed + count.timeout;
  const valid = detected + count.survived + count.noCoverage;
  return { ...count, score: valid === 0 ? 0 : (100 * detected) / valid, survivors };
}

const wanted = process.argv.slice(2);
const names = wanted.length > 0 ? wanted : Object.keys(MODULES);
const reports = join(ROOT, '.stryker-reports');
mkdirSync(reports, { recursive: true });
const results = [];
for (const name of names) {
  const m = MODULES[name];
  if (m === undefined) {
    process.stderr.write(`unknown module ${name}; known: ${Object.keys(MODULES).join(', ')}\n`);
    process.exit(2);
  }
  const config = {
    $schema: './node_modules/@stryker-mutator/core/schema/stryker-schema.json',
    testRunner: 'vitest',
    vitest: { configFile: 'tooling/vitest.mutation.config.ts', related: false },
    plugins: ['@stryker-mutator/vitest-runner'],
    mutate: m.mutate,
    coverageAnalysis: 'perTest',
    concurrency: 1,
    timeoutMS: 20_000,
    reporters: ['clear-text', 'json'],
    jsonReporter: { fileName: join(reports, `${name}.json`) },
    clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
    // The sandbox holds only what these tests import (node_modules is linked, not copied).
    ignorePatterns: [
      '/*',
      '!/agent',
      '!/collector',
      '!/schema',
      '!/proto',
      '!/tooling',
      '!/package.json',
      '!/tsconfig.json',
      '/agent/dist',
      '/agent/test/fixtures/large*',
      // named again, so the walk never enters them (the demo's ClickHouse data changes under it)
      '/.data',
      '/.tsbuild',
      '/.test-output',
      '/.stryker-reports',
      '/dashboard',
      '/e2e',
      '/bench',
      '/simulator',
      '/deploy',
      '/grafana',
      '/docs',
      '/devkit',
    ],
    // Outside the checkout, so nobody's test filters or greps meet the sandbox copies.
    tempDirName: join(tmpdir(), 'renderwatch-stryker', name),
    cleanTempDir: 'always',
    disableTypeChecks: true,
    // No tsconfig rewriting in the sandbox: vitest does not read it, and Stryker's rewriter needs the
    // TypeScript 5 JS API, which this workspace's TypeScript 7 does not have (a file that is not there).
    tsconfigFile: 'tooling/no-tsconfig-for-stryker.json',
  };
  const file = join(reports, `${name}.stryker.json`);
  writeFileSync(file, JSON.stringify(config, null, 2));
  process.stdout.write(`\n== mutation: ${name} (${m.mutate.join(', ')})\n`);
  // Stryker walks the whole checkout for node_modules folders to link into its sandbox; a folder
  // that vanishes under it (the demo's ClickHouse merging parts) fails the run before any mutant:
  // such a run is tried again, up to three times.
  let r;
  for (let attempt = 1; attempt <= 3; attempt++) {
    rmSync(join(reports, `${name}.json`), { force: true });
    r = spawnSync(join(ROOT, 'node_modules', '.bin', 'stryker'), ['run', file], {
      stdio: 'inherit',
      cwd: ROOT,
      env: { ...process.env, RW_MUTATION_TESTS: m.tests.join(',') },
    });
    if (r.status === 0 || existsSync(join(reports, `${name}.json`))) break;
    process.stdout.write(`== mutation: ${name}: Stryker failed before testing (attempt ${attempt} of 3)\n`);
  }
  if (r.status !== 0) {
    results.push({ name, error: `stryker exited ${r.status}` });
    continue;
  }
  results.push({ name, ...score(join(reports, `${name}.json`)) });
}
rmSync(join(tmpdir(), 'renderwatch-stryker'), { recursive: true, force: true });

process.stdout.write('\nmodule              score   killed  timeout  survived  no-coverage\n');
let failed = false;
for (const r of results) {
  if ('error' in r) {
    failed = true;
    process.stdout.write(`${r.name.padEnd(18)}  ERROR  ${r.error}\n`);
    continue;
  }
  if (r.score < THRESHOLD) failed = true;
  process.stdout.write(
    `${r.name.padEnd(18)} ${r.score.toFixed(1).padStart(5)}%  ${String(r.killed).padStart(6)}  ${String(r.timeout).padStart(7)}  ${String(r.survived).padStart(8)}  ${String(r.noCoverage).padStart(11)}\n`,
  );
  for (const s of r.survivors) process.stdout.write(`    survived: ${s}\n`);
}
process.stdout.write(`\nthreshold ${THRESHOLD}% per module: ${failed ? 'NOT met' : 'met'}\n`);
process.exit(failed ? 1 : 0);
