// The ComfyUI API adapters named by AGENT_COMFYUI_URLS, as the daemon's event sources (beside the
// log followers of AGENT_RUNTIME_LOGS). Their events go through the agent's batcher to Export.
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { EventSource } from '../agent.js';
import type { AgentConfig } from '../config.js';
import type { SampleErrorCounter } from '../sampling/failure-reporter.js';
import { createComfyuiApiSource } from './comfyui-api-source.js';

type ApiConfig = Pick<
  AgentConfig,
  'AGENT_COMFYUI_URLS' | 'AGENT_COMFYUI_POLL_INTERVAL_MS' | 'AGENT_COMFYUI_TIMEOUT_MS' | 'AGENT_COMFYUI_RECONNECT_MAX_MS' | 'AGENT_STATE_DIR'
>;

export function buildComfyuiApiSources(cfg: ApiConfig, log: Logger, counter?: SampleErrorCounter, now: () => number = Date.now): EventSource[] {
  return cfg.AGENT_COMFYUI_URLS.map((url) => {
    let source: ReturnType<typeof createComfyuiApiSource> | undefined;
    return {
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
        });
        source.start();
      },
      async stop() {
        await source?.stop();
      },
    };
  });
}
