#!/usr/bin/env node
// `npm run bench` lists the benchmarks; `npm run bench -- <name>` runs bench/src/<name>.ts.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, ensureOsPackages, ensurePnpm, ensureWorkspace } from './ensure-deps.mjs';

const NAMES = [
  'agent-overhead',
  'metrics-scrape',
  'log-parse',
  'ingest',
  'e2e-latency',
  'fleet-1000',
  'api-latency',
  'dashboard-load',
  'cluster-ingest',
  'preauth-flood',
];
const dir = join(ROOT, 'bench', 'src');
const present = existsSync(dir)
  ? readdirSync(dir)
      .filter((f) => f.endsWith('.ts') && !f.includes('.test.'))
      .map((f) => f.replace(/\.ts$/, ''))
  : [];
const name = process.argv[2];
if (name === undefined || name === '--help' || name === 'list') {
  console.log('usage: npm run bench -- <name>\n\nbenchmarks (figures in bench/README.md):');
  for (const n of NAMES) console.log(`  ${n.padEnd(16)} ${present.includes(n) ? '' : '(not built yet)'}`);
  process.exit(name === undefined || name === 'list' ? 0 : 0);
}
if (!present.includes(name)) {
  console.error(`bench: no benchmark named "${name}" (bench/src/${name}.ts); run \`npm run bench\` for the list`);
  process.exit(2);
}
ensurePnpm();
ensureWorkspace();
ensureOsPackages(['clickhouse-server', 'clickhouse-client', 'chromium', 'gcc', 'zookeeper']);
const r = spawnSync('node', ['--import', 'tsx/esm', join(dir, `${name}.ts`), ...process.argv.slice(3)], { cwd: ROOT, stdio: 'inherit' });
process.exit(r.status ?? 1);
