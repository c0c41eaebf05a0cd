// Golden output of the whole pipeline over every fixture: per fixture (its own runtime's parser)
// every event, per parser its events over all fixtures concatenated (foreign formats included), and
// the assembled records, one per line in fixture-output.golden.json, so a failure shows the events
// that differ, not a hash. Guards refactors and speed work that must not change a single event.
// After an intended change of the output: `npx vitest run --project unit
// agent/src/runtime-logs/fixture-output -u`, and say why in the commit.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RUNTIMES } from '@renderwatch/schema';
import type { RuntimeEvent } from '@renderwatch/schema';
import { describe, expect, it } from 'vitest';
import { parseLogText } from './parser-session.js';
import { assembleRecords } from './record-assembler.js';

const ROOT = join(import.meta.dirname, '../../test/fixtures/runtime-logs');

/** `{ "section": { "key": [ one JSON value per line ] } }`: valid JSON whose diff is one line per event. */
function section([name, groups]: [string, Record<string, readonly unknown[]>]): string {
  const body = Object.entries(groups).map(
    ([key, items]) => `    ${JSON.stringify(key)}: [${items.length === 0 ? '' : `\n${items.map((i) => `      ${JSON.stringify(i)}`).join(',\n')}\n    `}]`,
  );
  return `  ${JSON.stringify(name)}: {\n${body.join(',\n')}\n  }`;
}

function render(sections: Record<string, Record<string, readonly unknown[]>>): string {
  return `{\n${Object.entries(sections).map(section).join(',\n')}\n}\n`;
}

describe('runtime-log pipeline output', () => {
  it('matches the golden summary over every fixture and every parser', async () => {
    const perFixture: Record<string, readonly RuntimeEvent[]> = {};
    let all = '';
    for (const runtime of RUNTIMES) {
      const dir = join(ROOT, runtime);
      for (const file of readdirSync(dir)
        .filter((f) => !f.endsWith('.md'))
        .sort()) {
        const text = readFileSync(join(dir, file), 'utf8');
        perFixture[`${runtime}/${file}`] = parseLogText(text, runtime);
        all += text.endsWith('\n') ? text : `${text}\n`;
      }
    }
    const perParserOverAll: Record<string, readonly RuntimeEvent[]> = {};
    for (const runtime of RUNTIMES) perParserOverAll[runtime] = parseLogText(all, runtime);
    const got = render({ perFixture, perParserOverAll, records: { all: assembleRecords(all) } });
    JSON.parse(got); // the golden file stays JSON
    await expect(got).toMatchFileSnapshot('./fixture-output.golden.json');
  });
});
