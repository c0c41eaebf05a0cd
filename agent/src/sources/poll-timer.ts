// The timer of a source that polls (the A1111 progress API, the cloud's preemption notice): one poll
// at start, then one every interval, never holding the process open, stopped once.

export interface PollTimer {
  start(): void;
  stop(): void;
}

/** Runs `poll` at start and every `intervalMs` until stopped; a second start is a no-op. */
export function createPollTimer(intervalMs: number, poll: () => Promise<unknown>): PollTimer {
  let timer: NodeJS.Timeout | undefined;
  return {
    start() {
      if (timer !== undefined) return;
      void poll();
      timer = setInterval(() => void poll(), intervalMs);
      timer.unref();
    },
    stop() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
    },
  };
}
