// Packages the collector for hosts without Node tooling (deploy/systemd/renderwatch-collector.service):
// collector/dist/renderwatch-collector.mjs, one ESM file runnable with plain `node`, plus the files
// the collector reads beside its sources, laid out as they are in the source tree so the paths the
// modules compute from import.meta.url still hold: src/storage/migrations/ (with repairs/) and
// slo/default-slos.yaml. Each collector module's import.meta.url is rewritten to the path its source
// has relative to the package (collector/src/storage/migrate.ts → <dist>/src/storage/migrate.js), and
// a module's createRequire(import.meta.url) is dropped so its require() calls are bundled.
// The dashboard is not bundled: the unit points COLLECTOR_DASHBOARD_DIR at a copy of dashboard/dist.
// Run by `npm run bundle` (scripts/bundle-agent.mjs); copy collector/dist/ to /opt/renderwatch/collector.
import { cpSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build } from 'esbuild';
import { ROOT } from './ensure-deps.mjs';

export const COLLECTOR_BUNDLE = join(ROOT, 'collector', 'dist', 'renderwatch-collector.mjs');

/** esbuild plugin: import.meta.url of a collector source is the bundle-relative URL of that source. */
const sourceUrls = {
  name: 'collector-source-urls',
  setup(b) {
    const pkg = join(ROOT, 'collector');
    b.onLoad({ filter: /[\\/]collector[\\/]src[\\/].*\.ts$/ }, (args) => {
      // A module's own createRequire(import.meta.url) would look for packages beside the bundle; its
      // require('literal') calls are bundled instead (the same module instances the bundle uses).
      const text = readFileSync(args.path, 'utf8').replace(/const require = createRequire\(import\.meta\.url\);/g, '');
      if (!text.includes('import.meta.url')) return { contents: text, loader: 'ts' };
      const rel = relative(pkg, args.path).replaceAll('\\', '/').replace(/\.ts$/, '.js');
      return { contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(`./${rel}`)}, import.meta.url).href`), loader: 'ts' };
    });
  },
};

export async function bundleCollector() {
  const out = join(ROOT, 'collector', 'dist');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const t0 = Date.now();
  await build({
    entryPoints: [join(ROOT, 'collector', 'src', 'main.ts')],
    outfile: COLLECTOR_BUNDLE,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    conditions: ['@renderwatch/source'],
    minifyWhitespace: true,
    legalComments: 'none',
    logLevel: 'warning',
    plugins: [sourceUrls],
    banner: { js: "import { createRequire as __rwCreateRequire } from 'node:module'; const require = __rwCreateRequire(import.meta.url);" },
  });
  cpSync(join(ROOT, 'collector', 'src', 'storage', 'migrations'), join(out, 'src', 'storage', 'migrations'), { recursive: true });
  cpSync(join(ROOT, 'collector', 'slo'), join(out, 'slo'), { recursive: true });
  const size = statSync(COLLECTOR_BUNDLE).size;
  console.log(
    `collector bundle: collector/dist/renderwatch-collector.mjs (${(size / 1024 / 1024).toFixed(1)} MB) + src/storage/migrations + slo, in ${Date.now() - t0} ms`,
  );
}

if (process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href) await bundleCollector();
