#!/usr/bin/env node
// `npm test`: install what is missing, then typecheck → lint → proto check → dashboard build →
// unit, integration and e2e tests (vitest) → contract check (fails when ../shared is absent; --skip-contract
// skips it, counted as skipped). Prints `N passed, N failed` last and
// exits non-zero on any failure. Each non-vitest step counts as one test.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, OS_PACKAGES, ensureOsPackages, ensurePnpm, ensureWorkspace } from './ensure-deps.mjs';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const filters = args.filter((a) => !a.startsWith('--'));

ensurePnpm();
ensureWorkspace();
ensureOsPackages(OS_PACKAGES.map((p) => p.pkg));

let passed = 0;
let failed = 0;
let skipped = 0;
const failures = [];

function step(name, cmd, cmdArgs, opts = {}) {
  const t0 = Date.now();
  process.stdout.write(`\n== ${name}\n`);
  const r = spawnSync(cmd, cmdArgs, { stdio: 'inherit', cwd: ROOT, ...opts });
  const ok = r.status === 0;
  process.stdout.write(`== ${name}: ${ok ? 'ok' : `FAILED (exit ${r.status})`} in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  if (ok) passed++;
  else {
    failed++;
    failures.push(name);
  }
  return ok;
}

const bin = (n) => join(ROOT, 'node_modules', '.bin', n);
if (filters.length === 0) {
  step('typecheck (tsc -b)', bin('tsc'), ['-b']);
  step('lint (oxlint)', 'pnpm', ['run', '--silent', 'lint']);
  step('format (oxfmt --check; fix with npm run format)', bin('oxfmt'), ['--check']);
  step('proto: generated code is current, buf lint', 'node', ['scripts/check-proto.mjs']);
  step('boundaries and ratchet', 'node', ['scripts/check-boundaries.mjs']);
  step('agent bundle (esbuild → agent/dist)', 'node', ['scripts/bundle-agent.mjs']);
  step('dashboard build (vite)', 'pnpm', ['--filter', '@renderwatch/dashboard', 'run', 'build'], { stdio: ['ignore', 'ignore', 'inherit'] });
}

mkdirSync(join(ROOT, '.test-output'), { recursive: true });
const report = join(ROOT, '.test-output', 'vitest.json');
const vitestArgs = ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...filters];
if (quick) vitestArgs.push('--project', 'unit', '--project', 'dashboard');
process.stdout.write('\n== vitest\n');
const v = spawnSync(bin('vitest'), vitestArgs, { stdio: 'inherit', cwd: ROOT });
if (existsSync(report)) {
  const r = JSON.parse(readFileSync(report, 'utf8'));
  passed += r.numPassedTests ?? 0;
  failed += r.numFailedTests ?? 0;
  skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  // A file that fails to load has no tests but fails the suite.
  const brokenFiles = (r.testResults ?? []).filter((f) => f.status === 'failed' && (f.assertionResults ?? []).every((a) => a.status !== 'failed'));
  for (const f of brokenFiles) {
    failed++;
    failures.push(`test file failed to run: ${f.name}: ${(f.message ?? '').split('\n')[0]}`);
  }
  if (v.status !== 0 && r.numFailedTests === 0 && brokenFiles.length === 0) {
    failed++;
    failures.push(`vitest exited ${v.status}`);
  }
} else {
  failed++;
  failures.push('vitest wrote no report');
}

if (filters.length === 0 && args.includes('--skip-contract')) {
  skipped++;
  process.stdout.write('\n== contract check (../shared/checks/contract-check): SKIPPED (--skip-contract)\n');
} else if (filters.length === 0) {
  step('contract check (../shared/checks/contract-check)', 'node', ['scripts/contract-check.mjs']);
}

if (failures.length > 0) {
  process.stdout.write(`\nFailures:\n${failures.map((f) => `- ${f}`).join('\n')}\n`);
}
process.stdout.write(`\n${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}\n`);
process.exit(failed > 0 ? 1 : 0);
