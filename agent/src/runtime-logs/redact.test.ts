// Privacy: no prompt text from any fixture reaches an emitted event (docs/design.md "Privacy").
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RUNTIMES } from '@renderwatch/schema';
import { describe, expect, it } from 'vitest';
import { parseLogText } from './parser-session.js';
import { redactMessage } from './redact.js';

const ROOT = join(import.meta.dirname, '../../test/fixtures/runtime-logs');
const FILES = RUNTIMES.flatMap((rt) =>
  readdirSync(join(ROOT, rt))
    .filter((f) => !f.endsWith('.md'))
    .map((f) => [rt, f] as const),
);

/** Free-text literals of a fixture: quoted strings with a space (prompts, negative prompts). */
function freeTextLiterals(text: string): string[] {
  return [...text.matchAll(/'((?:[^'\\\n]|\\.){8,})'|"((?:[^"\\\n]|\\.){8,})"/g)].map((m) => m[1] ?? m[2] ?? '').filter((s) => s.includes(' '));
}

describe('redaction', () => {
  it('finds the A1111 prompts the fixtures carry on purpose', () => {
    const text = readFileSync(join(ROOT, 'a1111/oom-error-completing-request-after-slow-job-2023-10.log'), 'utf8');
    expect(freeTextLiterals(text)).toContain(
      '(worst quality, low quality, thumbnail:1.4), signature, artist name, web address, cropped, jpeg artifacts, watermark, username, collage, grid',
    );
  });

  it.each(FILES)('emits no prompt text from %s/%s', (rt, f) => {
    const text = readFileSync(join(ROOT, rt, f), 'utf8');
    const out = JSON.stringify(parseLogText(text, rt));
    for (const lit of freeTextLiterals(text)) expect(out).not.toContain(lit);
    for (const word of ['a naked woman', 'coke bottle', 'sand sculpture']) expect(out.toLowerCase()).not.toContain(word);
  });

  it.each([
    ["ValueError: bad prompt: 'a cat in a hat, 8k'", 'ValueError: bad prompt: <redacted>'],
    ["KeyError: 'model'", "KeyError: 'model'"],
    ["Exception: could not parse 'a very long prompt text here", "Exception: could not parse '<redacted>'"],
    ['RuntimeError: shape mismatch\n  at line 2', 'RuntimeError: shape mismatch'],
  ])('redactMessage(%j)', (input, want) => expect(redactMessage(input)).toBe(want));

  it('keeps prompts out of error events built from messages', () => {
    const evs = parseLogText(
      "got prompt\n!!! Exception during processing !!! Cannot encode 'portrait of my neighbour, photorealistic'\nPrompt executed in 1.00 seconds\n",
      'comfyui',
    );
    expect(JSON.stringify(evs)).not.toContain('neighbour');
  });
});
