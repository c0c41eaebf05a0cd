import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openProcFile } from './proc-file.js';

const dir = mkdtempSync(join(tmpdir(), 'rw-proc-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('openProcFile (the host sampler reads /proc files through it)', () => {
  it('reads the current text on every call from one kept descriptor, a shorter text too', () => {
    const p = join(dir, 'stat');
    writeFileSync(p, 'cpu  10 0 5 100 0 0 0 0 0 0\ncpu0 10 0 5 100\n');
    const f = openProcFile(p);
    expect(f.read()).toBe('cpu  10 0 5 100 0 0 0 0 0 0\ncpu0 10 0 5 100\n');
    writeFileSync(p, 'cpu  11 0 6 190\n'); // rewritten in place (same inode), shorter
    expect(f.read()).toBe('cpu  11 0 6 190\n');
    f.close();
  });

  it('reads a file larger than its buffer whole (grows the buffer)', () => {
    const p = join(dir, 'big');
    const text = Array.from({ length: 2000 }, (_, i) => `line ${i} ${'x'.repeat(40)}`).join('\n');
    writeFileSync(p, text); // ~94 KB against an 8 KB start
    const f = openProcFile(p, 8192);
    expect(f.read()).toBe(text);
    expect(f.read()).toBe(text);
    f.close();
  });

  it('reads the real /proc/stat and /proc/meminfo again with new values', () => {
    const f = openProcFile('/proc/stat');
    const a = f.read();
    expect(a.startsWith('cpu ')).toBe(true);
    expect(f.read().startsWith('cpu ')).toBe(true);
    f.close();
    expect(openProcFile('/proc/meminfo').read()).toMatch(/^MemTotal:\s+\d+ kB$/m);
  });

  it('throws when the file is missing, and reads it once it is there', () => {
    const p = join(dir, 'later');
    const f = openProcFile(p);
    expect(() => f.read()).toThrow(/ENOENT/);
    writeFileSync(p, 'ok\n');
    expect(f.read()).toBe('ok\n');
    f.close();
  });
});
