// Runtime log followers named by AGENT_RUNTIME_LOGS (parsed and checked in config.ts: a bad entry
// is a configuration error reported at start), as the daemon's event sources.
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { EventSource } from '../agent.js';
import type { RuntimeLog } from '../config.js';
import { createRuntimeLogSource } from '../runtime-logs/runtime-log-source.js';

export function buildLogSources(logs: readonly RuntimeLog[], stateDir: string, log: Logger, now: () => number = Date.now): EventSource[] {
  return logs.map(({ runtime, path }): EventSource => {
    let follower: ReturnType<typeof createRuntimeLogSource> | undefined;
    return {
      start(emit, offsets) {
        follower = createRuntimeLogSource({
          runtime,
          path,
          stateDir: join(stateDir, 'logs'),
          log: log.child({ module: 'runtime-logs', runtime }),
          onEvent: (e) => emit(e, now()),
          ...(offsets === undefined ? {} : { offsets }),
        });
        follower.start();
      },
      stop() {
        follower?.stop();
      },
    };
  });
}
