// Runtime log followers named by AGENT_RUNTIME_LOGS (`runtime:path,...`), as the daemon's event
// sources. A bad entry is a configuration error reported at start, not a crash later.
import { join } from 'node:path';
import { RuntimeNameSchema } from '@renderwatch/schema';
import type { Logger } from 'pino';
import type { EventSource } from '../agent.js';
import { parsePairs } from '../config.js';
import { createRuntimeLogSource } from '../runtime-logs/runtime-log-source.js';

export type LogSourcesResult = { ok: true; sources: EventSource[] } | { ok: false; message: string };

export function buildLogSources(list: string, stateDir: string, log: Logger, now: () => number = Date.now): LogSourcesResult {
  const sources: EventSource[] = [];
  for (const { key, value } of parsePairs(list)) {
    const runtime = RuntimeNameSchema.safeParse(key);
    if (!runtime.success) {
      return { ok: false, message: `AGENT_RUNTIME_LOGS: "${key}:${value}" — the runtime must be one of ${RuntimeNameSchema.options.join(', ')}` };
    }
    let follower: ReturnType<typeof createRuntimeLogSource> | undefined;
    sources.push({
      start(emit, offsets) {
        follower = createRuntimeLogSource({
          runtime: runtime.data,
          path: value,
          stateDir: join(stateDir, 'logs'),
          log: log.child({ module: 'runtime-logs', runtime: runtime.data }),
          onEvent: (e) => emit(e, now()),
          ...(offsets === undefined ? {} : { offsets }),
        });
        follower.start();
      },
      stop() {
        follower?.stop();
      },
    });
  }
  return { ok: true, sources };
}
