// The ComfyUI API adapters named by AGENT_COMFYUI_URLS, as the daemon's event sources (beside the
// log followers of AGENT_RUNTIME_LOGS). Their events go through the agent's batcher to Export.
// Each also tells how many console-stream lines it could not read (and refused), which /metrics
// serves with the log followers' (metrics/parse-error-metrics.ts).
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { EventSource } from '../agent.js';
import type { AgentConfig } from '../config.js';
import type { ParseErrorSource } from '../metrics/parse-error-metrics.js';
import type { SampleErrorCounter } from '../sampling/failure-reporter.js';
import { createComfyuiApiSource } from './comfyui-api-source.js';

type ApiConfig = Pick<
  AgentConfig,
  'AGENT_COMFYUI_URLS' | 'AGENT_COMFYUI_POLL_INTERVAL_MS' | 'AGENT_COMFYUI_TIMEOUT_MS' | 'AGENT_COMFYUI_RECONNECT_MAX_MS' | 'AGENT_STATE_DIR'
>;

/** `consoleFromLog`: the URL whose server's log file is followed too (sources/comfyui-pairing.ts). */
export function buildComfyuiApiSources(
  cfg: ApiConfig,
  log: Logger,
  counter?: SampleErrorCounter,
  now: () => number = Date.now,
  consoleFromLog?: string,
): (EventSource & ParseErrorSource)[] {
  return cfg.AGENT_COMFYUI_URLS.map((url) => {
    let source: ReturnType<typeof createComfyuiApiSource> | undefined;
    // counts of adapters stopped before (a stop/start makes a new one, counting from 0)
    const before = { unreadable: 0, parseErrors: 0 };
    return {
      runtime: 'comfyui',
      unreadableLines: () => before.unreadable + (source?.unreadableLines() ?? 0),
      parseErrors: () => before.parseErrors + (source?.parseErrors() ?? 0),
      start(emit) {
        source = createComfyuiApiSource({
          url,
          log: log.child({ module: 'runtime-api.comfyui', url }),
          onEvent: (e) => emit(e, now()),
          stateDir: join(cfg.AGENT_STATE_DIR, 'runtime-api'),
          pollMs: cfg.AGENT_COMFYUI_POLL_INTERVAL_MS,
          timeoutMs: cfg.AGENT_COMFYUI_TIMEOUT_MS,
          reconnectMaxMs: cfg.AGENT_COMFYUI_RECONNECT_MAX_MS,
          ...(counter === undefined ? {} : { counter }),
          now,
          consoleFromLog: url === consoleFromLog,
        });
        source.start();
      },
      async stop() {
        await source?.stop();
        before.unreadable += source?.unreadableLines() ?? 0;
        before.parseErrors += source?.parseErrors() ?? 0;
        source = undefined;
      },
    };
  });
}
