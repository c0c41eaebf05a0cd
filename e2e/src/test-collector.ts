// Starts the real collector in-process on port 0 against the test ClickHouse, in a database of its
// own. Side-effect free at import (docs/style.md "7. Tests").
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import type { AppDeps } from '@renderwatch/collector';
import { parseCollectorConfig, startCollector, type CollectorConfig, type RunningCollector } from '@renderwatch/collector';

export function testConfig(clickhouseUrl: string, env: Record<string, string> = {}): CollectorConfig {
  const r = parseCollectorConfig({
    COLLECTOR_CLICKHOUSE_URL: clickhouseUrl,
    COLLECTOR_CLICKHOUSE_DATABASE: `rw_test_${randomBytes(4).toString('hex')}`,
    COLLECTOR_HOST: '127.0.0.1',
    COLLECTOR_HTTP_PORT: '0',
    COLLECTOR_GRPC_PORT: '0',
    COLLECTOR_LOG_LEVEL: 'silent',
    ...env,
  });
  if (!r.ok) throw new Error(r.issues.join('; '));
  return r.config;
}

export async function startTestCollector(
  clickhouseUrl: string,
  env: Record<string, string> = {},
  deps: Partial<Omit<AppDeps, 'storage' | 'log'>> = {},
): Promise<RunningCollector & { config: CollectorConfig }> {
  const config = testConfig(clickhouseUrl, env);
  const running = await startCollector(config, pino({ level: 'silent' }), deps);
  return Object.assign(running, { config });
}

/** The collector's `renderwatch_collector_ingest_values_rejected_total` from its /metrics, by `field/reason`. */
export async function rejectedValues(httpPort: number): Promise<Map<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  const m = new Map<string, number>();
  for (const line of text.split('\n')) {
    const hit = /^renderwatch_collector_ingest_values_rejected_total\{field="([^"]+)",reason="([^"]+)"\} (\d+)$/.exec(line);
    if (hit) m.set(`${hit[1]}/${hit[2]}`, Number(hit[3]));
  }
  return m;
}
