import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RuntimeEvent } from '@renderwatch/schema';
import { describe, expect, it } from 'vitest';
import { printWrites, pyIso } from '../../test/support/comfyui-shapes.js';
import { parseLogText, parseLogTextCounted } from '../runtime-logs/parser-session.js';
import { createConsoleFeed, HISTORY_OWNED_KINDS } from './comfyui-console.js';

const FIXTURES = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'runtime-logs', 'comfyui');
const fixtureLines = (name: string): string[] => readFileSync(join(FIXTURES, name), 'utf8').replace(/\n$/, '').split('\n');
const T0 = Date.UTC(2025, 4, 8, 18, 51, 5, 85);

/** Startup (0.3.33 fixture) + server ready + two DynamicVRAM jobs (fixture). */
const LINES = [
  ...fixtureLines('startup-0.3.33-win-4090-native-allocator.log'),
  'Starting server',
  '',
  'To see the GUI go to: http://127.0.0.1:8188',
  ...fixtureLines('dynamic-vram-two-jobs-2026.log'),
];

function withoutTs(evs: readonly RuntimeEvent[]): RuntimeEvent[] {
  return evs.map((e) => {
    const { ts: _ts, ...rest } = e;
    return rest as RuntimeEvent;
  });
}

function feedAll(lines: readonly string[]): RuntimeEvent[] {
  const feed = createConsoleFeed();
  return [...feed.push(printWrites(lines, T0), 'stream'), ...feed.finish()];
}

describe('createConsoleFeed', () => {
  it('gives the log parser events for console writes, minus the job events /history owns', () => {
    const got = feedAll(LINES);
    const fromFile = parseLogText(LINES.join('\n'), 'comfyui').filter((e) => !HISTORY_OWNED_KINDS.has(e.kind));
    expect(withoutTs(got)).toEqual(withoutTs(fromFile));
    expect(got.map((e) => e.kind)).toEqual(['runtime_start', 'runtime_ready', 'model_load', 'model_load', 'progress', 'model_load', 'model_load']);
    expect(got.filter((e) => e.kind === 'job_end' || e.kind === 'job_start')).toEqual([]);
    const start = got.find((e) => e.kind === 'runtime_start');
    expect(start).toEqual({
      kind: 'runtime_start',
      runtime: 'comfyui',
      ts: '2025-05-08T18:51:05.085',
      version: '0.3.33',
      extensions: ['rgthree-comfy', 'comfyui-easy-use', 'comfyui-manager', 'agilly1989_motorway'],
    });
    expect(got.find((e) => e.kind === 'runtime_ready')).toMatchObject({ url: 'http://127.0.0.1:8188' });
    expect(got.filter((e) => e.kind === 'model_load').length).toBeGreaterThanOrEqual(3);
  });

  it('stamps each line with the time of its first write', () => {
    const feed = createConsoleFeed();
    const evs = [
      ...feed.push(
        [
          { t: '2025-05-08T18:52:00.000001', m: 'To see the GUI go to: ' },
          { t: '2025-05-08T18:52:00.000009', m: 'http://0.0.0.0:8188\n' },
        ],
        'stream',
      ),
      ...feed.finish(),
    ];
    expect(evs).toEqual([{ kind: 'runtime_ready', runtime: 'comfyui', ts: '2025-05-08T18:52:00.000001', url: 'http://0.0.0.0:8188' }]);
  });

  it('keeps only the last state of tqdm carriage-return redraws (untimed: a redraw line has no time of its own)', () => {
    const feed = createConsoleFeed();
    const t = pyIso(T0);
    const evs = [
      ...feed.push(
        [
          { t, m: 'got prompt\n' },
          { t, m: '\r  0%|          | 0/20 [00:00<?, ?it/s]' },
          { t, m: '\r 50%|#####     | 10/20 [00:01<00:01,  9.50it/s]' },
          { t, m: '\r100%|##########| 20/20 [00:02<00:00,  9.80it/s]' },
          { t, m: '\n' },
        ],
        'stream',
      ),
      ...feed.finish(),
    ];
    expect(evs.filter((e) => e.kind === 'progress')).toEqual([{ kind: 'progress', runtime: 'comfyui', step: 20, total_steps: 20, it_per_s: 9.8 }]);
  });

  it('skips backfill writes at or before the watermark and moves the watermark forward', () => {
    const writes = printWrites(
      ['To see the GUI go to: http://127.0.0.1:8188', 'Requested to load SDXL', 'loaded completely; 9000.00 MB usable, 4897.05 MB loaded, full load: True'],
      T0,
    );
    const feed = createConsoleFeed({ watermark: writes[1]?.t });
    const evs = [...feed.push(writes, 'snapshot'), ...feed.finish()];
    expect(evs.map((e) => e.kind)).toEqual(['model_load']);
    expect(evs[0]).toMatchObject({ model: 'SDXL', loaded_mb: 4897.05, mode: 'full' });
    expect(feed.watermark()).toBe(pyIso(T0 + 2));
  });

  it('holds a traceback until the console goes idle, then reports it', () => {
    const feed = createConsoleFeed();
    const lines = [
      'got prompt',
      '!!! Exception during processing !!! boom',
      'Traceback (most recent call last):',
      '  File "/srv/ComfyUI/execution.py", line 1, in x',
      'RuntimeError: boom',
    ];
    const first = feed.push(printWrites(lines, T0), 'stream');
    expect(first.filter((e) => e.kind === 'error')).toEqual([]);
    expect(feed.idle()).toEqual([]); // writes arrived since the last idle check
    expect(feed.idle()).toEqual([
      {
        kind: 'error',
        runtime: 'comfyui',
        ts: pyIso(T0 + 1),
        error_type: 'RuntimeError',
        message: '<words>',
        message_fingerprint: 'd0346fe5039da00c',
        message_raw: 'boom',
      },
    ]);
  });

  it('counts console lines that are not text (NUL bytes, U+FFFD from bytes that were not UTF-8, over 64 Ki characters without \\r) like a log file, and reads the rest', () => {
    const feed = createConsoleFeed();
    const t = pyIso(T0);
    expect(feed.unreadableLines()).toBe(0);
    const evs = [
      ...feed.push(
        [
          { t, m: 'got prompt\n' },
          { t, m: '\u0000\u0000\u0000\u0000PK\u0003\u0004 binary\n' },
          { t, m: 'caf\ufffd \ufffd\ufffd written in cp1252\n' },
          { t, m: `data:image/png;base64,${'iVBORw0KGgo'.repeat(7000)}` },
          { t, m: `${'A'.repeat(10)}\n` },
          // a bar redrawn past 64 Ki characters loses only earlier states: not counted
          { t, m: `${'\r 50%|#####     | 10/20 [00:01<00:01,  9.50it/s]'.repeat(1500)}\r100%|##########| 20/20 [00:02<00:00,  9.80it/s]\n` },
          { t, m: 'Prompt executed in 2.50 seconds\n' },
        ],
        'stream',
      ),
      ...feed.finish(),
    ];
    expect(feed.unreadableLines()).toBe(3);
    expect(feed.parseErrors()).toBe(0);
    expect(evs.filter((e) => e.kind === 'progress')).toEqual([{ kind: 'progress', runtime: 'comfyui', step: 20, total_steps: 20, it_per_s: 9.8 }]);
    // the same lines from a file are counted the same
    const lines = [
      'got prompt',
      '\u0000\u0000\u0000\u0000PK\u0003\u0004 binary',
      'caf\ufffd \ufffd\ufffd written in cp1252',
      `data:image/png;base64,${'iVBORw0KGgo'.repeat(7000)}${'A'.repeat(10)}`,
    ];
    expect(parseLogTextCounted(lines.join('\n'), 'comfyui').unreadable.count).toBe(3);
  });
});
