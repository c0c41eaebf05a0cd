import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Storage } from '../storage/clickhouse.js';
import type { SqlFragment } from '../storage/sql.js';
import { createGroupWriter, latestHostRows, type PendingBatch } from './group-writer.js';
import type { IngestRows } from './rows.js';

/** A Storage double: a ledger in memory, every insert recorded, inserts held until released. */
function fakeStorage(
  ledger: { t: string; a: string; s: string }[] = [],
): Storage & { inserts: [string, number][]; queries: string[]; release: () => void; fail?: Error } {
  let gate: Promise<void> = Promise.resolve();
  let open!: () => void;
  const s = {
    database: 'db',
    inserts: [] as [string, number][],
    queries: [] as string[],
    fail: undefined as Error | undefined,
    hold() {
      gate = new Promise<void>((r) => {
        open = r;
      });
    },
    release: () => open?.(),
    async query<T>(q: SqlFragment): Promise<T[]> {
      s.queries.push(q.text);
      return ledger as T[];
    },
    async command() {},
    // The sample tables arrive as JSONEachRow bytes, one line per row.
    async insertJsonLines(table: string, text: string | Buffer | readonly Buffer[]) {
      const body = typeof text === 'string' ? text : Buffer.concat(Array.isArray(text) ? text : [text]).toString();
      if (body === '') return;
      await gate;
      if (s.fail !== undefined) throw s.fail;
      s.inserts.push([table, body.split('\n').length - 1]);
    },
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

function batch(agent: string, seq: number, gpuRows: number, lastSeen = '2026-01-01 00:00:00'): PendingBatch {
  const rows: IngestRows = {
    gpu_samples: Buffer.from('{}\n'.repeat(gpuRows)),
    host_samples: Buffer.alloc(0),
    runtime_events: Buffer.alloc(0),
    gpu_status: Buffer.alloc(0),
    hosts: [{ tenant: 't', host: `h-${agent}`, agent_id: agent, last_seen: lastSeen }],
  };
  return { id: { tenant: 't', agent_id: agent, batch_seq: seq, host: 'h' }, rows, total: gpuRows };
}

describe('createGroupWriter', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes batches that arrive during a write as one group: one INSERT per table, the ledger last', async () => {
    const st = fakeStorage();
    const w = createGroupWriter({ storage: st, now: () => 0, maxRowsPerWrite: 1000, maxConcurrentWrites: 1, groupRows: 10_000, lingerMs: 0 });
    (st as unknown as { hold: () => void }).hold();
    const first = w.write(batch('a', 1, 8));
    const rest = [w.write(batch('b', 1, 8)), w.write(batch('c', 1, 8)), w.write(batch('a', 1, 8))];
    await new Promise((r) => setTimeout(r, 10));
    st.release();
    expect(await first).toEqual({ acceptedRows: 8, duplicate: false });
    (st as unknown as { hold: () => void }).hold();
    st.release();
    // The second group: b and c; a/1 again arrived while its first copy was being written, so it
    // waited for that write and is answered as a duplicate without being written twice.
    expect(await Promise.all(rest)).toEqual([
      { acceptedRows: 8, duplicate: false },
      { acceptedRows: 8, duplicate: false },
      { acceptedRows: 0, duplicate: true },
    ]);
    expect(st.inserts).toEqual([
      ['gpu_samples', 8],
      ['hosts', 1],
      ['ingest_batches', 1],
      ['gpu_samples', 16],
      ['hosts', 2],
      ['ingest_batches', 2],
    ]);
  });

  it('acknowledges a batch already in the ledger as a duplicate without writing it, and a repeat inside one group once', async () => {
    const st = fakeStorage([{ t: 't', a: 'a', s: '1' }]);
    const w = createGroupWriter({ storage: st, now: () => 0, maxRowsPerWrite: 1000, maxConcurrentWrites: 1, groupRows: 10_000, lingerMs: 0 });
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
    expect(st.inserts.slice(-3)).toEqual([
      ['gpu_samples', 8],
      ['hosts', 1],
      ['ingest_batches', 1],
    ]);
  });

  it('fails every batch of a group when an insert fails, so each is retried', async () => {
    const st = fakeStorage();
    st.fail = new Error('ClickHouse down');
    const w = createGroupWriter({ storage: st, now: () => 0, maxRowsPerWrite: 1000, groupRows: 10_000, lingerMs: 0 });
    const r = await Promise.allSettled([w.write(batch('a', 1, 1)), w.write(batch('b', 1, 1)), w.write(batch('a', 1, 1))]);
    expect(r.map((x) => x.status)).toEqual(['rejected', 'rejected', 'rejected']);
    st.fail = undefined;
    expect(await w.write(batch('a', 1, 1))).toEqual({ acceptedRows: 1, duplicate: false });
  });

  it('looks the group up in the ledger with IN lists, so ClickHouse can use the (tenant, agent_id, batch_seq) sort key', async () => {
    const st = fakeStorage();
    const w = createGroupWriter({ storage: st, now: () => 0, maxRowsPerWrite: 1000, groupRows: 10_000, lingerMs: 0 });
    await w.write(batch("o'brien", 7, 1));
    expect(st.queries[0]).toMatch(/WHERE tenant IN \('t'\) AND agent_id IN \('o\\'brien'\) AND batch_seq IN \(7\)/);
    expect(st.queries[0]).not.toMatch(/has\(/);
  });

  it('writes a lone batch at once, then paces groups that are not full: the next starts lingerMs after the last one started', async () => {
    vi.useFakeTimers();
    const st = fakeStorage();
    const w = createGroupWriter({ storage: st, now: () => 0, maxRowsPerWrite: 1000, groupRows: 20, lingerMs: 200 });
    // Nothing written yet: the first batch goes at once (no linger to pay for a lone agent).
    expect(await w.write(batch('a', 1, 8))).toEqual({ acceptedRows: 8, duplicate: false });
    expect(st.inserts).toEqual([
      ['gpu_samples', 8],
      ['hosts', 1],
      ['ingest_batches', 1],
    ]);
    // 50 ms after that group started: wait for more, until 200 ms after its start.
    await vi.advanceTimersByTimeAsync(50);
    const second = w.write(batch('b', 1, 8));
    await vi.advanceTimersByTimeAsync(99);
    const third = w.write(batch('c', 1, 8));
    await vi.advanceTimersByTimeAsync(50); // t = 199
    expect(st.inserts).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(1); // t = 200
    expect(await Promise.all([second, third])).toEqual([
      { acceptedRows: 8, duplicate: false },
      { acceptedRows: 8, duplicate: false },
    ]);
    expect(st.inserts.slice(3)).toEqual([
      ['gpu_samples', 16],
      ['hosts', 2],
      ['ingest_batches', 2],
    ]);
    // Long after: at once again.
    await vi.advanceTimersByTimeAsync(1000);
    expect(await w.write(batch('d', 1, 8))).toEqual({ acceptedRows: 8, duplicate: false });
    expect(st.inserts).toHaveLength(9);
  });

  it('writes one group at a time: a batch that arrives during a write waits for it, then lingerMs after its end for the acked agents next batches', async () => {
    vi.useFakeTimers();
    const st = fakeStorage();
    const w = createGroupWriter({ storage: st, now: () => 0, maxRowsPerWrite: 1000, groupRows: 20, lingerMs: 200 });
    (st as unknown as { hold: () => void }).hold();
    const first = w.write(batch('a', 1, 8)); // written at once, its inserts held by "ClickHouse"
    await vi.advanceTimersByTimeAsync(10);
    expect(st.queries).toHaveLength(1);
    const second = w.write(batch('b', 1, 8)); // t = 10, during that write
    await vi.advanceTimersByTimeAsync(390); // t = 400: its own linger ran out long ago, but a group is being written
    expect(st.queries).toHaveLength(1);
    st.release();
    expect(await first).toEqual({ acceptedRows: 8, duplicate: false }); // t = 400: acked
    await vi.advanceTimersByTimeAsync(50);
    const third = w.write(batch('a', 2, 8)); // t = 450: the acked agent's next batch
    await vi.advanceTimersByTimeAsync(149); // t = 599
    expect(st.queries).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1); // t = 600: lingerMs after the end
    expect(await Promise.all([second, third])).toEqual([
      { acceptedRows: 8, duplicate: false },
      { acceptedRows: 8, duplicate: false },
    ]);
    expect(st.queries).toHaveLength(2);
    expect(st.inserts.filter(([t]) => t === 'gpu_samples')).toEqual([
      ['gpu_samples', 8],
      ['gpu_samples', 16],
    ]);
  });

  it('does not write a full group beside another full one: it starts when that write ends', async () => {
    vi.useFakeTimers();
    const st = fakeStorage();
    const w = createGroupWriter({ storage: st, now: () => 0, maxRowsPerWrite: 16, groupRows: 16, lingerMs: 60_000 });
    (st as unknown as { hold: () => void }).hold();
    const one = w.write(batch('a', 1, 16)); // idle: at once, a full group
    const two = Promise.all([w.write(batch('c', 1, 8)), w.write(batch('d', 1, 8))]); // full, but 16 rows in flight
    await vi.advanceTimersByTimeAsync(0);
    expect(st.queries).toHaveLength(1);
    st.release();
    expect(await one).toEqual({ acceptedRows: 16, duplicate: false });
    await vi.advanceTimersByTimeAsync(0); // no linger: full
    expect(st.queries).toHaveLength(2);
    expect((await two).map((x) => x.acceptedRows)).toEqual([8, 8]);
    expect(st.inserts.filter(([t]) => t === 'gpu_samples')).toEqual([
      ['gpu_samples', 16],
      ['gpu_samples', 16],
    ]);
  });

  it('writes a full group at once, without lingering, also while a small group is being written', async () => {
    vi.useFakeTimers();
    const st = fakeStorage();
    const w = createGroupWriter({ storage: st, now: () => 0, maxRowsPerWrite: 1000, groupRows: 16, lingerMs: 60_000 });
    (st as unknown as { hold: () => void }).hold();
    const warm = w.write(batch('z', 1, 1)); // idle writer: written at once (a small group), held
    const full = Promise.all([w.write(batch('a', 1, 8)), w.write(batch('b', 1, 8))]);
    await vi.advanceTimersByTimeAsync(0);
    expect(st.queries).toHaveLength(2); // the full group's ledger lookup: no 60 s linger
    st.release();
    await warm;
    expect((await full).map((x) => x.acceptedRows)).toEqual([8, 8]);
    expect(st.inserts.filter(([t]) => t === 'gpu_samples').sort()).toEqual([
      ['gpu_samples', 1],
      ['gpu_samples', 16],
    ]);
  });

  it('keeps one hosts row per tenant and host: the latest last_seen, the later batch on a tie', () => {
    const rows = [batch('a', 1, 0, '2026-01-01 00:00:02'), batch('a', 2, 0, '2026-01-01 00:00:01'), batch('b', 1, 0), batch('b', 2, 0)].map((b) => b.rows);
    const b2 = rows[3]?.hosts[0];
    expect(latestHostRows(rows)).toEqual([{ tenant: 't', host: 'h-a', agent_id: 'a', last_seen: '2026-01-01 00:00:02' }, b2]);
    expect(latestHostRows(rows)[1]).toBe(b2);
  });
});
