import { describe, expect, it } from 'vitest';
import { loadMigrations } from '../storage/migrate.js';
import { cutoffDay, formatPlan, RETENTION_TABLES, type RetentionPlan } from './retention.js';

describe('retention', () => {
  it.each([
    ['2026-03-10T00:00:01Z', 7, '20260303'],
    ['2026-03-10T23:59:59Z', 1, '20260309'],
    ['2026-01-02T12:00:00Z', 30, '20251203'],
  ])('cutoffDay(%s, %i days) = %s', (now, days, day) => expect(cutoffDay(Date.parse(now), days)).toBe(day));

  it('dry-run output lists each partition and the ledger trim', () => {
    const plan: RetentionPlan = {
      cutoffs: { raw: '20260303', rollup_1m: '20260201', rollup_1h: '20250301', events: '20251210' },
      drops: [{ family: 'raw', table: 'gpu_samples', partition: '20260301', rows: 42 }],
      ledgerCutoff: '2026-02-24T00:00:00.000Z',
      ledgerRows: 3,
    };
    expect(formatPlan(plan, true)).toBe(
      'would drop gpu_samples partition 20260301 (42 rows, raw older than 20260303)\n' +
        'would delete 3 ingest_batches rows received before 2026-02-24T00:00:00.000Z\n1 partitions to drop\n',
    );
  });
});

describe('retention in cluster mode', () => {
  it('drops the local tables ON CLUSTER and trims the local ledger', async () => {
    const { applyRetention } = await import('./retention.js');
    const sent: string[] = [];
    const storage = { command: (q: { text: string }) => (sent.push(q.text), Promise.resolve()) } as unknown as Parameters<typeof applyRetention>[0];
    const log = { info: () => {} } as unknown as Parameters<typeof applyRetention>[2];
    const plan: RetentionPlan = {
      cutoffs: { raw: '20260303', rollup_1m: '20260201', rollup_1h: '20250301', events: '20251210' },
      drops: [{ family: 'raw', table: 'gpu_samples', partition: '20260301', rows: 42 }],
      ledgerCutoff: '2026-02-24T00:00:00.000Z',
      ledgerRows: 3,
    };
    await applyRetention(storage, plan, log, { cluster: 'renderwatch' });
    expect(sent).toEqual([
      'ALTER TABLE gpu_samples_local ON CLUSTER renderwatch DROP PARTITION 20260301',
      "ALTER TABLE ingest_batches_local ON CLUSTER renderwatch DELETE WHERE received_at < toDateTime('2026-02-24 00:00:00', 'UTC')",
    ]);
    sent.length = 0;
    await applyRetention(storage, plan, log);
    expect(sent[0]).toBe('ALTER TABLE gpu_samples DROP PARTITION 20260301');
  });
  it('covers every daily-partitioned table the migrations create (a new rollup cannot grow forever)', async () => {
    const partitioned = new Set<string>();
    for (const m of await loadMigrations()) {
      for (const st of m.statements) {
        const name = /^CREATE TABLE IF NOT EXISTS (\w+)/i.exec(st.trim())?.[1];
        if (name !== undefined && /PARTITION BY toYYYYMMDD/i.test(st)) partitioned.add(name);
        const dropped = /^DROP TABLE IF EXISTS (\w+)$/i.exec(st.trim())?.[1];
        if (dropped !== undefined) partitioned.delete(dropped); // a later migration dropped it
      }
    }
    const covered = new Set(Object.values(RETENTION_TABLES).flat());
    expect(partitioned.size).toBeGreaterThan(10);
    expect([...partitioned].filter((t) => !covered.has(t)).sort()).toEqual([]);
  });
});
