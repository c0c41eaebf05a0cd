#!/usr/bin/env node
// Packages the agent for hosts without Node tooling: one ESM file, agent/dist/renderwatch-agent.mjs,
// runnable with plain `node`, plus the one native dependency it cannot inline (koffi, the NVML FFI)
// copied beside it. Copy agent/dist/ to a host and run `node renderwatch-agent.mjs run`. Then the
// collector's bundle, collector/dist/ (scripts/bundle-collector.mjs).
import { cpSync, existsSync, mkdirSync, readdirSync, realpathSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { bundleCollector } from './bundle-collector.mjs';
import { ROOT } from './ensure-deps.mjs';

const out = join(ROOT, 'agent', 'dist');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const t0 = Date.now();
await build({
  // Code a configuration may not use (the OTLP SDK, the ComfyUI API adapter, systeminformation off
  // Linux, the other subcommands) is imported dynamically and split into chunks/, so the daemon
  // never reads, parses or keeps it in memory unless it is used.
  entryPoints: { 'renderwatch-agent': join(ROOT, 'agent', 'src', 'cli.ts') },
  outdir: out,
  outExtension: { '.js': '.mjs' },
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  conditions: ['@renderwatch/source'],
  external: ['koffi'],
  minifyWhitespace: true,
  legalComments: 'none',
  logLevel: 'warning',
  // CommonJS dependencies call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __rwCreateRequire } from 'node:module'; const require = __rwCreateRequire(import.meta.url);" },
});
const koffiDir = realpathSync(join(ROOT, 'agent', 'node_modules', 'koffi'));
cpSync(koffiDir, join(out, 'node_modules', 'koffi'), { recursive: true, dereference: true });
// koffi's prebuilt native module comes in a per-platform package beside it (@koromix/koffi-<os>-<arch>).
const koromix = join(koffiDir, '..', '@koromix');
for (const name of existsSync(koromix) ? readdirSync(koromix) : []) {
  cpSync(realpathSync(join(koromix, name)), join(out, 'node_modules', '@koromix', name), { recursive: true, dereference: true });
}
const size = statSync(join(out, 'renderwatch-agent.mjs')).size;
console.log(
  `agent bundle: agent/dist/renderwatch-agent.mjs (${(size / 1024 / 1024).toFixed(1)} MB) + node_modules/koffi (native FFI), in ${Date.now() - t0} ms`,
);
// The collector's bundle (deploy/systemd/renderwatch-collector.service runs it).
await bundleCollector();
