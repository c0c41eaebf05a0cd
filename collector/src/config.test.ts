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

  it('parses lists and prices once, to the types the code uses', () => {
    const r = parseCollectorConfig({ COLLECTOR_ALERT_WEBHOOK_URLS: ' http://a.example/hook , ,https://b.example/x', COLLECTOR_GPU_PRICES: 'H100=2.49, *=0.8' });
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.config.COLLECTOR_ALERT_WEBHOOK_URLS).toEqual(['http://a.example/hook', 'https://b.example/x']);
      expect(r.config.COLLECTOR_GPU_PRICES).toEqual([
        { match: 'H100', price: 2.49 },
        { match: '*', price: 0.8 },
      ]);
    }
    const empty = parseCollectorConfig({});
    expect(empty.ok && [empty.config.COLLECTOR_ALERT_WEBHOOK_URLS, empty.config.COLLECTOR_GPU_PRICES]).toEqual([[], []]);
    const bad = parseCollectorConfig({ COLLECTOR_ALERT_WEBHOOK_URLS: 'http://a.example/hook,not a url' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.issues.some((i) => i.startsWith('COLLECTOR_ALERT_WEBHOOK_URLS.1') && i.includes('not a url'))).toBe(true);
  });
});
