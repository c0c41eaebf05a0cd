// Compiles agent/native-fake/fake-nvml.c with the system gcc into a temp dir, cached by source hash.
// Side-effect free at import; callers (test setup, the benchmark) call buildFakeNvml().
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FAKE_NVML_SOURCE = fileURLToPath(new URL('../../native-fake/fake-nvml.c', import.meta.url));

/** Directory of the scenario files shipped with the tests. */
export const FAKE_NVML_SCENARIOS = fileURLToPath(new URL('../scenarios/', import.meta.url));

/** Returns the path of a compiled fake libnvidia-ml.so, building it when the source changed. */
export function buildFakeNvml(): string {
  const src = readFileSync(FAKE_NVML_SOURCE);
  const hash = createHash('sha256').update(src).digest('hex').slice(0, 16);
  const out = join(tmpdir(), `renderwatch-fake-nvml-${hash}.so`);
  if (existsSync(out)) return out;
  const partial = `${out}.${process.pid}.tmp`;
  execFileSync('gcc', ['-O2', '-Wall', '-shared', '-fPIC', '-o', partial, FAKE_NVML_SOURCE, '-lpthread'], { stdio: 'pipe' });
  renameSync(partial, out);
  return out;
}
