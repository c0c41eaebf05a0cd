import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createNvidiaSmiSampler, type NvidiaSmiSampler } from './nvidia-smi.js';
import { parseHelpQueryGpu, selectQueryFields } from './smi-fields.js';

const FAKE_SMI = fileURLToPath(new URL('../../test/support/fake-nvidia-smi.mjs', import.meta.url));
const HELP = fileURLToPath(new URL('../../test/fixtures/nvidia-smi/help-query-gpu-driver590.txt', import.meta.url));
const MiB = 1048576;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

let sampler: NvidiaSmiSampler | undefined;
afterEach(async () => {
  await sampler?.close();
  sampler = undefined;
  delete process.env.FAKE_SMI_MODE;
});

describe('selectQueryFields', () => {
  it('uses the driver 590 names listed by --help-query-gpu', () => {
    const known = parseHelpQueryGpu(readFileSync(HELP, 'utf8'));
    expect(known.has('clocks_throttle_reasons.active')).toBe(true);
    const fields = selectQueryFields(known);
    expect(fields).toContain('clocks_event_reasons.active');
    expect(fields).toContain('clocks_event_reasons_counters.sw_thermal_slowdown');
    expect(fields).toContain('memory.reserved');
  });

  it('falls back to the old throttle names on drivers that only know them', () => {
    const old = new Set(['index', 'uuid', 'memory.used', 'clocks_throttle_reasons.active', 'clocks.current.sm', 'power.limit']);
    expect(selectQueryFields(old)).toEqual(['index', 'uuid', 'memory.used', 'power.limit', 'clocks.current.sm', 'clocks_throttle_reasons.active']);
  });
});

describe('createNvidiaSmiSampler (long-lived -lms process)', () => {
  it('reads rows from one long-lived process, with processes from --query-compute-apps', async () => {
    sampler = await createNvidiaSmiSampler({ smiPath: FAKE_SMI, intervalMs: 50, timeoutMs: 2000 });
    for (let i = 0; i < 50 && sampler.starts === 1; i++) {
      await sleep(20);
      const { gpus } = await sampler.sample();
      if (gpus.length === 2) break;
    }
    await sleep(120);
    const { gpus } = await sampler.sample();
    expect(gpus).toHaveLength(2);
    expect(gpus[0]).toMatchObject({
      index: 0,
      uuid: 'GPU-smi-0',
      name: 'NVIDIA L40S',
      driver_version: '595.80',
      memory_used_bytes: 1235 * MiB,
      temperature_celsius: 54,
      power_limit_watts: 350,
      clock_event_reasons: ['sw_power_cap'],
      processes: [{ pid: 4242, name: 'python3', used_memory_bytes: 4000 * MiB }],
    });
    expect(gpus[1]?.processes).toEqual([{ pid: 4343, name: '/usr/bin/comfyui' }]);
    expect(gpus[0]).not.toHaveProperty('fan_ratio');
    expect(sampler.starts).toBe(1);
    expect(sampler.failures).toBe(0);
  });

  it('kills a hanging nvidia-smi after the hard timeout, restarts it and counts it', async () => {
    process.env.FAKE_SMI_MODE = 'hang';
    let counted = 0;
    sampler = await createNvidiaSmiSampler({
      smiPath: FAKE_SMI,
      intervalMs: 50,
      // a silence this long is a hang; shorter, and a fake nvidia-smi (a Node process, slow to start on
      // a loaded machine) can be killed before its first line on every restart
      timeoutMs: 2000,
      computeAppsEvery: 0,
      counter: { inc: () => (counted += 1) },
    });
    // Generous deadlines: each fake nvidia-smi is a Node process, slow to start on a loaded machine.
    for (let i = 0; i < 400 && sampler.starts < 2; i++) await sleep(50);
    expect(sampler.starts).toBeGreaterThanOrEqual(2);
    expect(counted).toBeGreaterThanOrEqual(1);
    // Right after a restart a sample can hold the first GPU's line of a loop without the second yet
    // (as in the first test): wait for a whole loop, not for any line.
    let gpus = 0;
    for (let i = 0; i < 400 && gpus < 2; i++) {
      gpus = (await sampler.sample()).gpus.length;
      if (gpus < 2) await sleep(50);
    }
    expect(gpus).toBe(2);
  }, 60_000);

  it('restarts nvidia-smi when it exits', async () => {
    process.env.FAKE_SMI_MODE = 'exit';
    sampler = await createNvidiaSmiSampler({ smiPath: FAKE_SMI, intervalMs: 50, timeoutMs: 1000, computeAppsEvery: 0 });
    for (let i = 0; i < 400 && sampler.starts < 2; i++) await sleep(50);
    expect(sampler.starts).toBeGreaterThanOrEqual(2);
    expect(sampler.failures).toBeGreaterThanOrEqual(1);
  }, 60_000);

  it('rejects with AGT_ERR_SMI_NOT_FOUND when there is no nvidia-smi', async () => {
    await expect(createNvidiaSmiSampler({ smiPath: '/nonexistent/nvidia-smi' })).rejects.toMatchObject({ code: 'AGT_ERR_SMI_NOT_FOUND' });
  });
});
