// Every repository file a comment or a doc names exists: paths from the repository root
// (`collector/src/storage/migrate.ts`, `docs/storage.md`), paths relative to the file (`./scope.ts`,
// `../jobs.ts`), and bare TypeScript file names in comments (`scope.test.ts`: a sibling, or a file of
// that name somewhere in the repository). Names with placeholders (`<name>`, `*`, `NNNN`, `{x}`) and
// files of other projects (`server.py`) are not checked. Docs copied in from outside
// (docs/research/, docs/design.md, docs/style.md, docs/toolchain.md) name files of other projects
// and of the project's early layout, and are left out.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const TOP = ['agent', 'collector', 'schema', 'proto', 'dashboard', 'simulator', 'e2e', 'bench', 'deploy', 'grafana', 'docs', 'scripts', 'tooling', 'devkit'];
const EXT = 'ts|tsx|mjs|js|md|sql|json|yaml|yml|proto|sh|png|txt|csv|xml|log|html|css|service|conf|toml';
const COPIED = /^docs\/(research\/|design\.md|style\.md|toolchain\.md)/;
const GENERATED = /^(proto\/gen\/|pnpm-lock\.yaml|.*\.golden\.json$|.*\/fixtures\/)/;

const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' })
  .split('\n')
  .filter(
    (f) =>
      /\.(ts|tsx|mjs|md|sql|yaml|yml|proto)$/.test(f) &&
      !COPIED.test(f) &&
      !GENERATED.test(f) &&
      f !== 'scripts/doc-references.test.ts' &&
      existsSync(join(ROOT, f)),
  );
const basenames = new Set(
  files
    .map((f) => basename(f))
    .concat(
      execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' })
        .split('\n')
        .map((f) => basename(f)),
    ),
);

/** The text of a file a reader reads as prose: a doc whole, code only its comments. */
function prose(file: string, text: string): string {
  if (/\.(md)$/.test(file)) return text;
  const out: string[] = [];
  for (const m of text.matchAll(/\/\*[\s\S]*?\*\/|(?<![:'"`\\])\/\/[^\n]*|^\s*--[^\n]*|^\s*#[^\n]*/gm)) out.push(m[0]);
  return out.join('\n');
}

const PLACEHOLDER = /[<>*{}$]|NNNN|\.\.\.|XXXX/;

function missing(file: string, content = readFileSync(join(ROOT, file), 'utf8')): string[] {
  const text = prose(file, content);
  const out: string[] = [];
  const rooted = new RegExp(`(?<![\\w./-])((?:${TOP.join('|')})/[\\w./<>*{}$-]*\\.(?:${EXT}))(?![\\w/])`, 'g');
  for (const m of text.matchAll(rooted)) {
    const p = m[1] as string;
    if (PLACEHOLDER.test(p) || p.includes('/dist/')) continue; // build output
    if (!existsSync(join(ROOT, p))) out.push(p);
  }
  for (const m of text.matchAll(new RegExp(`(?<![\\w./-])((?:\\.\\.?/)+[\\w./-]+\\.(?:${EXT}))(?![\\w/])`, 'g'))) {
    const p = m[1] as string;
    if (PLACEHOLDER.test(p) || p.startsWith('../shared/')) continue;
    const abs = normalize(join(ROOT, dirname(file), p));
    // `./x.js` in a comment names the TypeScript source, as imports do
    if (!existsSync(abs) && !existsSync(abs.replace(/\.js$/, '.ts')) && !existsSync(abs.replace(/\.js$/, '.tsx'))) out.push(p);
  }
  if (!file.endsWith('.md')) {
    for (const m of text.matchAll(/(?<![\w./-])([\w-]+(?:\.[\w-]+)*\.(?:ts|tsx))(?![\w/])/g)) {
      const name = m[1] as string;
      // declaration files are generated, and vite's own config names are not ours
      if (PLACEHOLDER.test(name) || name.endsWith('.d.ts') || /^(vitest|vite)\.config\.ts$/.test(name)) continue;
      if (!basenames.has(name)) out.push(name);
    }
  }
  return out;
}

describe('file names in comments and docs', () => {
  it('every repository file they name exists', () => {
    const bad = files.flatMap((f) => missing(f).map((p) => `${f}: ${p}`));
    expect(bad).toEqual([]);
  });

  it('names what is missing: rooted, relative and bare names in comments, not in code', () => {
    const code = [
      '// see collector/src/storage/scope.ts and collector/src/nope.ts, ./migrate.ts, ./gone.ts,',
      '// scope.test.ts and nothere.test.ts; collector/src/<name>.ts is a placeholder',
      'const a = "collector/src/also-nope.ts";',
    ].join('\n');
    expect(missing('collector/src/storage/x.ts', code)).toEqual(['collector/src/nope.ts', './gone.ts', 'nothere.test.ts']);
    expect(missing('docs/x.md', 'read `docs/storage.md` and `docs/nope.md`')).toEqual(['docs/nope.md']);
  });
});
