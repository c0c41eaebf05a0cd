// Downloads through the agent's log follower (real files): events for real progress lines, a
// counted parse error (logged once) for a line with impossible sizes — and the follower goes on.
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RuntimeEvent } from '@renderwatch/schema';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRuntimeLogSource } from './runtime-log-source.js';

const FIX = join(import.meta.dirname, '../../test/fixtures/runtime-logs/downloads');
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rw-dl-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('createRuntimeLogSource: model downloads', () => {
  it('emits the download, counts absurd sizes as parse errors and logs only the first', () => {
    const path = join(dir, 'comfyui.log');
    writeFileSync(path, readFileSync(join(FIX, 'wget-1.21.3-bar-local-url.log')));
    const evs: RuntimeEvent[] = [];
    const warns: { obj: object; msg: string }[] = [];
    const s = createRuntimeLogSource({
      runtime: 'comfyui',
      path,
      stateDir: join(dir, 'state'),
      log: { warn: (obj, msg) => warns.push({ obj, msg }) },
      onEvent: (e) => evs.push(e),
    });
    s.pollOnce();
    appendFileSync(path, readFileSync(join(FIX, 'wget-absurd-size-edited.log')));
    s.pollOnce();
    appendFileSync(path, readFileSync(join(FIX, 'wget-absurd-size-edited.log')));
    s.pollOnce();
    appendFileSync(path, readFileSync(join(FIX, 'wget-1.21.3-dot-local-url.log')));
    s.stop();
    expect(evs.filter((e) => e.kind === 'model_download').map((e) => (e.kind === 'model_download' ? [e.model, e.bytes] : []))).toEqual([
      ['out.safetensors', 41943040],
      ['out2.safetensors', 41943040],
    ]);
    expect(s.parseErrors()).toBe(2);
    expect(warns).toEqual([
      {
        obj: { runtime: 'comfyui', path, reason: 'download size 100000000000000000000 bytes is beyond any model file (> 4000000000000)' },
        msg: 'log line with impossible values skipped (counted; logged once)',
      },
    ]);
  });
});
