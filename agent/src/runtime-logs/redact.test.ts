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

/**
 * Free-text literals of a fixture: quoted strings with a space (prompts, negative prompts). A
 * traceback's source lines (indented, after a `File "...", line N` frame) are code, not user text:
 * `raise Exception("Missing model " + URLs)` is the message's own template.
 */
function freeTextLiterals(text: string): string[] {
  const lines = text.split('\n');
  const user = lines.filter((l, i) => !(/^\s/.test(l) && /^\s*File "/.test(lines[i - 1] ?? '')));
  return [...user.join('\n').matchAll(/'((?:[^'\\\n]|\\.){8,})'|"((?:[^"\\\n]|\\.){8,})"/g)]
    .map((m) => m[1] ?? m[2] ?? '')
    .filter((s) => s.includes(' ') && !MODEL_PATH.test(s));
}

/**
 * A weights file's absolute path is not user text even with spaces in it (`D:\\...\\Stable Diffusion
 * WebUI Forge\\models\\...safetensors`): `model_load.path` carries it (docs/runtime-adapters.md).
 */
const MODEL_PATH = /^(?:[A-Za-z]:\\|\/)[^,]*\.(?:safetensors|ckpt|pt|pth|bin|gguf|sft)$/i;

/** User words the fixtures carry outside quotes (a prompt echoed by old A1111, a caption node's output). */
const USER_WORDS = [
  'a naked woman',
  'coke bottle',
  'sand sculpture',
  'stone tiled road',
  'pencil drawing minimal sketch',
  'close-up portrait of a young woman',
  'pink flower in her hair',
  'describe the image in detail',
];

describe('redaction', () => {
  it('finds the A1111 prompts the fixtures carry on purpose', () => {
    const text = readFileSync(join(ROOT, 'a1111/oom-error-completing-request-after-slow-job-2023-10.log'), 'utf8');
    expect(freeTextLiterals(text)).toContain(
      '(worst quality, low quality, thumbnail:1.4), signature, artist name, web address, cropped, jpeg artifacts, watermark, username, collage, grid',
    );
  });

  it('finds the prompts of the harvested excerpts, and no traceback source literal', () => {
    const caption = readFileSync(join(ROOT, 'comfyui/vlm-node-prints-loaded-partially-2025-11.log'), 'utf8');
    expect(freeTextLiterals(caption)).toContain('Describe the image in detail.');
    const a1111 = readFileSync(join(ROOT, 'a1111/old-2022-batch-error-completing-request-prompt-echo.log'), 'utf8');
    expect(freeTextLiterals(a1111)).toContain('stone tiled road pencil drawing minimal sketch');
    const wan = readFileSync(join(ROOT, 'wan2gp/missing-model-exception-error-handler-2025-08.log'), 'utf8');
    expect(freeTextLiterals(wan)).toEqual([]);
  });

  it.each(FILES)('emits no prompt text from %s/%s', (rt, f) => {
    const text = readFileSync(join(ROOT, rt, f), 'utf8');
    const out = JSON.stringify(parseLogText(text, rt));
    for (const lit of freeTextLiterals(text)) expect(out).not.toContain(lit);
    for (const word of USER_WORDS) expect(out.toLowerCase()).not.toContain(word);
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
