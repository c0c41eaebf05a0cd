import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AGENT_ERRORS } from '@renderwatch/agent/harness';
import { COLLECTOR_ERRORS } from '@renderwatch/collector';
import { describe, expect, it } from 'vitest';
import { configDoc, errorsDoc, tuningDoc } from './generated-docs.js';

const DOCS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'docs');
const STALE = 'stale: run `node --import tsx e2e/src/docs/write-docs.ts` and commit docs/';

describe('generated docs', () => {
  it('docs/config.md documents every config key with its default', () => {
    expect(readFileSync(join(DOCS, 'config.md'), 'utf8'), STALE).toBe(configDoc());
    expect(configDoc()).toContain('| `COLLECTOR_CLICKHOUSE_URL` | ClickHouse HTTP URL | `"http://127.0.0.1:8123"` |');
    // lists are documented with their parsed default
    expect(configDoc()).toContain(
      '| `COLLECTOR_ALERT_WEBHOOK_URLS` | comma-separated webhook URLs that receive Alertmanager-style JSON (empty = none) | `[]` |',
    );
  });

  it('docs/tuning.md has the internal tuning knobs, which docs/config.md leaves out', () => {
    expect(readFileSync(join(DOCS, 'tuning.md'), 'utf8'), STALE).toBe(tuningDoc());
    for (const key of ['COLLECTOR_INGEST_LINGER_MS', 'COLLECTOR_INGEST_MAX_INFLIGHT', 'AGENT_EXPORT_MAX_INFLIGHT']) {
      expect(tuningDoc()).toContain(`| \`${key}\` |`);
      expect(configDoc()).not.toContain(`| \`${key}\` |`);
    }
    expect(configDoc()).toContain('| `COLLECTOR_RETENTION_RAW_DAYS` |');
    expect(tuningDoc()).not.toContain('| `COLLECTOR_RETENTION_RAW_DAYS` |');
  });

  it('docs/errors.md has one anchor per error code of both registries', () => {
    const doc = readFileSync(join(DOCS, 'errors.md'), 'utf8');
    expect(doc, STALE).toBe(errorsDoc());
    for (const code of [...Object.keys(COLLECTOR_ERRORS), ...Object.keys(AGENT_ERRORS)]) {
      expect(doc).toContain(`### ${code}\n`);
    }
  });
});
