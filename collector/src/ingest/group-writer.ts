// Group commit into ClickHouse: Export calls that arrive while a write is in progress are coalesced
// into the next one — one ledger lookup and one INSERT per table for the whole group — and each
// call is answered only after every insert of its group succeeded. Small per-batch inserts would
// make one part per table per batch; ClickHouse wants few, larger inserts.
//
// Exactly-once, also across replicas and restarts: a batch already in the ledger (ingest_batches)
// is acknowledged as a duplicate without writing. Rows carry deterministic keys (ORDER BY of each
// Replacing table), so a batch written twice — two replicas racing, or a crash between the data
// inserts and the ledger insert — collapses to one row per key in FINAL / after merges.
import type { Storage } from '../storage/clickhouse.js';
import { sql } from '../storage/sql.js';
import type { BatchIdentity, IngestRows } from './rows.js';
import { splitTs } from './time.js';

export interface PendingBatch {
  id: BatchIdentity;
  rows: IngestRows;
  total: number;
}

export interface WriteResult {
  acceptedRows: number;
  duplicate: boolean;
}

export interface GroupWriter {
  write(b: PendingBatch): Promise<WriteResult>;
}

const TABLES = ['gpu_samples', 'host_samples', 'runtime_events', 'gpu_status', 'hosts'] as const;

interface Waiting {
  b: PendingBatch;
  resolve: (r: WriteResult) => void;
  reject: (err: unknown) => void;
}

const keyOf = (id: BatchIdentity): string => `${id.tenant}\u0000${id.agent_id}\u0000${id.batch_seq}`;

export interface GroupWriterOptions {
  storage: Storage;
  now: () => number;
  maxRowsPerWrite: number;
  /** Group writes in flight at once (default 2: one group fills while another is written). */
  maxConcurrentWrites?: number;
  /** Rows a group needs before it is written beside one already in flight (default 5,000). */
  minRowsConcurrent?: number;
}

export function createGroupWriter(o: GroupWriterOptions): GroupWriter {
  let pending: Waiting[] = [];
  let writing = 0;
  const maxWrites = o.maxConcurrentWrites ?? 2;
  const minRowsConcurrent = o.minRowsConcurrent ?? 5000;

  async function alreadyStored(group: readonly Waiting[]): Promise<Set<string>> {
    const tenants = [...new Set(group.map((w) => w.b.id.tenant))];
    const agents = [...new Set(group.map((w) => w.b.id.agent_id))];
    const seqs = [...new Set(group.map((w) => w.b.id.batch_seq))];
    // (No alias may shadow a column here: ClickHouse would use the alias inside WHERE.)
    const rows = await o.storage.query<{ t: string; a: string; s: string }>(
      sql`SELECT tenant AS t, agent_id AS a, toString(batch_seq) AS s FROM ingest_batches
          WHERE has(${tenants}, tenant) AND has(${agents}, agent_id) AND has(${seqs}, batch_seq)`,
    );
    return new Set(rows.map((r) => keyOf({ tenant: r.t, agent_id: r.a, batch_seq: Number(r.s), host: '' })));
  }

  async function writeGroup(group: readonly Waiting[]): Promise<Map<Waiting, WriteResult>> {
    const stored = await alreadyStored(group);
    const results = new Map<Waiting, WriteResult>();
    const fresh: Waiting[] = [];
    for (const w of group) {
      const k = keyOf(w.b.id);
      if (stored.has(k)) {
        results.set(w, { acceptedRows: 0, duplicate: true });
        continue;
      }
      stored.add(k); // the same batch twice in one group: the second is the duplicate
      fresh.push(w);
      results.set(w, { acceptedRows: w.b.total, duplicate: false });
    }
    if (fresh.length === 0) return results;
    await Promise.all(TABLES.map((t) => o.storage.insert(t, fresh.flatMap((w) => w.b.rows[t]))));
    // The ledger last: a batch is in the ledger only once all its rows are.
    const at = splitTs(o.now()).ts;
    await o.storage.insert(
      'ingest_batches',
      fresh.map((w) => ({ tenant: w.b.id.tenant, agent_id: w.b.id.agent_id, batch_seq: w.b.id.batch_seq, received_at: at, rows: w.b.total })),
    );
    return results;
  }

  function take(): Waiting[] {
    let rows = 0;
    let n = 0;
    while (n < pending.length && (n === 0 || rows + (pending[n]?.b.total ?? 0) <= o.maxRowsPerWrite)) {
      rows += pending[n]?.b.total ?? 0;
      n++;
    }
    const group = pending.slice(0, n);
    pending = pending.slice(n);
    return group;
  }

  /** Rows waiting. A second concurrent write starts only for a full-enough group: while one write
   * is in flight, small groups would only multiply ClickHouse's per-INSERT cost. */
  function pendingRows(): number {
    let n = 0;
    for (const w of pending) n += w.b.total;
    return n;
  }

  function next(): void {
    if (writing >= maxWrites || pending.length === 0) return;
    if (writing > 0 && pendingRows() < minRowsConcurrent) return;
    writing++;
    const group = take();
    writeGroup(group).then(
      (results) => {
        for (const w of group) w.resolve(results.get(w) ?? { acceptedRows: 0, duplicate: false });
      },
      (err: unknown) => {
        for (const w of group) w.reject(err);
      },
    ).finally(() => {
      writing--;
      next();
    });
  }

  return {
    write(b) {
      return new Promise<WriteResult>((resolve, reject) => {
        pending.push({ b, resolve, reject });
        next();
      });
    },
  };
}
