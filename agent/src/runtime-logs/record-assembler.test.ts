import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RUNTIMES } from '@renderwatch/schema';
import { array, assert, boolean, constantFrom, nat, property, string, tuple } from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assembleRecords, createRecordAssembler } from './record-assembler.js';
import { parseLogText } from './parser-session.js';

const ROOT = join(import.meta.dirname, '../../test/fixtures/runtime-logs');
const ALL_LINES = RUNTIMES.flatMap((rt) =>
  readdirSync(join(ROOT, rt))
    .filter((f) => !f.endsWith('.md'))
    .flatMap((f) => readFileSync(join(ROOT, rt, f), 'utf8').split('\n')),
);

describe('assembleRecords', () => {
  it('strips ANSI colours and the Manager prefix, keeping its time', () => {
    expect(assembleRecords('[2025-09-04 11:50:22.626] \x1b[32mComfyUI version: 0.3.56\x1b[0m\n')).toEqual([
      { kind: 'line', text: 'ComfyUI version: 0.3.56', ts: '2025-09-04T11:50:22.626' },
    ]);
  });

  it('splits a record glued after a tqdm bar and drops a trailing export prefix', () => {
    const recs = assembleRecords(
      '100%|██████████| 4/4 [00:11<00:00,  2.76s/it]2025-05-08T15:38:48.529837 - \nsteps:   0%|  | 1/1600 [00:00<20:09,  1.32it/s, avr_loss=0.087]Traceback (most recent call last):\n  File "a.py", line 1, in <module>\nRuntimeError: boom\n',
    );
    expect(recs.map((r) => r.kind)).toEqual(['bar', 'bar', 'traceback']);
    expect(recs[2]?.lines?.at(-1)).toBe('RuntimeError: boom');
  });

  it('joins the cudaMallocAsync OOM block, an A1111 *** block, a rich wrap and a Python repr', () => {
    const recs = assembleRecords(
      [
        'torch.OutOfMemoryError: Allocation on device 0 would exceed allowed memory. (out of memory)',
        'Currently allocated     : 5.79 GiB',
        'Requested               : 576.00 MiB',
        '',
        '*** Error completing request',
        "*** Arguments: ('task(x)', 'p', '', [], 20) {}",
        '    Traceback (most recent call last):',
        '      File "m.py", line 1, in f',
        '    OutOfMemoryError: CUDA out of memory.',
        '---',
        "12:44:23-081620 DEBUG    Setting model: pipeline=X config={'a': True,",
        "                         'b': False}",
        'config = {',
        "  'k': 1,",
        '}',
      ].join('\n'),
    );
    expect(recs.map((r) => [r.kind, r.lines?.length ?? 1])).toEqual([
      ['line', 3],
      ['a1111_error', 6],
      ['line', 1],
      ['line', 1],
    ]);
    expect(recs[2]?.text).toBe("Setting model: pipeline=X config={'a': True, 'b': False}");
    expect(recs[3]?.text).toBe("config = { 'k': 1, }");
  });

  it.each([
    ['2024-09-11 11:23:13,602 - root - INFO - Prompt executed in 1.00 seconds', '2024-09-11T11:23:13.602'],
    ['[2025-02-10 21:49:50,346]::[InvokeAI]::INFO --> Graph stats: s', '2025-02-10T21:49:50.346'],
    ['10/20/2023 15:48:52 - INFO - __main__ - Saved state to x', '2023-10-20T15:48:52'],
    ['2025-06-29 11:57:32 INFO     epoch is incremented. current_epoch: 1, epoch: 2    train_util.py:779', '2025-06-29T11:57:32'],
  ])('reads the time of %s', (line, ts) => {
    expect(assembleRecords(line)[0]?.ts).toBe(ts);
  });
});

describe('assembleRecords: what collectors and terminals put around a line (log-variants.test.ts found each)', () => {
  it.each([
    ['docker -t', '2026-01-02T03:04:05.123456789Z got prompt', '2026-01-02T03:04:05.123456789Z'],
    ['CRI full line', '2026-01-02T03:04:05.123456789Z stderr F got prompt', '2026-01-02T03:04:05.123456789Z'],
    ['journalctl -o short-iso', '2026-01-02T04:04:05+0100 gpu-7 python3[12]: got prompt', '2026-01-02T04:04:05+01:00'],
    ['rsyslog RFC 3339', '2026-01-02T03:04:05.123456+00:00 gpu-7 comfyui[12]: got prompt', '2026-01-02T03:04:05.123456+00:00'],
    ['journalctl short (no year)', 'Jan 02 03:04:05 gpu-7 comfyui[12]: got prompt', undefined],
    ['a byte order mark', '\uFEFFgot prompt', undefined],
    ['OSC 8 hyperlink ended by ST, tput sgr0', '\x1b]8;;file:///a\x1b\\got prompt\x1b]8;;\x1b\\\x1b(B\x1b[m', undefined],
  ])('%s: the runtime text alone, with the collector time', (_name, line, ts) => {
    expect(assembleRecords(line)).toEqual([{ kind: 'line', text: 'got prompt', ...(ts === undefined ? {} : { ts }) }]);
  });

  it("a collector's zoned time wins over the runtime's own local one; the runtime's level stays", () => {
    expect(assembleRecords('2026-01-02T03:04:05.5Z stdout F [2025-09-04 11:50:22.626] [warning] got prompt')).toEqual([
      { kind: 'line', text: 'got prompt', ts: '2026-01-02T03:04:05.5Z', level: 'WARNING' },
    ]);
  });

  it('joins containerd partial (P) chunks per stream up to their F chunk, with the first chunk time', () => {
    const recs = assembleRecords(
      [
        '2026-01-02T03:04:05.1Z stdout P Prompt exec',
        '2026-01-02T03:04:05.2Z stderr F got prompt',
        '2026-01-02T03:04:05.3Z stdout P uted in 2.5',
        '2026-01-02T03:04:05.4Z stdout F 0 seconds',
      ].join('\n'),
    );
    expect(recs).toEqual([
      { kind: 'line', text: 'got prompt', ts: '2026-01-02T03:04:05.2Z' },
      { kind: 'line', text: 'Prompt executed in 2.50 seconds', ts: '2026-01-02T03:04:05.1Z' },
    ]);
  });

  it('counts a NUL-padded, binary, non-UTF-8 or over-long line once and reads the text after NUL padding', () => {
    const unreadable = { count: 0, last: undefined as string | undefined };
    const a = createRecordAssembler({ unreadable });
    const recs = [
      ...a.push(`${'\0'.repeat(300)}got prompt`),
      ...a.push(`Prompt exec${'\0'.repeat(300)}Prompt executed in 1.00 seconds`), // a crash mid-line, then the next start
      ...a.push('\ufffd\ufffd\x01\x02'),
      ...a.push('Mod\ufffdle charg\ufffd'),
      ...a.push('x'.repeat(70_000)),
      ...a.push(`${'x'.repeat(70_000)}\r 50%|##   | 1/2`),
      ...a.flush(),
    ];
    expect(recs.map((r) => (r.text.length > 100 ? r.text.length : r.text))).toEqual([
      'got prompt',
      'Prompt exec',
      'Prompt executed in 1.00 seconds',
      '\ufffd\ufffd\x01\x02',
      'Mod\ufffdle charg\ufffd',
      65_536,
      ' 50%|##   | 1/2',
    ]);
    expect(unreadable).toEqual({ count: 5, last: 'line of 70000 characters: only its last 65536 read' });
  });
});

describe('record assembly and parsing under bad input (fast-check)', () => {
  it('never throws and keeps records bounded on random text', () => {
    assert(
      property(string({ maxLength: 2000 }), constantFrom(...RUNTIMES), (s, rt) => {
        const recs = assembleRecords(s);
        for (const r of recs) expect(r.text.length).toBeLessThanOrEqual(256 * 1024 + 64 * 1024);
        parseLogText(s, rt);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on random interleavings and truncations of real lines', () => {
    assert(
      property(array(tuple(constantFrom(...ALL_LINES), nat(300), boolean()), { maxLength: 60 }), constantFrom(...RUNTIMES), (picks, rt) => {
        const text = picks.map(([l, cut, trunc]) => (trunc ? l.slice(0, cut) : l)).join('\n');
        expect(() => parseLogText(text, rt)).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });

  it('holds at most a bounded record for an endless traceback', () => {
    const a = createRecordAssembler();
    a.push('Traceback (most recent call last):');
    for (let i = 0; i < 100_000; i++) a.push(`  File "x${i}.py", line ${i}, in f`);
    const [r] = a.flush();
    expect(r?.lines?.length).toBeLessThanOrEqual(400);
  });
});
