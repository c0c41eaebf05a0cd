import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { buildFakeNvml, FAKE_NVML_SCENARIOS } from '../../test/support/build-fake-nvml.js';
import { openGpuSampler } from './gpu-source.js';
import type { GpuSampler } from './sampler.js';

const FAKE_SMI = fileURLToPath(new URL('../../test/support/fake-nvidia-smi.mjs', import.meta.url));
let sampler: GpuSampler | undefined;
afterEach(async () => {
  await sampler?.close();
  sampler = undefined;
});

describe('openGpuSampler', () => {
  it('uses NVML when the library loads', async () => {
    process.env.FAKE_NVML_SCENARIO = FAKE_NVML_SCENARIOS + 'mig.json';
    sampler = await openGpuSampler({ nvmlLib: buildFakeNvml(), smiPath: FAKE_SMI, watchXid: false });
    expect(sampler.source).toBe('nvml');
  });

  it('falls back to nvidia-smi when the NVML library is missing', async () => {
    sampler = await openGpuSampler({ nvmlLib: '/nonexistent/libnvidia-ml.so.1', smiPath: FAKE_SMI, intervalMs: 50 });
    expect(sampler.source).toBe('nvidia-smi');
  });

  it('falls back to nvidia-smi when nvmlInit fails', async () => {
    process.env.FAKE_NVML_SCENARIO = FAKE_NVML_SCENARIOS + 'init-fails.json';
    sampler = await openGpuSampler({ nvmlLib: buildFakeNvml(), smiPath: FAKE_SMI, intervalMs: 50 });
    expect(sampler.source).toBe('nvidia-smi');
  });

  it('does not fall back when NVML was asked for explicitly', async () => {
    await expect(openGpuSampler({ source: 'nvml', nvmlLib: '/nonexistent/libnvidia-ml.so.1' })).rejects.toMatchObject({
      code: 'AGT_ERR_NVML_LIB_MISSING',
    });
  });
});
