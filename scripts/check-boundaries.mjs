// House rules a linter does not carry here (docs/style.md "3. Module boundaries", "8. Tooling"): package boundaries, no `export *`,
// `process.env` only in config.ts, no grab-bag file names, files under 400 code lines, and a ratchet
// at zero for `as any`, `@ts-ignore` and lint suppressions.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { ROOT } from './ensure-deps.mjs';

const PACKAGES = ['agent', 'collector', 'dashboard', 'proto', 'schema', 'devkit', 'simulator', 'e2e', 'bench'];
/** Which workspace packages each package may import (docs/style.md "3. Module boundaries"). */
const ALLOWED = {
  proto: [],
  schema: [],
  devkit: [],
  agent: ['proto', 'schema'],
  collector: ['proto', 'schema'],
  dashboard: ['schema'],
  simulator: ['proto', 'schema', 'agent'],
  e2e: ['proto', 'schema', 'agent', 'collector', 'devkit', 'simulator'],
  bench: ['proto', 'schema', 'agent', 'collector', 'devkit', 'simulator'],
};
const BANNED_NAMES = /^(utils|helpers|common|misc)\.tsx?$|-v2\.tsx?$/;
const RATCHET = [
  [/\bas any\b/, '`as any`'],
  [/@ts-ignore/, '`@ts-ignore`'],
  [/(eslint|oxlint)-disable/, 'lint suppression'],
];
const problems = [];

function walk(dir) {
  let out = [];
  for (const n of readdirSync(dir)) {
    if (n === 'node_modules' || n === 'dist' || n === 'gen' || n.startsWith('.')) continue;
    const p = join(dir, n);
    if (statSync(p).isDirectory()) out = out.concat(walk(p));
    else if (/\.(ts|tsx|mts)$/.test(n)) out.push(p);
  }
  return out;
}

for (const pkg of PACKAGES) {
  let files;
  try {
    files = walk(join(ROOT, pkg));
  } catch {
    continue;
  }
  for (const f of files) {
    const rel = relative(ROOT, f);
    const text = readFileSync(f, 'utf8');
    if (BANNED_NAMES.test(basename(f))) problems.push(`${rel}: banned file name (name the concern instead)`);
    if (/^\s*export\s+\*\s+from/m.test(text)) problems.push(`${rel}: \`export *\` (use explicit named exports)`);
    for (const m of text.matchAll(/from\s+['"]@renderwatch\/([\w-]+)(\/[^'"]*)?['"]/g)) {
      const target = m[1];
      const sub = m[2] ?? '';
      if (target !== pkg && !(ALLOWED[pkg] ?? []).includes(target)) problems.push(`${rel}: ${pkg} must not import @renderwatch/${target}`);
      if (/^\/(src|dist)\b/.test(sub)) problems.push(`${rel}: imports @renderwatch/${target}${sub} (use the package's exports map)`);
    }
    for (const m of text.matchAll(/from\s+['"]((?:\.\.\/)+)([\w-]+)\/(src|dist)\//g)) {
      const up = m[1].length / 3;
      if (up >= rel.split('/').length - 1 && PACKAGES.includes(m[2]) && m[2] !== pkg)
        problems.push(`${rel}: reaches into ${m[2]}/${m[3]} by a relative path (import @renderwatch/${m[2]} instead)`);
    }
    const isConfig =
      /(^|\/)config\.ts$/.test(rel) || rel.startsWith('tooling/') || /\.test\.tsx?$/.test(rel) || rel.startsWith('bench/') || rel.startsWith('e2e/');
    if (!isConfig && /process\.env\b/.test(text)) problems.push(`${rel}: reads process.env outside config.ts`);
    if (pkg === 'dashboard' && /from\s+['"]node:/.test(text)) problems.push(`${rel}: dashboard must not import node:*`);
    const codeLines = text.split('\n').filter((l) => l.trim() !== '' && !/^\s*(\/\/|\*|\/\*)/.test(l)).length;
    if (codeLines > 400 && !rel.includes('/fixtures/')) problems.push(`${rel}: ${codeLines} code lines (max 400): split it by concern`);
    for (const [re, what] of RATCHET) {
      if (re.test(text)) problems.push(`${rel}: ${what} (ratchet is at zero)`);
    }
  }
}
for (const p of problems) console.error(`- ${p}`);
console.log(`boundaries: ${problems.length} problems`);
process.exit(problems.length > 0 ? 1 : 0);
