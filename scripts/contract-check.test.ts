// The contract-check step must never pass without checking: without ../shared/checks/contract-check
// it fails with a line saying what is missing and how to skip on purpose.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const HERE = dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'rw-contract-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('scripts/contract-check.mjs', () => {
  it('fails, naming the missing check and --skip-contract, when ../shared is absent', () => {
    // A project root with no shared folder beside it: the script and an ensure-deps.mjs naming that root.
    const root = join(dir, 'project');
    mkdirSync(join(root, 'scripts'), { recursive: true });
    copyFileSync(join(HERE, 'contract-check.mjs'), join(root, 'scripts', 'contract-check.mjs'));
    writeFileSync(join(root, 'scripts', 'ensure-deps.mjs'), `export const ROOT = ${JSON.stringify(root)};\n`);
    const r = spawnSync(process.execPath, [join(root, 'scripts', 'contract-check.mjs')], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`contract-check: FAILED: ${join(dir, 'shared', 'checks', 'contract-check')} not found`);
    expect(r.stdout).toContain('--skip-contract');
  });

  it('runs the check when it is there and passes on its exit status', () => {
    const root = join(dir, 'with-shared');
    mkdirSync(join(root, 'scripts'), { recursive: true });
    mkdirSync(join(dir, 'shared', 'checks'), { recursive: true });
    copyFileSync(join(HERE, 'contract-check.mjs'), join(root, 'scripts', 'contract-check.mjs'));
    writeFileSync(join(root, 'scripts', 'ensure-deps.mjs'), `export const ROOT = ${JSON.stringify(root)};\n`);
    writeFileSync(join(dir, 'shared', 'checks', 'contract-check'), 'import sys\nprint("contract: stub ran")\nsys.exit(3)\n');
    const r = spawnSync(process.execPath, [join(root, 'scripts', 'contract-check.mjs')], { encoding: 'utf8' });
    expect(r.stdout).toContain('contract: stub ran');
    expect(r.status).toBe(3);
  });
});
