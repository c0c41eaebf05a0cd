// Golden summary of the whole pipeline's output over every shared fixture: per fixture (its own
// runtime's parser) the counts per kind and a hash of the exact events; per parser, a hash of its
// events over all fixtures concatenated (foreign formats included); a hash of the records. Guards
// refactors and speed work that must not change a single event. After an intended change of the
// output: `npx vitest run --project unit agent/src/runtime-logs/fixture-output -u`, and say why in
// the commit.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RUNTIMES } from '@renderwatch/schema';
import type { RuntimeEvent } from '@renderwatch/schema';
import { describe, expect, it } from 'vitest';
import { parseLogText } from './parser-session.js';
import { assembleRecords } from './record-assembler.js';

const ROOT = join(import.meta.dirname, '../../test/fixtures/runtime-logs');

const sha = (v: unknown): string => createHash('sha256').update(JSON.stringify(v)).digest('hex').slice(0, 16);

function summary(evs: readonly RuntimeEvent[]): { counts: Record<string, number>; sha256: string } {
  const counts: Record<string, number> = {};
  for (const e of evs) counts[e.kind] = (counts[e.kind] ?? 0) + 1;
  return { counts: Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b))), sha256: sha(evs) };
}

describe('runtime-log pipeline output', () => {
  it('matches the golden summary over every fixture and every parser', async () => {
    const perFixture: Record<string, ReturnType<typeof summary>> = {};
    let all = '';
    for (const runtime of RUNTIMES) {
      const dir = join(ROOT, runtime);
      for (const file of readdirSync(dir)
        .filter((f) => !f.endsWith('.md'))
        .sort()) {
        const text = readFileSync(join(dir, file), 'utf8');
        perFixture[`${runtime}/${file}`] = summary(parseLogText(text, runtime));
        all += text.endsWith('\n') ? text : `${text}\n`;
      }
    }
    const perParserOverAll: Record<string, ReturnType<typeof summary>> = {};
    for (const runtime of RUNTIMES) perParserOverAll[runtime] = summary(parseLogText(all, runtime));
    const records = assembleRecords(all);
    const got = { perFixture, perParserOverAll, records: { count: records.length, sha256: sha(records) } };
    await expect(`${JSON.stringify(got, null, 2)}\n`).toMatchFileSnapshot('./fixture-output.golden.json');
  });
});
