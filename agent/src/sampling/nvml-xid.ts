// XID errors through the NVML event API: nvmlEventSetWait_v2 runs on a koffi worker thread
// (`.async`), so the event loop never blocks. One wait is in flight at a time; stop() waits for it
// to return (at most waitMs) before the event set is freed.
import type { FailureReporter } from './failure-reporter.js';
import { NVML_ERROR_TIMEOUT, NVML_SUCCESS, NvmlError, isAbsentReturn } from './nvml-errors.js';
import type { NvmlHandle, NvmlLib } from './nvml-lib.js';

export interface XidDevice {
  index: number;
  uuid: string;
  handle: NvmlHandle;
}

export interface XidWatcher {
  stop(): Promise<void>;
}

export interface XidWatcherOptions {
  lib: NvmlLib;
  devices: readonly XidDevice[];
  waitMs: number;
  now: () => number;
  failures: FailureReporter;
  onXid(device: XidDevice, xid: number, tsUnixMs: number): void;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref());

/** Registers every device for XID events and waits for them until stop(); undefined if unsupported. */
export function startXidWatcher(opts: XidWatcherOptions): XidWatcher | undefined {
  const { lib, failures } = opts;
  const set = lib.eventSetCreate();
  if (!set.ok) {
    failures.report('xid', new NvmlError('nvmlEventSetCreate', set.rc));
    return undefined;
  }
  let registered = 0;
  for (const d of opts.devices) {
    const rc = lib.registerXidEvents(d.handle, set.value);
    if (rc === NVML_SUCCESS) registered += 1;
    // No XID events on this GPU (vGPU guests, some consumer boards): absent, not a failure.
    else if (!isAbsentReturn(rc)) failures.report(`xid:${d.index}`, new NvmlError('nvmlDeviceRegisterEvents', rc), { gpu_index: d.index });
  }
  if (registered === 0) {
    lib.eventSetFree(set.value);
    return undefined;
  }
  let stopped = false;
  const loop = (async () => {
    for (;;) {
      if (stopped) break;
      const r = await lib.eventWaitAsync(set.value, opts.waitMs);
      if (stopped) break;
      if (r.ok) {
        const dev = opts.devices.find((d) => lib.sameDevice(d.handle, r.value.device));
        if (dev !== undefined) opts.onXid(dev, r.value.xid, opts.now());
      } else if (r.rc !== NVML_ERROR_TIMEOUT) {
        failures.report('xid', new NvmlError('nvmlEventSetWait_v2', r.rc));
        await sleep(opts.waitMs);
      }
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      lib.eventSetFree(set.value);
    },
  };
}
