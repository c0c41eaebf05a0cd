// Fails when proto/gen is stale (regenerates into a temp dir and compares) or `buf lint` complains.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ROOT } from './ensure-deps.mjs';

const proto = join(ROOT, 'proto');
const buf = join(proto, 'node_modules', '.bin', 'buf');
const lint = spawnSync(buf, ['lint'], { cwd: proto, stdio: 'inherit' });
if (lint.status !== 0) {
  console.error('buf lint failed');
  process.exit(1);
}
const tmp = mkdtempSync(join(tmpdir(), 'rw-proto-'));
try {
  cpSync(join(proto, 'renderwatch'), join(tmp, 'renderwatch'), { recursive: true });
  cpSync(join(proto, 'buf.yaml'), join(tmp, 'buf.yaml'));
  const gen = readFileSync(join(proto, 'buf.gen.yaml'), 'utf8').replace(
    './node_modules/.bin/protoc-gen-ts_proto',
    join(proto, 'node_modules', '.bin', 'protoc-gen-ts_proto'),
  );
  const genFile = join(tmp, 'buf.gen.yaml');
  cpSync(join(proto, 'buf.gen.yaml'), genFile);
  spawnSync('sh', ['-c', `cat > '${genFile}'`], { input: gen });
  const r = spawnSync(buf, ['generate'], { cwd: tmp, stdio: 'inherit' });
  if (r.status !== 0) process.exit(1);
  const walk = (d) => readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : [join(d, n)]));
  const fresh = walk(join(tmp, 'gen'))
    .map((f) => relative(join(tmp, 'gen'), f))
    .sort();
  const committed = walk(join(proto, 'gen'))
    .map((f) => relative(join(proto, 'gen'), f))
    .sort();
  const stale = [];
  if (fresh.join('\n') !== committed.join('\n')) stale.push('file list differs');
  for (const f of fresh) {
    if (!committed.includes(f)) continue;
    if (readFileSync(join(tmp, 'gen', f), 'utf8') !== readFileSync(join(proto, 'gen', f), 'utf8')) stale.push(f);
  }
  if (stale.length > 0) {
    console.error(`proto/gen is stale (${stale.join(', ')}): run \`pnpm gen\` and commit proto/gen`);
    process.exit(1);
  }
  console.log('proto/gen is current; buf lint passed');
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
