import { describe, expect, it } from 'vitest';
import type { AlertCandidate, StoredAlert } from './alert-types.js';
import { alertFingerprint } from './fingerprint.js';
import { advanceAlert } from './state-machine.js';

const T0 = Date.UTC(2026, 10, 1);
const cand = (forS: number, value = 90): AlertCandidate => ({
  source: 'rule',
  rule: 'gpu-hot',
  alertname: 'GpuTemperatureHigh',
  severity: 'ticket',
  labels: { alertname: 'GpuTemperatureHigh', host: 'h1' },
  annotations: { summary: 'hot' },
  value,
  forS,
  generatorUrl: 'http://x/alerts',
});

/** Runs a sequence of (offset s, condition holds?) through the machine. */
function run(forS: number, steps: [number, boolean][]) {
  let stored: StoredAlert | undefined;
  const seen: string[] = [];
  for (const [s, holds] of steps) {
    const r = advanceAlert('t1', 'fp', stored, holds ? cand(forS) : undefined, T0 + s * 1000);
    if (r.next !== undefined) stored = r.next;
    seen.push(`${s}:${stored?.state ?? 'none'}${r.notify === undefined ? '' : `!${r.notify}`}`);
  }
  return { seen, stored };
}

describe('advanceAlert', () => {
  it.each([
    [
      'fires at once without a for duration',
      0,
      [
        [0, true],
        [60, true],
        [120, false],
        [180, false],
      ],
      ['0:firing!firing', '60:firing', '120:resolved!resolved', '180:resolved'],
    ],
    [
      'waits `for` before firing',
      300,
      [
        [0, true],
        [240, true],
        [300, true],
        [360, false],
      ],
      ['0:pending', '240:pending', '300:firing!firing', '360:resolved!resolved'],
    ],
    [
      'drops a pending alert silently',
      300,
      [
        [0, true],
        [60, false],
      ],
      ['0:pending', '60:resolved'],
    ],
    [
      'starts a new episode after resolving',
      0,
      [
        [0, true],
        [60, false],
        [120, true],
      ],
      ['0:firing!firing', '60:resolved!resolved', '120:firing!firing'],
    ],
    ['ignores a condition that never held', 0, [[0, false]], ['0:none']],
  ] as const)('%s', (_what, forS, steps, expected) => {
    expect(
      run(
        forS,
        steps.map(([s, h]) => [s, h]),
      ).seen,
    ).toEqual(expected);
  });

  it('keeps activeAt and firedAt of an ongoing alert and updates its value', () => {
    let stored = advanceAlert('t1', 'fp', undefined, cand(0, 90), T0).next;
    stored = advanceAlert('t1', 'fp', stored, cand(0, 93), T0 + 60_000).next;
    expect(stored).toMatchObject({ state: 'firing', activeAtMs: T0, firedAtMs: T0, value: 93, updatedAtMs: T0 + 60_000 });
  });

  it('clears an acknowledgement when a new episode starts', () => {
    const resolved: StoredAlert = {
      ...(advanceAlert('t1', 'fp', undefined, cand(0), T0).next as StoredAlert),
      state: 'resolved',
      ackedBy: 'ops',
      ackedAtMs: T0,
    };
    expect(advanceAlert('t1', 'fp', resolved, cand(0), T0 + 600_000).next).toMatchObject({ ackedBy: '', ackedAtMs: null, activeAtMs: T0 + 600_000 });
  });
});

describe('alertFingerprint', () => {
  it('is independent of label order and depends on tenant and values', () => {
    const a = alertFingerprint('t1', { alertname: 'X', host: 'h1' });
    expect(alertFingerprint('t1', { host: 'h1', alertname: 'X' })).toBe(a);
    expect(alertFingerprint('t2', { alertname: 'X', host: 'h1' })).not.toBe(a);
    expect(alertFingerprint('t1', { alertname: 'X', host: 'h2' })).not.toBe(a);
    expect(a).toMatch(/^[0-9a-f]{16}$/);
  });

  it('says which transition happened, from and to, and nothing when nothing changed', () => {
    expect(advanceAlert('t1', 'fp', undefined, undefined, T0)).toStrictEqual({ next: undefined, transition: undefined, notify: undefined });
    const pending = advanceAlert('t1', 'fp', undefined, cand(300), T0);
    expect(pending.transition).toStrictEqual({ from: 'inactive', to: 'pending' });
    const firing = advanceAlert('t1', 'fp', pending.next, cand(300, 95), T0 + 300_000);
    expect([firing.transition, firing.notify]).toStrictEqual([{ from: 'pending', to: 'firing' }, 'firing']);
    expect([firing.next?.value, firing.next?.firedAtMs, firing.next?.activeAtMs]).toEqual([95, T0 + 300_000, T0]);
    const still = advanceAlert('t1', 'fp', firing.next, cand(300, 97), T0 + 360_000);
    expect([still.transition, still.notify, still.next?.value, still.next?.updatedAtMs]).toStrictEqual([undefined, undefined, 97, T0 + 360_000]);
    const resolved = advanceAlert('t1', 'fp', still.next, undefined, T0 + 420_000);
    expect([resolved.transition, resolved.notify, resolved.next?.resolvedAtMs]).toStrictEqual([{ from: 'firing', to: 'resolved' }, 'resolved', T0 + 420_000]);
    const dropped = advanceAlert('t1', 'fp', pending.next, undefined, T0 + 60_000);
    expect([dropped.transition, dropped.notify]).toStrictEqual([{ from: 'pending', to: 'resolved' }, undefined]);
    const now = advanceAlert('t1', 'fp', undefined, cand(0), T0);
    expect([now.transition, now.notify, now.next?.state]).toStrictEqual([{ from: 'inactive', to: 'firing' }, 'firing', 'firing']);
  });
});
