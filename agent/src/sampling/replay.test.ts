import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AgentError } from '../errors.js';
import { createReplaySampler } from './replay.js';

const DIR = fileURLToPath(new URL('../../test/fixtures/nvidia-smi/', import.meta.url));

describe('createReplaySampler', () => {
  it('cycles through the recorded files and stamps the current time', async () => {
    let t = 1_000;
    const s = createReplaySampler({
      paths: [DIR + 'h100-80gb-hbm3-driver590-query-gpu-idle.csv', DIR + 'rtx-a5000-x2-driver590-v13-procs.xml'],
      now: () => (t += 1000),
    });
    expect(s.source).toBe('replay');
    const a = await s.sample();
    const b = await s.sample();
    const c = await s.sample();
    expect(a.gpus).toHaveLength(1);
    expect(a.gpus[0]).toMatchObject({ ts_unix_ms: 2000, temperature_celsius: 41 });
    expect(b.gpus.map((g) => g.ts_unix_ms)).toEqual([3000, 3000]);
    expect(b.gpus[1]).toMatchObject({ index: 1, temperature_celsius: 15 });
    expect(c.gpus[0]).toMatchObject({ ts_unix_ms: 4000, temperature_celsius: 41 });
    await s.close();
  });

  it('replays a whole directory, skipping files that are not GPU reports', async () => {
    const s = createReplaySampler({ paths: [DIR] });
    const seen = new Set<string>();
    // one frame per sample, files in name order: more samples than the directory has files
    for (let i = 0; i < 64; i++) for (const g of (await s.sample()).gpus) seen.add(g.name ?? '?');
    expect(seen.has('NVIDIA H100 80GB HBM3')).toBe(true);
    expect(seen.has('Tesla T4')).toBe(true);
  });

  it('throws AGT_ERR_REPLAY_NO_FILES when nothing is usable', () => {
    expect(() => createReplaySampler({ paths: [DIR + 'SOURCES.md', '/nonexistent/file.xml'] })).toThrowError(AgentError);
    try {
      createReplaySampler({ paths: [] });
    } catch (err: unknown) {
      expect(err instanceof AgentError && err.code).toBe('AGT_ERR_REPLAY_NO_FILES');
    }
  });
});
