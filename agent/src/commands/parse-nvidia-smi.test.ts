import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseNvidiaSmiCommand } from './parse-nvidia-smi.js';

const DIR = fileURLToPath(new URL('../../test/fixtures/nvidia-smi/', import.meta.url));

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await parseNvidiaSmiCommand.run(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

describe('parse-nvidia-smi', () => {
  it('prints only contract fields for an XML file', async () => {
    const r = await run([DIR + 'rtx3090-driver590-v13-swpowercap-active.xml']);
    expect(r.code).toBe(0);
    const { gpus } = JSON.parse(r.out) as { gpus: Record<string, unknown>[] };
    expect(gpus[0]).toMatchObject({ index: 0, temperature_celsius: 32, clock_event_reasons: ['sw_power_cap'] });
    expect(gpus[0]).not.toHaveProperty('pci_bus_id');
  });

  it('attaches --compute-apps processes to a --query-gpu CSV', async () => {
    const r = await run([DIR + 'h100-80gb-hbm3-driver590-query-gpu-load.csv', '--compute-apps', DIR + 'h100-80gb-hbm3-driver590-compute-apps-load.csv']);
    const { gpus } = JSON.parse(r.out) as { gpus: { processes: { pid: number }[] }[] };
    expect(gpus[0]?.processes.map((p) => p.pid)).toEqual([11327, 11328, 11345]);
  });

  it('reads headerless CSV with --fields', async () => {
    const tmp = fileURLToPath(new URL('../../test/fixtures/nvidia-smi/', import.meta.url));
    const r = await run(['--fields', 'index,name,memory.used,temperature.gpu', tmp + 'tesla-p100-driver510-query-nounits.csv']);
    // The file has a header, which wins over --fields.
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ gpus: [{ index: 0, name: 'Tesla P100-PCIE-16GB', temperature_celsius: 37 }] });
  });

  it('exits 1 with a clear error on a file that is not nvidia-smi output', async () => {
    const r = await run([DIR + 'SOURCES.md']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('AGT_ERR_SMI_FORMAT_UNKNOWN');
  });

  it('exits 1 on a missing file and 2 on bad usage', async () => {
    expect((await run(['/nonexistent.xml'])).code).toBe(1);
    expect((await run([])).code).toBe(2);
  });
});
