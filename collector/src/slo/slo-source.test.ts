import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSloSource } from './slo-source.js';

const GOOD = 'version: renderwatch/v1\nslos:\n  - name: jobs\n    indicator: { kind: job_success }\n    objective: 99\n';

describe('createSloSource', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rw-slo-source-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('keeps the last good set when the file turns invalid, and logs the problem once with its line', async () => {
    const path = join(dir, 'slos.yaml');
    const lines: { msg: string; errors?: string[] }[] = [];
    const log = pino(
      { level: 'info' },
      {
        write: (s: string) => {
          lines.push(JSON.parse(s) as { msg: string; errors?: string[] });
        },
      },
    );
    const src = createSloSource(path, log);
    await writeFile(path, GOOD);
    expect((await src.current()).slos.map((s) => s.objective)).toEqual([99]);
    await writeFile(path, GOOD.replace('objective: 99', 'objective: -1'));
    expect((await src.current()).slos.map((s) => s.objective)).toEqual([99]);
    expect((await src.current()).slos.map((s) => s.objective)).toEqual([99]);
    expect(src.lastErrors()).toEqual([`${path}:5:16: slos[0].objective: Too small: expected number to be >0`]);
    const refused = lines.filter((l) => l.msg === 'slo file refused, keeping the last good set');
    expect(refused).toHaveLength(1);
    await writeFile(path, GOOD.replace('objective: 99', 'objective: 95'));
    expect((await src.current()).slos.map((s) => s.objective)).toEqual([95]);
    expect(src.lastErrors()).toEqual([]);
  });

  it('starts empty when the first read fails', async () => {
    const src = createSloSource(join(dir, 'missing.yaml'), pino({ level: 'silent' }));
    expect((await src.current()).slos).toEqual([]);
    expect(src.lastErrors()[0]).toContain('cannot read');
  });
});
