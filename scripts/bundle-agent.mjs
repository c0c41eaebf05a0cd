#!/usr/bin/env node
// Packages the agent for hosts without Node tooling: agent/dist/renderwatch-agent.mjs and the ESM
// chunks it imports (chunks/), runnable with plain `node`, plus the one native dependency it cannot
// inline (koffi, the NVML FFI) copied beside it. Copy agent/dist/ to a host and run
// `node renderwatch-agent.mjs run`. Then the collector's bundle, collector/dist/
// (scripts/bundle-collector.mjs).
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import { bundleCollector } from './bundle-collector.mjs';
import { ROOT } from './ensure-deps.mjs';

const out = join(ROOT, 'agent', 'dist');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const t0 = Date.now();

// @renderwatch/schema is declarations only (zod schemas and constants): marked side-effect free, the
// modules whose exports the agent does not use (schema/src/api/*, the collector's HTTP API) are left
// out instead of building their zod schemas at start-up.
const SCHEMA_SRC = join(ROOT, 'schema', 'src');
const schemaPure = {
  name: 'schema-side-effect-free',
  setup(b) {
    b.onResolve({ filter: /.*/ }, async (args) => {
      if (args.pluginData === 'schema-side-effect-free') return undefined;
      const fromSchema = args.path.startsWith('.') && args.importer.startsWith(SCHEMA_SRC);
      if (!fromSchema && !args.path.startsWith('@renderwatch/schema')) return undefined;
      const r = await b.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: 'schema-side-effect-free' });
      return r.errors.length === 0 && r.path.startsWith(SCHEMA_SRC) ? { ...r, sideEffects: false } : undefined;
    });
  },
};
// grpc-js requires @grpc/proto-loader (+ protobufjs, long, lodash.camelcase: ~190 KB) only to serve the
// channelz and ORCA services, which a client never does; bundled it would sit in the daemon's memory as
// source. Replaced by a module that throws if it is ever reached.
const noProtoLoader = {
  name: 'no-proto-loader',
  setup(b) {
    b.onResolve({ filter: /^@grpc\/proto-loader$/ }, () => ({ path: 'proto-loader', namespace: 'no-proto-loader' }));
    b.onLoad({ filter: /.*/, namespace: 'no-proto-loader' }, () => ({
      contents: "throw new Error('@grpc/proto-loader is not bundled with the agent (grpc-js channelz/ORCA services are not used)');",
      loader: 'js',
    }));
  },
};

// zod's `z` namespace re-exports every locale's error messages (~245 KB of source, ~60 languages); the
// agent only ever uses the English one that zod itself configures (zod/v4/classic/external.js).
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/](?:classic|core)[\\/]/.test(args.importer)
        ? { path: join(args.importer, '..', '..', 'locales', 'en.js'), namespace: 'zod-english-only' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-english-only' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      loader: 'js',
      resolveDir: dirname(args.path),
    }));
  },
};

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
  // V8 keeps each module's source in memory: minified (names too) it is ~1.2 MB instead of 1.8 MB for
  // the chunks the daemon loads. Stack traces name minified functions; the external source maps
  // (*.mjs.map beside each file, not read at run time) map them back.
  minify: true,
  sourcemap: 'external',
  legalComments: 'none',
  plugins: [schemaPure, noProtoLoader, zodEnglishOnly],
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
// One character above U+00FF anywhere in a file (esbuild escapes strings but not regex literals) makes
// V8 keep that file's whole source as a two-byte string: twice its size in memory. Write such characters
// as \u escapes in the source.
for (const f of readdirSync(out, { recursive: true })) {
  if (typeof f !== 'string' || !f.endsWith('.mjs') || f.startsWith('node_modules')) continue;
  const text = readFileSync(join(out, f), 'utf8');
  const m = /[\u0100-\uffff]/.exec(text);
  if (m !== null) {
    throw new Error(
      `agent bundle: ${f} contains ${JSON.stringify(m[0])} (U+${m[0].charCodeAt(0).toString(16).toUpperCase()}) near ${JSON.stringify(text.slice(Math.max(0, m.index - 60), m.index + 20))}; write it as a \\u escape in the source (two-byte source in memory)`,
    );
  }
}
const size = readdirSync(out, { recursive: true })
  .filter((f) => typeof f === 'string' && f.endsWith('.mjs') && !f.startsWith('node_modules'))
  .reduce((n, f) => n + statSync(join(out, f)).size, 0);
console.log(
  `agent bundle: agent/dist/renderwatch-agent.mjs + chunks/ (${(size / 1024 / 1024).toFixed(1)} MB, each subcommand and optional source loaded when used) + node_modules/koffi (native FFI), in ${Date.now() - t0} ms`,
);
// The collector's bundle (deploy/systemd/renderwatch-collector.service runs it).
await bundleCollector();
