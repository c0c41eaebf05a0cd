// agent-overhead: the real NVML sampler (koffi FFI) against the fake libnvidia-ml.so with 8 GPUs,
// XID watcher on. Measures, in one run: the latency of one 8-GPU sample, the CPU share of one core
// and the peak RSS of sampling every second (a faster interval is scaled back to 1 Hz: CPU per
// sample above an idle baseline measured in the same run), and one spawn of the nvidia-smi fallback.
// usage: node --import tsx bench/src/agent-overhead.ts [sampling seconds=20] [interval ms=250]
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createNvmlSampler, queryNvidiaSmiOnce } from '@renderwatch/agent';
import { buildFakeNvml, FAKE_NVML_SCENARIOS } from '../../agent/test/support/build-fake-nvml.js';
import { machineLine, percentile } from './bench-env.js';

const SECONDS = Number(process.argv[2] ?? 20);
const INTERVAL_MS = Number(process.argv[3] ?? 250);
const LATENCY_SAMPLES = 500;
const FAKE_SMI = fileURLToPath(new URL('../../agent/test/support/fake-nvidia-smi.mjs', import.meta.url));
const START_RSS_MB = process.memoryUsage().rss / 1048576;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const cpuSeconds = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

async function main(): Promise<void> {
  console.log(machineLine());
  const libPath = buildFakeNvml();
  process.env['FAKE_NVML_SCENARIO'] = `${FAKE_NVML_SCENARIOS}eight-gpus.json`;
  process.env['FAKE_SMI_GPUS'] = '8';
  const sampler = createNvmlSampler({ libPath, intervalMs: 1000, xidWaitMs: 500 });
  if (sampler.gpuCount !== 8) throw new Error(`expected 8 fake GPUs, got ${sampler.gpuCount}`);

  // 1. Latency of one 8-GPU sample (warm).
  for (let i = 0; i < 50; i++) await sampler.sample();
  const lat: number[] = [];
  for (let i = 0; i < LATENCY_SAMPLES; i++) {
    const t0 = performance.now();
    const r = await sampler.sample();
    lat.push(performance.now() - t0);
    if (r.gpus.length !== 8) throw new Error('a sample lost GPUs');
  }
  lat.sort((a, b) => a - b);
  const p50 = percentile(lat, 50);
  const p95 = percentile(lat, 95);
  console.log(`nvml sample, 8 GPUs: p50 ${p50.toFixed(3)} ms, p95 ${p95.toFixed(3)} ms, max ${(lat.at(-1) ?? 0).toFixed(3)} ms (${LATENCY_SAMPLES} samples)`);

  // 2. Sampling every INTERVAL_MS, then an idle baseline of the same process (alive, XID watcher
  //    waiting, no sampling): the difference is the CPU the sampling costs.
  await sleep(2000);
  let inSampleCpuS = 0;
  let c0 = cpuSeconds();
  let w0 = performance.now();
  let samples = 0;
  const end = w0 + SECONDS * 1000;
  while (performance.now() < end) {
    const next = performance.now() + INTERVAL_MS;
    const s0 = cpuSeconds();
    await sampler.sample();
    inSampleCpuS += cpuSeconds() - s0;
    samples += 1;
    await sleep(Math.max(0, next - performance.now()));
  }
  const wall = (performance.now() - w0) / 1000;
  const runRate = (cpuSeconds() - c0) / wall;
  const baseS = Math.max(5, SECONDS / 2);
  c0 = cpuSeconds();
  w0 = performance.now();
  await sleep(baseS * 1000);
  const baseRate = (cpuSeconds() - c0) / ((performance.now() - w0) / 1000);
  // Per-sample CPU: the larger of (whole-process rate above baseline) and (CPU measured around each call).
  const perSampleCpuS = Math.max(Math.max(0, (runRate - baseRate) * wall) / samples, inSampleCpuS / samples);
  const at1Hz = (baseRate + perSampleCpuS) * 100;
  const rssMb = process.resourceUsage().maxRSS / 1024;
  console.log(
    `sampling every ${INTERVAL_MS} ms for ${wall.toFixed(1)} s: ${samples} samples, ${(runRate * 100).toFixed(3)}% of one core; ` +
      `CPU per sample ${(perSampleCpuS * 1000).toFixed(3)} ms (in-call ${((inSampleCpuS / samples) * 1000).toFixed(3)} ms)`,
  );
  console.log(`idle baseline after sampling: ${(baseRate * 100).toFixed(3)}% of one core over ${baseS} s`);
  console.log(
    `scaled to 1 sample/s: ${at1Hz.toFixed(3)}% of one core; peak RSS ${rssMb.toFixed(1)} MB ` +
      `(${START_RSS_MB.toFixed(1)} MB already at start: node + tsx loader + imported modules, before any sampling); failures ${sampler.failures}`,
  );
  await sampler.close();

  // 3. One spawn of the nvidia-smi fallback (a real nvidia-smi on PATH if there is one, else the fake script).
  const real = await queryNvidiaSmiOnce({ timeoutMs: 10_000 });
  const smiPath = real.ok ? 'nvidia-smi' : FAKE_SMI;
  const spawnMs: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const r = await queryNvidiaSmiOnce(real.ok ? {} : { smiPath });
    spawnMs.push(performance.now() - t0);
    if (!r.ok) throw r.error;
  }
  spawnMs.sort((a, b) => a - b);
  const smiMedian = percentile(spawnMs, 50);
  console.log(
    `nvidia-smi fallback, one query (help + query-gpu + compute-apps spawns) via ${real.ok ? 'real nvidia-smi' : 'fake script (node start-up dominates)'}: ` +
      `median ${smiMedian.toFixed(1)} ms = ${(smiMedian / p50).toFixed(0)}× one NVML sample`,
  );
  console.log(
    `agent-overhead: ${at1Hz.toFixed(2)}% of one core, ${rssMb.toFixed(0)} MB peak RSS (${(rssMb - START_RSS_MB).toFixed(0)} MB above start), ` +
      `${p50.toFixed(2)} ms per 8-GPU sample ` +
      '(target <1% of one core, <100 MB, <5 ms per 8-GPU sample)',
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
