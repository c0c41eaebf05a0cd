// Docker json-file logs (docker-json-log.ts, read by the follower in runtime-log-source.ts). No
// docker daemon runs here (the CLI is installed, the daemon is not), so no real json-file log could
// be recorded: every recorded runtime log is encoded the way docker writes it by
// test/support/docker-json-file.ts, mirrored from moby's source (files and commits named there),
// and the follower must give the events of the plain recording, with the entries' times.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RuntimeEvent, RuntimeName } from '@renderwatch/schema';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeJsonFile, goJsonString, jsonFileEntry, rfc3339Nano, type EncodeOptions } from '../../test/support/docker-json-file.js';
import { loadLogFixtures, prng, splitLines } from '../../test/support/log-variants.js';
import { detectLogFileFormat, dockerJsonToCri } from './docker-json-log.js';
import { parseLogTextCounted } from './parser-session.js';
import { createRuntimeLogSource } from './runtime-log-source.js';

const FIXTURES = loadLogFixtures();
const dir = mkdtempSync(join(tmpdir(), 'rw-docker-json-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const SLOW = 60_000;
/** 2026-03-04T05:06:07.000000001Z */
const T0 = BigInt(Date.UTC(2026, 2, 4, 5, 6, 7)) * 1_000_000n + 1n;
const noTs = (evs: readonly RuntimeEvent[]): object[] => evs.map(({ ts: _ts, ...rest }) => rest);
const plain = (text: string | Buffer, rt: RuntimeName) => parseLogTextCounted(typeof text === 'string' ? text : text.toString('utf8'), rt, { downloads: true });
let n = 0;

/** Follows a file holding `bytes` from its start to its end; events and unreadable count. */
function follow(runtime: RuntimeName, bytes: Buffer, maxReadBytes?: number): { events: RuntimeEvent[]; unreadable: number } {
  const sub = join(dir, String(n++));
  const path = join(sub, 'c0ffee-json.log');
  const events: RuntimeEvent[] = [];
  const s = createRuntimeLogSource({
    runtime,
    path,
    stateDir: sub,
    log: { warn: () => undefined },
    onEvent: (e) => events.push(e),
    ...(maxReadBytes === undefined ? {} : { maxReadBytes }),
  });
  writeFileSync(path, bytes);
  s.pollOnce();
  s.stop();
  return { events, unreadable: s.unreadableLines() };
}

/** What `docker logs -t` prints for the same messages: each line after its time (docs: an accepted prefix). */
function dockerLogsT(text: string, times: readonly string[]): string {
  return splitLines(text)
    .map((l, i) => `${times[i]} ${l}\n`)
    .join('');
}

describe('docker json-file logs', () => {
  it(
    'every recorded log as docker writes it: the plain recording’s events, each at its entry’s time',
    () => {
      let stamped = 0;
      for (const f of FIXTURES) {
        const text = f.text.endsWith('\n') ? f.text : `${f.text}\n`;
        const rng = prng(text.length);
        const enc = encodeJsonFile(text, { t0Ns: T0, stream: () => (rng() < 0.5 ? 'stdout' : 'stderr') });
        const got = follow(f.runtime, enc.file);
        const want = plain(text, f.runtime);
        expect(noTs(got.events), f.name).toEqual(noTs(want.events));
        expect(got.unreadable, f.name).toBe(want.unreadable.count);
        // the times: those of `docker logs -t` for the same messages, i.e. of each record's first line
        expect(got.events, f.name).toEqual(plain(dockerLogsT(text, enc.times), f.runtime).events);
        // each time is an entry's, or one the runtime printed inside its text (a startup time line)
        const times = new Set(enc.times);
        got.events.forEach((e, i) => {
          if (e.ts !== undefined && !times.has(e.ts)) expect(e.ts, `${f.name} ${e.kind}`).toBe(want.events[i]?.ts);
        });
        stamped += got.events.filter((e) => e.ts !== undefined && times.has(e.ts)).length;
      }
      expect(stamped).toBeGreaterThan(100);
    },
    SLOW,
  );

  it('an event’s time is its first line’s entry time (UTC, nanoseconds as written), not the runtime’s own stamp', () => {
    const f = FIXTURES.find((x) => x.name === 'comfyui/flux-3-jobs-legacy-loaded-format-iso-ts-2025-05.log');
    if (f === undefined) throw new Error('fixture missing');
    const lines = splitLines(f.text);
    const enc = encodeJsonFile(f.text, { t0Ns: T0, stepNs: 250_000_000n });
    expect(enc.times.slice(0, 5)).toEqual([
      '2026-03-04T05:06:07.000000001Z',
      '2026-03-04T05:06:07.250000001Z',
      '2026-03-04T05:06:07.500000001Z',
      '2026-03-04T05:06:07.750000001Z',
      '2026-03-04T05:06:08.000000001Z',
    ]);
    const ends = follow('comfyui', enc.file).events.filter((e) => e.kind === 'job_end');
    const endLines = lines.flatMap((l, i) => (l.includes('Prompt executed in') ? [i] : []));
    expect(ends.length).toBe(endLines.length);
    expect(ends.map((e) => e.ts)).toEqual(endLines.map((i) => enc.times[i]));
    // the plain recording stamps them with the runtime's own local time (the export prefix)
    expect(
      plain(f.text, 'comfyui')
        .events.filter((e) => e.kind === 'job_end')
        .map((e) => e.ts?.slice(0, 4)),
    ).not.toContain('2026');
  });

  it(
    'lines cut into partial entries (every 37 bytes, streams interleaved line by line, a byte per read): joined, same events and times',
    () => {
      for (const f of FIXTURES) {
        const text = f.text.endsWith('\n') ? f.text : `${f.text}\n`;
        const rng = prng(7 + text.length);
        const o: EncodeOptions = { t0Ns: T0, bufSize: 37, keepCharacters: true, stream: () => (rng() < 0.5 ? 'stdout' : 'stderr') };
        const enc = encodeJsonFile(text, o);
        const got = follow(f.runtime, enc.file, 1 + (enc.file.length % 5) * 997);
        expect(got.events, f.name).toEqual(plain(dockerLogsT(text, enc.times), f.runtime).events);
        expect(got.unreadable, f.name).toBe(plain(text, f.runtime).unreadable.count);
      }
    },
    SLOW,
  );

  it('docker’s escapes (<, >, &, controls, ANSI, \\r, U+2028, attrs) decode to the plain line', () => {
    const text =
      '\u001b[32mRequested to load <Flux> & "SDXL" \\ \tnow\u001b[0m\n' +
      ' 10%|█         | 2/20 [00:01<00:09,  1.98it/s]\r 50%|█████     | 10/20 [00:05<00:05,  2.00it/s]\r100%|██████████| 20/20 [00:10<00:00,  2.00it/s]\n' +
      'a line\u2028with a separator\n' +
      'Prompt executed in 10.52 seconds\n';
    const enc = encodeJsonFile(text, { t0Ns: T0, attrs: '{"com.example.team":"r<d>","tag":"comfy"}' });
    const s = enc.file.toString('utf8');
    // what docker writes (jsonlogbytes.go): checked on the encoder's output
    for (const esc of [
      '\\u001b[32m',
      '\\u003cFlux\\u003e \\u0026 \\"SDXL\\" \\\\ \\u0009now',
      '\\r 50%',
      '\\u2028',
      '"attrs":{"com.example.team":"r<d>","tag":"comfy"},"time":',
    ])
      expect(s).toContain(esc);
    // decoded back to the bytes the runtime wrote, line by line
    const back: string[] = [];
    for (const e of s.split('\n').filter(Boolean)) expect(dockerJsonToCri(e, back)).toBeUndefined();
    expect(back.map((l) => l.replace(/^\S+ stdout F /, ''))).toEqual(splitLines(text));
    expect(s.split('\n')[0]).toMatch(/^\{"log":".*\\n","stream":"stdout","attrs":\{.*\},"time":"2026-03-04T05:06:07\.000000001Z"\}$/);
    const got = follow('comfyui', enc.file);
    const want = plain(text, 'comfyui');
    expect(noTs(got.events)).toEqual(noTs(want.events));
    expect(got.events).toEqual([
      { kind: 'progress', runtime: 'comfyui', step: 20, total_steps: 20, it_per_s: 2, ts: enc.times[1] },
      { kind: 'job_end', runtime: 'comfyui', duration_s: 10.52, outcome: 'ok', ts: enc.times[3] },
    ]);
  });

  it('invalid UTF-8 (written as \\ufffd by docker) is counted like in a plain file, the rest read', () => {
    const raw = Buffer.concat([
      Buffer.from('Requested to load SDXL\n'),
      Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0xff, 0x0a]),
      Buffer.from('Prompt executed in 3.50 seconds\n'),
    ]);
    const enc = encodeJsonFile(raw, { t0Ns: T0 });
    expect(enc.file.toString('utf8')).toContain('"log":"caf\\ufffd \\ufffd\\n"');
    const got = follow('comfyui', enc.file);
    const want = plain(raw, 'comfyui');
    expect(got.unreadable).toBe(1);
    expect(want.unreadable.count).toBe(1);
    expect(noTs(got.events)).toEqual(noTs(want.events));
    expect(got.events.at(-1)).toMatchObject({ kind: 'job_end', duration_s: 3.5 });
  });

  it('a tqdm run over 16 KiB, cut by docker inside a █ (written as \\ufffd): counted once, the bar’s last state and the job end are read', () => {
    let run = '';
    for (let i = 1; i <= 300; i++) {
      const pct = Math.floor((i * 100) / 300);
      run += `\r${String(pct).padStart(3)}%|${'█'.repeat(Math.floor(pct / 10)).padEnd(10)}| ${i}/300 [00:${String(i % 60).padStart(2, '0')}<00:10,  9.99it/s]`;
    }
    // spaces in front until docker's 16 KiB cut falls inside a 3-byte █
    while (((Buffer.from(run)[16 * 1024] ?? 0) & 0xc0) !== 0x80) run = ` ${run}`;
    const text = `got prompt\n${run}\nPrompt executed in 31.00 seconds\n`;
    const enc = encodeJsonFile(text, { t0Ns: T0 });
    const entries = enc.file.toString('utf8').split('\n').filter(Boolean);
    expect(entries.length).toBe(4 + Math.floor((Buffer.byteLength(run) - 16 * 1024) / (16 * 1024)));
    expect(entries[1]).toMatch(/\\ufffd","stream":"stdout","time":"2026-03-04T05:06:07\.001000124Z"\}$/); // partial: no \n
    expect(entries[2]).toMatch(/^\{"log":"\\ufffd/);
    const got = follow('comfyui', enc.file);
    const want = plain(text, 'comfyui');
    expect(want.events.map((e) => e.kind)).toEqual(['job_start', 'progress', 'job_end']);
    expect(got.events.at(-2)).toEqual({ ...want.events[1], ts: enc.times[1] });
    expect(got.events.at(-1)).toEqual({ kind: 'job_end', runtime: 'comfyui', duration_s: 31, outcome: 'ok', ts: enc.times[2] });
    expect(got.unreadable).toBe(1);
    // the same run cut between characters: exactly the plain events
    const whole = follow('comfyui', encodeJsonFile(text, { t0Ns: T0, keepCharacters: true }).file);
    expect(noTs(whole.events)).toEqual(noTs(want.events));
    expect(whole.unreadable).toBe(0);
  });

  it('partial entries are joined per stream (a stderr line between the chunks of a stdout line), with the first chunk’s time', () => {
    const t1 = T0 + 5_000_000n;
    const file = Buffer.concat([
      jsonFileEntry(Buffer.from('Prompt executed in 12'), 'stdout', T0),
      jsonFileEntry(Buffer.from('Prompt executed in 0.50 seconds\n'), 'stderr', t1),
      jsonFileEntry(Buffer.from('.25 seconds\n'), 'stdout', T0),
    ]);
    const got = follow('comfyui', file);
    expect(got.events.map((e) => [e.kind, (e as { duration_s?: number }).duration_s, e.ts])).toEqual([
      ['job_end', 0.5, '2026-03-04T05:06:07.005000001Z'],
      ['job_end', 12.25, '2026-03-04T05:06:07.000000001Z'],
    ]);
    expect(got.unreadable).toBe(0);
  });

  it('lines that are not entries are counted unreadable and skipped, never fatal; a NUL run before an entry is skipped', () => {
    const file = Buffer.concat([
      jsonFileEntry(Buffer.from('Prompt executed in 1.00 seconds\n'), 'stdout', T0),
      Buffer.from('not json at all\n'),
      Buffer.from('{"log":"Prompt executed in 2.00 seconds\\n","stream":"std\n'), // torn (disk full)
      Buffer.from('{"log":"x\\n","stream":"stdout","time":"yesterday"}\n'),
      Buffer.from('{"log":7,"stream":"stdout","time":"2026-03-04T05:06:07Z"}\n'),
      Buffer.from('[1,2]\n'),
      Buffer.concat([Buffer.alloc(40), jsonFileEntry(Buffer.from('Prompt executed in 3.00 seconds\n'), 'stderr', T0 + 1_000_000_000n)]),
      jsonFileEntry(Buffer.from('Prompt executed in 4.00 seconds\n'), 'stdout', T0 + 2_000_000_000n),
    ]);
    const got = follow('comfyui', file);
    expect(got.events.filter((e) => e.kind === 'job_end').map((e) => [(e as { duration_s?: number }).duration_s, e.ts])).toEqual([
      [1, '2026-03-04T05:06:07.000000001Z'],
      [3, '2026-03-04T05:06:08.000000001Z'],
      [4, '2026-03-04T05:06:09.000000001Z'],
    ]);
    expect(got.unreadable).toBe(6);
  });

  it('the format is decided per file by its first non-empty line, not per line', () => {
    expect(detectLogFileFormat('{"log":"x\\n","stream":"stdout","time":"2026-01-01T00:00:00Z"}')).toBe('docker-json');
    expect(detectLogFileFormat('{"level":"info"}')).toBe('plain');
    const entry = jsonFileEntry(Buffer.from('Prompt executed in 9.00 seconds\n'), 'stdout', T0);
    // a plain log holding an entry-looking line reads it as text (no job end: the line does not start with it)
    const p = follow('comfyui', Buffer.concat([Buffer.from('\n  \ngot prompt\n'), entry, Buffer.from('Prompt executed in 2.00 seconds\n')]));
    expect(p.events.filter((e) => e.kind === 'job_end').map((e) => (e as { duration_s?: number }).duration_s)).toEqual([2]);
    expect(p.unreadable).toBe(0);
    // a json-file log with a plain line: the line is not read as text, it is counted
    const j = follow('comfyui', Buffer.concat([Buffer.from('\n'), entry, Buffer.from('Prompt executed in 2.00 seconds\n')]));
    expect(j.events.filter((e) => e.kind === 'job_end').map((e) => (e as { duration_s?: number }).duration_s)).toEqual([9]);
    expect(j.unreadable).toBe(1);
  });

  it('dockerJsonToCri: the containerd-form line of an entry, nothing pushed for a refused one', () => {
    const out: string[] = [];
    expect(dockerJsonToCri('{"log":"a\\u003cb\\n","stream":"stderr","time":"2026-01-02T03:04:05.5+01:00"}', out)).toBeUndefined();
    expect(dockerJsonToCri('{"log":"tail","stream":"stdout","time":"2026-01-02T03:04:05Z"}', out)).toBeUndefined();
    expect(dockerJsonToCri('{"stream":"stdout","time":"2026-01-02T03:04:05Z"}', out)).toBeUndefined();
    expect(dockerJsonToCri('{"log":"one\\ntwo\\n","stream":"stdout","time":"2026-01-02T03:04:05Z"}', out)).toBeUndefined();
    expect(out).toEqual([
      '2026-01-02T03:04:05.5+01:00 stderr F a<b',
      '2026-01-02T03:04:05Z stdout P tail',
      '2026-01-02T03:04:05Z stdout F one',
      '2026-01-02T03:04:05Z stdout F two',
    ]);
    expect(dockerJsonToCri('{"log":"x\\n","stream":"stdin","time":"2026-01-02T03:04:05Z"}', out)).toMatch(/stream/);
    expect(dockerJsonToCri('{"log":"x\\n","stream":"stdout"}', out)).toMatch(/time/);
    expect(dockerJsonToCri('null', out)).toMatch(/object/);
    expect(out.length).toBe(4);
    expect(goJsonString(Buffer.from('<&>')).toString()).toBe('"\\u003c\\u0026\\u003e"');
    // Go's RFC3339Nano: trailing zeros of the fraction dropped, the dot with them
    expect([rfc3339Nano(1_000_000_000n), rfc3339Nano(1_500_000_000n), rfc3339Nano(1_000_000_007n)]).toEqual([
      '1970-01-01T00:00:01Z',
      '1970-01-01T00:00:01.5Z',
      '1970-01-01T00:00:01.000000007Z',
    ]);
  });
});
