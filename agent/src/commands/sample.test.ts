import { fileURLToPath } from 'node:url';
import { GpuReadingSchema } from '@renderwatch/schema';
import { describe, expect, it } from 'vitest';
import { buildFakeNvml, FAKE_NVML_SCENARIOS } from '../../test/support/build-fake-nvml.js';
import { sampleCommand } from './sample.js';

const FAKE_SMI = fileURLToPath(new URL('../../test/support/fake-nvidia-smi.mjs', import.meta.url));

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await sampleCommand.run(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

describe('sample --once', () => {
  it('prints the contract shape from NVML', async () => {
    process.env.FAKE_NVML_SCENARIO = FAKE_NVML_SCENARIOS + 'eight-gpus.json';
    const r = await run(['--once', '--nvml-lib', buildFakeNvml()]);
    expect(r.code).toBe(0);
    const { gpus } = JSON.parse(r.out) as { gpus: unknown[] };
    expect(gpus).toHaveLength(8);
    for (const g of gpus) expect(Object.keys(g as object).every((k) => k in GpuReadingSchema.shape)).toBe(true);
    expect(gpus[0]).toMatchObject({ index: 0, temperature_celsius: 41, clock_event_reasons: ['gpu_idle'] });
  });

  it('falls back to one nvidia-smi spawn when NVML is missing', async () => {
    const r = await run(['--once', '--nvml-lib', '/nonexistent/libnvidia-ml.so.1', '--nvidia-smi', FAKE_SMI, '--detail']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out) as { source: string; gpus: { uuid: string }[] };
    expect(out.source).toBe('nvidia-smi');
    expect(out.gpus.map((g) => g.uuid)).toEqual(['GPU-smi-0', 'GPU-smi-1']);
  });

  it('exits 1 with the error code when no source works', async () => {
    const r = await run(['--once', '--nvml-lib', '/nonexistent/lib.so', '--nvidia-smi', '/nonexistent/nvidia-smi']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('AGT_ERR_SMI_NOT_FOUND');
    expect(r.out).toBe('');
  });

  it('exits 2 without --once', async () => {
    expect((await run([])).code).toBe(2);
  });
});
