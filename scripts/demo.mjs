#!/usr/bin/env node
// `npm run demo`: installs what is missing, builds the dashboard, then runs e2e/src/demo/run-demo.ts.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, ensureOsPackages, ensurePnpm, ensureWorkspace } from './ensure-deps.mjs';

const args = process.argv.slice(2);
if (!args.includes('--help') && !args.includes('-h')) {
  ensurePnpm();
  ensureWorkspace();
  if (!process.env.RENDERWATCH_CLICKHOUSE_URL) ensureOsPackages(['clickhouse-server']);
  spawnSync('node', [join(ROOT, 'scripts', 'bundle-agent.mjs')], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  if (!existsSync(join(ROOT, 'dashboard', 'dist', 'index.html')) || args.includes('--rebuild')) {
    process.stderr.write('[renderwatch] building the dashboard (vite)\n');
    const r = spawnSync('pnpm', ['--filter', '@renderwatch/dashboard', 'run', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0) process.stderr.write('[renderwatch] dashboard build failed; the API still works\n');
  }
}
const child = spawn('node', ['--import', 'tsx/esm', join(ROOT, 'e2e', 'src', 'demo', 'run-demo.ts'), ...args.filter((a) => a !== '--rebuild')], {
  cwd: ROOT,
  stdio: 'inherit',
});
// Ctrl-C reaches the child through the terminal's process group; forward SIGTERM ourselves.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('exit', (code) => process.exit(code ?? 1));
