// Installs what `npm test`, `npm run demo` and `npm run bench` need, on a machine that may have only
// Node.js and npm: pnpm, the workspace's packages, and (as root, on Debian/Ubuntu) the OS packages.
// Plain Node, no dependencies: it runs before anything else is installed.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const PNPM_VERSION = '10.34.9';

/** Debian packages by what needs them; a test that needs one skips with a message when it is absent. */
/** Debian's python3 packages the real ComfyUI (../shared/comfyui-real, README section 1) imports. */
export const COMFYUI_PYTHON_PACKAGES = [
  'python3',
  'python3-torch',
  'python3-torchvision',
  'python3-torchaudio',
  'python3-aiohttp',
  'python3-yarl',
  'python3-numpy',
  'python3-scipy',
  'python3-pil',
  'python3-yaml',
  'python3-tqdm',
  'python3-psutil',
  'python3-av',
  'python3-soundfile',
  'python3-requests',
  'python3-typing-extensions',
  'python3-packaging',
  'python3-sqlalchemy',
  'python3-alembic',
];

export const OS_PACKAGES = [
  { pkg: 'clickhouse-server', bin: ['/usr/sbin/clickhouse-server', '/usr/bin/clickhouse-server'], why: 'storage for tests and the demo' },
  { pkg: 'clickhouse-client', bin: ['/usr/bin/clickhouse-client'], why: 'native inserts in benchmarks' },
  { pkg: 'chromium', bin: ['/usr/bin/chromium'], why: 'browser tests of the dashboard' },
  { pkg: 'gcc', bin: ['/usr/bin/gcc'], why: 'builds the fake libnvidia-ml.so for NVML tests' },
  { pkg: 'prometheus', bin: ['/usr/bin/promtool'], why: 'promtool checks of /metrics and rules' },
  { pkg: 'prometheus-alertmanager', bin: ['/usr/bin/prometheus-alertmanager'], why: 'alert delivery tests' },
  { pkg: 'zookeeper', bin: ['/usr/share/zookeeper/bin/zkServer.sh'], why: 'the ClickHouse cluster test' },
  { pkg: 'prometheus-node-exporter', bin: ['/usr/bin/prometheus-node-exporter'], why: 'the baseline of the agent-overhead benchmark' },
  { pkg: 'curl', bin: ['/usr/bin/curl'], why: "run-comfyui.sh's readiness check" },
  // The real ComfyUI of ../shared/comfyui-real runs on Debian's python3 packages (its README, section 1).
  ...COMFYUI_PYTHON_PACKAGES.map((pkg) => ({
    pkg,
    bin: [`/usr/share/doc/${pkg}/copyright`],
    why: 'the real ComfyUI (../shared/comfyui-real) in integration tests',
  })),
];

function log(msg) {
  process.stderr.write(`[renderwatch] ${msg}\n`);
}

function has(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: ROOT, ...opts });
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed with exit code ${r.status}`);
  }
}

export function pnpmBin() {
  return 'pnpm';
}

export function ensurePnpm() {
  if (has('pnpm')) {
    const v = execFileSync('pnpm', ['--version']).toString().trim();
    if (v === PNPM_VERSION) return;
    log(`pnpm ${v} found; installing pnpm@${PNPM_VERSION} (pnpm 11+ does not run on Node 20)`);
  } else {
    log(`installing pnpm@${PNPM_VERSION} with npm`);
  }
  run('npm', ['install', '-g', `pnpm@${PNPM_VERSION}`, '--no-fund', '--no-audit']);
}

export function ensureWorkspace() {
  log('installing workspace packages (pnpm install --frozen-lockfile)');
  run('pnpm', ['install', '--frozen-lockfile', '--reporter=append-only'], { stdio: ['ignore', 'ignore', 'inherit'] });
}

export function missingOsPackages(names) {
  return OS_PACKAGES.filter((p) => names.includes(p.pkg) && !p.bin.some((b) => existsSync(b)));
}

export function ensureOsPackages(names) {
  const missing = missingOsPackages(names);
  if (missing.length === 0) return;
  const list = missing.map((p) => p.pkg);
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !has('apt-get')) {
    log(`missing OS packages: ${list.join(', ')}`);
    for (const p of missing) log(`  ${p.pkg}: ${p.why}`);
    log(`install them with: sudo apt-get install -y ${list.join(' ')}`);
    log('or point RENDERWATCH_CLICKHOUSE_URL (demo) / RENDERWATCH_TEST_CLICKHOUSE_URL (tests) at an existing ClickHouse');
    return;
  }
  log(`installing OS packages: ${list.join(', ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let r = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...list], { stdio: ['ignore', 'ignore', 'inherit'], env });
  if (r.status !== 0) {
    run('apt-get', ['update'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    r = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...list], { stdio: ['ignore', 'ignore', 'inherit'], env });
    if (r.status !== 0) throw new Error(`apt-get install ${list.join(' ')} failed`);
  }
}
