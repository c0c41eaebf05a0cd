// Counts every unexpected ComfyUI answer (bad JSON, unknown shape, error status) and logs each kind
// once per endpoint, like the samplers' failure reporter: the counter goes to
// `renderwatch_agent_sample_errors_total{source="comfyui_api"}`, the log gets one warning per
// (endpoint, kind) until that endpoint answers well again, never one per poll.
import type { SampleErrorCounter } from '../sampling/failure-reporter.js';
import type { ApiFailure } from './comfyui-client.js';

export const API_ERROR_SOURCE = 'comfyui_api';

export interface ApiErrorReporter {
  /** Counts the failure; logs it the first time this endpoint fails this way. */
  report(endpoint: string, failure: ApiFailure | { status: 'bad_entry'; issues: string }): void;
  /** The endpoint answered well: a later failure is logged again. */
  ok(endpoint: string): void;
  /** Failures counted so far, by kind (`bad_json`, `bad_shape`, `http_error`, ...). */
  counts(): Readonly<Record<string, number>>;
}

export function createApiErrorReporter(opts: { log?: { warn(obj: object, msg: string): void }; counter?: SampleErrorCounter; url: string }): ApiErrorReporter {
  const logged = new Set<string>();
  const counts: Record<string, number> = {};
  return {
    report(endpoint, f) {
      counts[f.status] = (counts[f.status] ?? 0) + 1;
      opts.counter?.inc(API_ERROR_SOURCE);
      const key = `${endpoint} ${f.status}`;
      if (logged.has(key)) return;
      logged.add(key);
      const detail =
        f.status === 'bad_json' || f.status === 'unreachable'
          ? { err: f.error }
          : f.status === 'http_error'
            ? { httpStatus: f.httpStatus }
            : f.status === 'bad_shape' || f.status === 'bad_entry'
              ? { issues: f.issues }
              : {};
      opts.log?.warn({ url: opts.url, endpoint, kind: f.status, ...detail }, 'unexpected comfyui api response');
    },
    ok(endpoint) {
      for (const k of logged) if (k.startsWith(`${endpoint} `)) logged.delete(k);
    },
    counts: () => ({ ...counts }),
  };
}
