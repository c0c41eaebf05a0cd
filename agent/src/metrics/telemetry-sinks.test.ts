import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { resolveAgentConfig } from '../config.js';
import { startTelemetrySinks } from './telemetry-sinks.js';
import { freePort } from '../../test/support/free-port.js';

function config(env: Record<string, string>) {
  const r = resolveAgentConfig({ AGENT_HOSTNAME: 'node-7', AGENT_METRICS_HOST: '127.0.0.1', ...env });
  if (!r.ok) throw new Error(r.issues.join('; '));
  return r.config;
}

describe('startTelemetrySinks', () => {
  const log = pino({ level: 'silent' });

  it('serves /metrics on the configured port and leaves OTLP off by default', async () => {
    const port = await freePort();
    const sinks = await startTelemetrySinks(config({ AGENT_METRICS_PORT: String(port) }), log, '0.1.0');
    try {
      expect(sinks.otlp).toBeUndefined();
      expect(sinks.observers).toEqual([sinks.metrics]);
      sinks.metrics.observeGpus([{ ts_unix_ms: 0, index: 0, uuid: 'GPU-z', temperature_celsius: 55 }]);
      const body = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(body).toContain('renderwatch_gpu_temperature_celsius{host="node-7",gpu_index="0",gpu_uuid="GPU-z",gpu_name=""} 55');
      expect(body).toContain('renderwatch_agent_info{host="node-7",version="0.1.0"} 1');
    } finally {
      await sinks.stop();
    }
  });

  it('starts no server when the port is 0 and adds OTLP when an endpoint is set', async () => {
    const sinks = await startTelemetrySinks(
      config({ AGENT_METRICS_PORT: '0', AGENT_OTLP_ENDPOINT: 'http://127.0.0.1:9', AGENT_OTLP_INTERVAL_MS: '600000' }),
      log,
    );
    try {
      expect(sinks.server).toBeUndefined();
      expect(sinks.otlp).toBeDefined();
      expect(sinks.observers).toHaveLength(2);
    } finally {
      await sinks.stop();
    }
  });
});
