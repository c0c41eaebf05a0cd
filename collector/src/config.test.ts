import { describe, expect, it } from 'vitest';
import { parseCollectorConfig } from './config.js';

describe('parseCollectorConfig', () => {
  it('applies defaults when the environment is empty', () => {
    const r = parseCollectorConfig({});
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.config.COLLECTOR_HTTP_PORT).toBe(8470);
      expect(r.config.COLLECTOR_GRPC_PORT).toBe(8471);
      expect(r.config.COLLECTOR_CLICKHOUSE_DATABASE).toBe('renderwatch');
      expect(Object.isFrozen(r.config)).toBe(true);
    }
  });

  it('names the key, the expectation and the value when a key is invalid', () => {
    const r = parseCollectorConfig({ COLLECTOR_HTTP_PORT: 'eighty', COLLECTOR_CLICKHOUSE_DATABASE: 'x; DROP' });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.issues.some((i) => i.startsWith('COLLECTOR_HTTP_PORT') && i.includes('"eighty"'))).toBe(true);
      expect(r.issues.some((i) => i.startsWith('COLLECTOR_CLICKHOUSE_DATABASE'))).toBe(true);
    }
  });
});
