// Test-only controls exported by the fake libnvidia-ml (fakeNvmlSetTick, fakeNvmlCallCount).
// The fake shares its state with the sampler because koffi loads the same .so once per process.
import koffi from 'koffi';

export interface FakeNvmlControl {
  setTick(tick: number): void;
  callCount(): number;
}

export function fakeNvmlControl(libPath: string): FakeNvmlControl {
  const lib = koffi.load(libPath);
  const setTick = lib.func('fakeNvmlSetTick', 'void', ['uint32']);
  const calls = lib.func('fakeNvmlCallCount', 'uint64', []);
  return {
    setTick: (t) => {
      setTick(t);
    },
    callCount: () => Number(calls()),
  };
}
