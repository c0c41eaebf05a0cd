import { describe, expect, it } from 'vitest';
import type { Storage } from '../storage/clickhouse.js';
import type { SqlFragment } from '../storage/sql.js';
import { createGroupWriter, type PendingBatch } from './group-writer.js';
import type { IngestRows } from './rows.js';

/** A Storage double: a ledger in memory, every insert recorded, inserts held until released. */
function fakeStorage(ledger: { t: string; a: string; s: string }[] = []): Storage & { inserts: [string, number][]; release: () => void; fail?: Error } {
  let gate: Promise<void> = Promise.resolve();
  let open!: () => void;
  const s = {
    database: 'db',
    inserts: [] as [string, number][],
    fail: undefined as Error | undefined,
    hold() {
      gate = new Promise<void>((r) => {
        open = r;
      });
    },
    release: () => open?.(),
    async query<T>(_q: SqlFragment): Promise<T[]> {
      return ledger as T[];
    },
    async command() {},
    async insert(table: string, rows: readonly Record<string, unknown>[]) {
      await gate;
      if (s.fail !== undefined) throw s.fail;
      if (rows.length > 0) s.inserts.push([table, rows.length]);
    },
    ping: async () => true,
    close: async () => {},
  };
  return s;
}

function batch(agent: string, seq: number, gpuRows: number): PendingBatch {
  const rows: IngestRows = {
    gpu_samples: Array.from({ length: gpuRows }, () => ({})),
    host_samples: [],
    runtime_events: [],
    gpu_status: [],
    hosts: [{}],
  };
  return { id: { tenant: 't', agent_id: agent, batch_seq: seq, host: 'h' }, rows, total: gpuRows };
}

describe('createGroupWriter', () => {
  it('writes batches that arrive during a write as one group: one INSERT per table, the ledger last', async () => {
    const st = fakeStorage();
    const w = createGroupWriter({ storage: st, now: () => 0, maxRowsPerWrite: 1000, maxConcurrentWrites: 1 });
    (st as unknown as { hold: () => void }).hold();
    const first = w.write(batch('a', 1, 8));
    const rest = [w.write(batch('b', 1, 8)), w.write(batch('c', 1, 8)), w.write(batch('a', 1, 8))];
    await new Promise((r) => setTimeout(r, 10));
    st.release();
    expect(await first).toEqual({ acceptedRows: 8, duplicate: false });
    (st as unknown as { hold: () => void }).hold();
    st.release();
    // The second group: b, c and a/1 again written together (this fake ledger never learns a/1;
    // the real one would answer duplicate, and a re-written batch collapses by key anyway).
    expect(await Promise.all(rest)).toEqual([
      { acceptedRows: 8, duplicate: false },
      { acceptedRows: 8, duplicate: false },
      { acceptedRows: 8, duplicate: false },
    ]);
    expect(st.inserts).toEqual([
      ['gpu_samples', 8], ['hosts', 1], ['ingest_batches', 1],
      ['gpu_samples', 24], ['hosts', 3], ['ingest_batches', 3],
    ]);
  });

  it('acknowledges a batch already in the ledger as a duplicate without writing it, and a repeat inside one group once', async () => {
    const st = fakeStorage([{ t: 't', a: 'a', s: '1' }]);
    const w = createGroupWriter({ storage: st, now: () => 0, maxRowsPerWrite: 1000, maxConcurrentWrites: 1 });
    (st as unknown as { hold: () => void }).hold();
    const warm = w.write(batch('z', 9, 1));
    const group = [w.write(batch('a', 1, 8)), w.write(batch('b', 2, 8)), w.write(batch('b', 2, 8))];
    st.release();
    await warm;
    expect(await Promise.all(group)).toEqual([
      { acceptedRows: 0, duplicate: true },
      { acceptedRows: 8, duplicate: false },
      { acceptedRows: 0, duplicate: true },
    ]);
    expect(st.inserts.slice(-3)).toEqual([['gpu_samples', 8], ['hosts', 1], ['ingest_batches', 1]]);
  });

  it('fails every batch of a group when an insert fails, so each is retried', async () => {
    const st = fakeStorage();
    st.fail = new Error('ClickHouse down');
    const w = createGroupWriter({ storage: st, now: () => 0, maxRowsPerWrite: 1000 });
    const r = await Promise.allSettled([w.write(batch('a', 1, 1)), w.write(batch('b', 1, 1))]);
    expect(r.map((x) => x.status)).toEqual(['rejected', 'rejected']);
  });
});
