// A fake AUTOMATIC1111 / Forge API server (127.0.0.1:0) for the batch adapter: A1111 cannot run
// here (no GPU, no weights). It answers `GET /sdapi/v1/progress` the way the real one does, built
// from AUTOMATIC1111's sources (read for reference, not copied):
// - modules/api/models.py `ProgressResponse`: progress (0..1), eta_relative (s), state (dict),
//   current_image (base64 or null; none when skip_current_image), textinfo (str or null);
// - modules/shared_state.py `State`: dict() = skipped, interrupted, stopping_generation, job,
//   job_count, job_timestamp, job_no, sampling_step, sampling_steps; begin() sets job_count -1,
//   job_no 0, job_timestamp to the start time (%Y%m%d%H%M%S) and clears the flags; nextjob()
//   adds 1 to job_no and zeroes sampling_step; end() sets job to "" and job_count 0 (job_no and
//   job_timestamp stay); interrupt() sets interrupted;
// - modules/api/api.py `progressapi`: with job_count 0 it answers progress 0, eta_relative 0, the
//   state and textinfo; otherwise progress = 0.01 + job_no / job_count (+ the sampling share),
//   eta_relative = elapsed / progress - elapsed, progress capped at 1.
// processing.py sets job_count to the batch count (n_iter) and job to "Batch n out of N".
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeA1111State {
  skipped: boolean;
  interrupted: boolean;
  stopping_generation: boolean;
  job: string;
  job_count: number;
  job_timestamp: string;
  job_no: number;
  sampling_step: number;
  sampling_steps: number;
  timeStartMs: number;
}

export interface FakeA1111 {
  url: string;
  readonly state: FakeA1111State;
  requests: string[];
  /** `State.begin()` at `atMs` then processing's job_count = batchCount, with `steps` sampling steps. */
  begin(atMs: number, batchCount: number, steps: number): void;
  /** A sampling step of the current iteration. */
  step(n: number): void;
  /** `State.nextjob()`: the iteration done, the next one starts. */
  nextjob(): void;
  interrupt(): void;
  /** `State.end()`. */
  end(): void;
  /** Process gone (connections refused) until restart(), which starts with a fresh State. */
  stop(): Promise<void>;
  restart(): Promise<void>;
}

const pad = (n: number): string => String(n).padStart(2, '0');
/** `%Y%m%d%H%M%S` (local time in A1111; UTC here). */
const stamp = (ms: number): string => {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
};
const fresh = (): FakeA1111State => ({
  skipped: false,
  interrupted: false,
  stopping_generation: false,
  job: '',
  job_count: 0,
  job_timestamp: '0',
  job_no: 0,
  sampling_step: 0,
  sampling_steps: 0,
  timeStartMs: 0,
});

export async function startFakeA1111(clock: () => number = Date.now): Promise<FakeA1111> {
  let state = fresh();
  const requests: string[] = [];
  const dict = (): Record<string, unknown> => ({
    skipped: state.skipped,
    interrupted: state.interrupted,
    stopping_generation: state.stopping_generation,
    job: state.job,
    job_count: state.job_count,
    job_timestamp: state.job_timestamp,
    job_no: state.job_no,
    sampling_step: state.sampling_step,
    sampling_steps: state.sampling_steps,
  });
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const u = new URL(req.url ?? '/', 'http://x');
    requests.push(`${req.method ?? 'GET'} ${u.pathname}${u.search}`);
    if (req.method !== 'GET' || u.pathname !== '/sdapi/v1/progress') {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ detail: 'Not Found' }));
      return;
    }
    let body: Record<string, unknown>;
    if (state.job_count === 0) body = { progress: 0, eta_relative: 0, state: dict(), current_image: null, textinfo: null };
    else {
      let progress = 0.01;
      if (state.job_count > 0) progress += state.job_no / state.job_count;
      if (state.sampling_steps > 0 && state.job_count > 0) progress += ((1 / state.job_count) * state.sampling_step) / state.sampling_steps;
      const elapsed = (clock() - state.timeStartMs) / 1000;
      const eta = elapsed / progress - elapsed;
      body = { progress: Math.min(progress, 1), eta_relative: eta, state: dict(), current_image: null, textinfo: null };
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  let server = createServer(handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const close = (): Promise<void> =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return {
    url: `http://127.0.0.1:${port}`,
    get state() {
      return state;
    },
    requests,
    begin(atMs, batchCount, steps) {
      state = { ...fresh(), job: 'txt2img', job_count: -1, job_timestamp: stamp(atMs), timeStartMs: atMs };
      state.job_count = batchCount;
      state.job = batchCount > 1 ? `Batch 1 out of ${batchCount}` : 'txt2img';
      state.sampling_steps = steps;
    },
    step(n) {
      state.sampling_step = n;
    },
    nextjob() {
      state.job_no += 1;
      state.sampling_step = 0;
      if (state.job_count > 1) state.job = `Batch ${state.job_no + 1} out of ${state.job_count}`;
    },
    interrupt() {
      state.interrupted = true;
    },
    end() {
      state.job = '';
      state.job_count = 0;
    },
    stop: close,
    async restart() {
      state = fresh();
      server = createServer(handle);
      await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    },
  };
}
