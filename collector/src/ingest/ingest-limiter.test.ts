import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { createIngestLimiter } from './ingest-limiter.js';

function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => {
    open = r;
  });
  return { promise, open };
}

describe('createIngestLimiter', () => {
  it('runs up to maxInFlight at once, queues maxQueued, refuses the rest with a retry hint', async () => {
    const l = createIngestLimiter({ maxInFlight: 2, maxQueued: 1, retryAfterS: 3 });
    const g = gate();
    const started: number[] = [];
    const runs = [1, 2, 3].map((i) =>
      l.run(async () => {
        started.push(i);
        await g.promise;
        return i;
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([1, 2]);
    expect([l.inFlight, l.queued]).toEqual([2, 1]);
    const refused = await l.run(async () => 4).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).code).toBe('COL_ERR_INGEST_OVERLOADED');
    expect((refused as AppError).retryAfterS).toBe(3);
    g.open();
    expect(await Promise.all(runs)).toEqual([1, 2, 3]);
    expect(started).toEqual([1, 2, 3]);
    expect([l.inFlight, l.queued]).toEqual([0, 0]);
  });

  it('frees the slot when a task fails', async () => {
    const l = createIngestLimiter({ maxInFlight: 1, maxQueued: 0, retryAfterS: 1 });
    await expect(
      l.run(async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await l.run(async () => 'ok')).toBe('ok');
    expect(l.inFlight).toBe(0);
  });
});
