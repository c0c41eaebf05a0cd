// Test-only controls exported by the fake libnvidia-ml (fakeNvmlSetTick, fakeNvmlCallCount,
// fakeNvmlGpmSamplesAllocated).
// The fake shares its state with the sampler because koffi loads the same .so once per process.
import koffi from 'koffi';

export interface FakeNvmlControl {
  setTick(tick: number): void;
  callCount(): number;
  /** GPM sample buffers allocated and not yet freed (nvmlGpmSampleAlloc minus nvmlGpmSampleFree). */
  gpmSamplesAllocated(): number;
}

export function fakeNvmlControl(libPath: string): FakeNvmlControl {
  const lib = koffi.load(libPath);
  const setTick = lib.func('fakeNvmlSetTick', 'void', ['uint32']);
  const calls = lib.func('fakeNvmlCallCount', 'uint64', []);
  const gpmSamples = lib.func('fakeNvmlGpmSamplesAllocated', 'uint64', []);
  return {
    setTick: (t) => {
      setTick(t);
    },
    callCount: () => Number(calls()),
    gpmSamplesAllocated: () => Number(gpmSamples()),
  };
}
