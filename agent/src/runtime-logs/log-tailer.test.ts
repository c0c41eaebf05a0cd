import { appendFileSync, mkdtempSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RuntimeEvent } from '@renderwatch/schema';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogTailer } from './log-tailer.js';
import { createRuntimeLogSource } from './runtime-log-source.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rw-tail-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const job = (n: number): string => `got prompt\nPrompt executed in ${n}.00 seconds\n`;
const silent = { warn: () => undefined };

function source(path: string, events: RuntimeEvent[]) {
  return createRuntimeLogSource({ runtime: 'comfyui', path, stateDir: join(dir, 'state'), log: silent, onEvent: (e) => events.push(e) });
}
const durations = (evs: RuntimeEvent[]): number[] => evs.flatMap((e) => (e.kind === 'job_end' && e.duration_s !== undefined ? [e.duration_s] : []));

describe('createRuntimeLogSource + log tailer (real files)', () => {
  it('reads appended lines, including a line completed across two writes', () => {
    const path = join(dir, 'comfyui.log');
    writeFileSync(path, job(1));
    const evs: RuntimeEvent[] = [];
    const s = source(path, evs);
    s.pollOnce();
    appendFileSync(path, 'got prompt\nPrompt execu');
    s.pollOnce();
    appendFileSync(path, 'ted in 2.00 seconds\n');
    s.pollOnce();
    s.stop();
    expect(durations(evs)).toEqual([1, 2]);
  });

  it('follows rotation and ComfyUI-Manager rename to comfyui.prev.log: every event exactly once', () => {
    const path = join(dir, 'comfyui.log');
    writeFileSync(path, job(1));
    const evs: RuntimeEvent[] = [];
    const s = source(path, evs);
    s.pollOnce();
    appendFileSync(path, job(2)); // written just before the runtime restarts
    renameSync(path, join(dir, 'comfyui.prev.log'));
    writeFileSync(path, job(3));
    s.pollOnce();
    s.pollOnce();
    s.stop();
    expect(durations(evs)).toEqual([1, 2, 3]);
  });

  it('starts over after truncation in place', () => {
    const path = join(dir, 'comfyui.log');
    writeFileSync(path, job(1) + job(2));
    const evs: RuntimeEvent[] = [];
    const s = source(path, evs);
    s.pollOnce();
    truncateSync(path, 0);
    s.pollOnce();
    appendFileSync(path, job(3));
    s.pollOnce();
    s.stop();
    expect(durations(evs)).toEqual([1, 2, 3]);
  });

  it('resumes after an agent restart mid-file without re-reading, even across a rename while down', () => {
    const path = join(dir, 'comfyui.log');
    writeFileSync(path, job(1));
    const first: RuntimeEvent[] = [];
    const a = source(path, first);
    a.pollOnce();
    a.stop();
    appendFileSync(path, job(2));
    const second: RuntimeEvent[] = [];
    const b = source(path, second);
    b.pollOnce();
    b.stop();
    appendFileSync(path, job(3));
    renameSync(path, join(dir, 'comfyui.prev.log'));
    writeFileSync(path, job(4));
    const third: RuntimeEvent[] = [];
    const c = source(path, third);
    c.pollOnce();
    c.pollOnce();
    c.stop();
    expect([durations(first), durations(second), durations(third)]).toEqual([[1], [2], [3, 4]]);
  });

  it('does not lose or repeat a record that was still being assembled when the agent crashed', () => {
    const path = join(dir, 'comfyui.log');
    // the cudaMallocAsync block is held open for continuation lines
    writeFileSync(
      path,
      'got prompt\ntorch.OutOfMemoryError: Allocation on device 0 would exceed allowed memory. (out of memory)\nCurrently allocated     : 21.55 GiB\n',
    );
    const crashed: RuntimeEvent[] = [];
    const a = source(path, crashed);
    a.pollOnce(); // no stop(): simulated crash
    appendFileSync(
      path,
      'Requested               : 952.00 MiB\nDevice limit            : 24.00 GiB\nFree (according to CUDA): 0 bytes\n\nPrompt executed in 5.00 seconds\n',
    );
    const after: RuntimeEvent[] = [];
    const b = source(path, after);
    b.pollOnce();
    b.stop();
    expect(crashed.map((e) => e.kind)).toEqual(['job_start']);
    expect(after.map((e) => e.kind)).toEqual(['oom', 'job_end']);
    expect(after[0]).toEqual(expect.objectContaining({ requested_bytes: 952 * 1024 ** 2, total_bytes: 24 * 1024 ** 3 }));
  });

  it('a log that appears after the follower started: a record split across its first two polls stays one record', () => {
    // log-variants-tailing.test.ts: the file's first appearance was taken for a rotation and flushed the OOM block
    const path = join(dir, 'comfyui.log');
    const evs: RuntimeEvent[] = [];
    const s = source(path, evs);
    s.pollOnce();
    writeFileSync(path, 'torch.OutOfMemoryError: Allocation on device 0 would exceed allowed memory. (out of memory)\n');
    s.pollOnce();
    appendFileSync(path, 'Currently allocated     : 5.79 GiB\nRequested               : 576.00 MiB\nDevice limit            : 8.00 GiB\n');
    s.pollOnce();
    s.stop();
    expect(evs).toEqual([expect.objectContaining({ kind: 'oom', requested_bytes: 576 * 1024 ** 2, total_bytes: 8 * 1024 ** 3 })]);
  });

  it('counts unreadable lines (NUL padding after a crash, bytes of another encoding) and logs the first only', () => {
    const path = join(dir, 'comfyui.log');
    writeFileSync(path, Buffer.concat([Buffer.from(job(1)), Buffer.alloc(512), Buffer.from(job(2)), Buffer.from([0x4d, 0x6f, 0x64, 0xe8, 0x6c, 0x65, 0x0a])]));
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
    s.stop();
    expect(durations(evs)).toEqual([1, 2]);
    expect(s.unreadableLines()).toBe(2);
    expect(s.parseErrors()).toBe(0);
    expect(warns).toEqual([{ obj: { runtime: 'comfyui', path, reason: 'NUL bytes in a line' }, msg: 'log line not readable whole (counted; logged once)' }]);
  });

  it('a containerd partial chunk read before a crash is read again after it: the joined line once', () => {
    const path = join(dir, 'container.log');
    // the blank F line ends the `got prompt` record: only the P chunk is held when the agent dies
    writeFileSync(
      path,
      '2026-01-02T03:04:05.1Z stdout F got prompt\n2026-01-02T03:04:05.1Z stdout F \n2026-01-02T03:04:05.2Z stdout P Prompt executed in 2.5\n',
    );
    const first: RuntimeEvent[] = [];
    source(path, first).pollOnce(); // then the agent dies: no stop, no flush
    appendFileSync(path, '2026-01-02T03:04:05.3Z stdout F 0 seconds\n');
    const second: RuntimeEvent[] = [];
    const s = source(path, second);
    s.pollOnce();
    s.stop();
    expect([...first, ...second]).toEqual([
      { kind: 'job_start', runtime: 'comfyui', ts: '2026-01-02T03:04:05.1Z' },
      { kind: 'job_end', runtime: 'comfyui', ts: '2026-01-02T03:04:05.2Z', duration_s: 2.5, outcome: 'ok' },
    ]);
  });

  it('keeps the last state of a carriage-return progress bar', () => {
    const path = join(dir, 'comfyui.log');
    writeFileSync(
      path,
      'got prompt\n  0%|          | 0/20 [00:00<?, ?it/s]\r 50%|█████     | 10/20 [00:01<00:01,  9.00it/s]\r100%|██████████| 20/20 [00:02<00:00,  9.50it/s]\nPrompt executed in 2.50 seconds\n',
    );
    const evs: RuntimeEvent[] = [];
    const s = source(path, evs);
    s.stop();
    expect(evs.filter((e) => e.kind === 'progress')).toEqual([{ kind: 'progress', runtime: 'comfyui', step: 20, total_steps: 20, it_per_s: 9.5 }]);
  });
});

describe('createLogTailer read buffer', () => {
  it('hands out lines longer than one read, across reads and polls, with their byte offsets (the read buffer is reused)', () => {
    const path = join(dir, 'x.log');
    // 7-byte reads: every line below spans two to four reads of the one kept buffer
    writeFileSync(path, 'alpha-one\nbeta\ngamma-gamma-gamma\n');
    const t = createLogTailer({ path, maxReadBytes: 7, startAt: 'beginning' });
    const first = t.poll().lines;
    appendFileSync(path, 'delta-del');
    const second = t.poll().lines;
    appendFileSync(path, 'ta\nzé\n'); // 'é' is two bytes
    const third = t.poll().lines;
    t.close();
    expect(first).toEqual([
      { text: 'alpha-one', start: 0, end: 10 },
      { text: 'beta', start: 10, end: 15 },
      { text: 'gamma-gamma-gamma', start: 15, end: 33 },
    ]);
    expect(second).toEqual([]);
    expect(third).toEqual([
      { text: 'delta-delta', start: 33, end: 45 },
      { text: 'zé', start: 45, end: 49 },
    ]);
  });
});
