import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RUNTIMES } from '@renderwatch/schema';
import { describe, expect, it } from 'vitest';
import { detectRuntime } from './detect-runtime.js';

const ROOT = join(import.meta.dirname, '../../test/fixtures/runtime-logs');
/** Excerpts with no line that names their runtime (one bare torch OOM line). */
const UNDETECTABLE = new Set(['wan2gp/oom-new-format-no-process-info-2025-08.log']);
const FILES = RUNTIMES.flatMap((rt) =>
  readdirSync(join(ROOT, rt))
    .filter((f) => !f.endsWith('.md'))
    .map((f) => [rt, f] as const),
);

describe('detectRuntime', () => {
  it.each(FILES)('detects %s for %s', (rt, f) => {
    const d = detectRuntime(readFileSync(join(ROOT, rt, f), 'utf8'));
    if (UNDETECTABLE.has(`${rt}/${f}`)) expect(d).toBeUndefined();
    else expect(d?.runtime).toBe(rt);
  });

  it('gives up on text with no signature', () => {
    expect(detectRuntime('hello\nworld\n')).toBeUndefined();
  });
});
