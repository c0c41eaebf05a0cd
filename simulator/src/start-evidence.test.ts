// Simulated starts are labelled by the agent's rules from the loads the simulator makes, never by
// a flag: a host whose checkpoint was read at disk speed is cold, one read from the page cache warm.
import type { RuntimeEvent } from '@renderwatch/schema';
import { describe, expect, it } from 'vitest';
import { fleetSpecs } from './fleet.js';
import { createRng } from './rng.js';
import { checkpointLoad, createStartLabeller, readSeconds } from './start-evidence.js';
import { createVirtualHost } from './virtual-host.js';

const GiB = 1024 ** 3;

describe('start evidence', () => {
  it('read speeds: 8.5 GiB from disk at 150 MB/s is 60.85 s, from the page cache at 5 GiB/s 1.7 s', () => {
    expect(readSeconds(8.5 * GiB, false, 0)).toBe(60.85);
    expect(readSeconds(8.5 * GiB, true, 0)).toBe(1.7);
  });

  it('the labeller decides from the load: disk speed → cold, page-cache speed → warm', () => {
    for (const [warm, cold, rule] of [
      [false, 'cold', 'load_from_disk'],
      [true, 'warm', 'all_loads_cached'],
    ] as const) {
      const label = createStartLabeller();
      const out = label([
        { ts_unix_ms: 1000, event: { kind: 'runtime_start', runtime: 'comfyui' } },
        checkpointLoad('comfyui', 'sd_xl_base_1.0.safetensors', 6.46 * GiB, warm, 60_000, 0.5),
        { ts_unix_ms: 61_000, event: { kind: 'runtime_ready', runtime: 'comfyui' } },
      ]);
      expect(out[2]?.event).toEqual({ kind: 'runtime_ready', runtime: 'comfyui', start_to_ready_s: 60, cold, cold_rule: rule });
    }
  });

  it('a simulated fleet: every start labelled by the rules, both labels present, no cold flag on runtime_start', () => {
    const t0 = 1_700_000_000_000;
    const labels: string[] = [];
    for (const [k, spec] of fleetSpecs(12, 7).entries()) {
      const vh = createVirtualHost(spec, createRng(100 + k), t0);
      const evs: RuntimeEvent[] = [];
      for (let i = 1; i <= 900 && !evs.some((e) => e.kind === 'first_image'); i++)
        for (const e of vh.step(t0 + i * 2000).events) {
          expect('cold' in e).toBe(false); // the wire-only uptime flag is gone
          evs.push(e.event);
        }
      const ready = evs.find((e) => e.kind === 'runtime_ready');
      const load = evs.find((e) => e.kind === 'model_load');
      expect(ready?.kind).toBe('runtime_ready');
      if (ready?.kind !== 'runtime_ready' || load?.kind !== 'model_load') throw new Error('no ready or no load');
      // the label follows the evidence: bytes per second of the checkpoint read before ready
      const bps = ((load.loaded_mb ?? 0) * 1024 ** 2) / (load.duration_s ?? 1);
      expect(ready.cold).toBe(bps < GiB ? 'cold' : 'warm');
      labels.push(ready.cold ?? 'none');
      expect(evs.filter((e) => e.kind === 'first_image')).toEqual([expect.objectContaining({ cold: ready.cold })]);
    }
    expect(new Set(labels)).toEqual(new Set(['cold', 'warm']));
  });
});
