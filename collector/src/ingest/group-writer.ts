// Group commit into ClickHouse: Export calls are coalesced into groups — one ledger lookup and one
// INSERT per table for the whole group — and each call is answered only after every insert of its
// group succeeded. ClickHouse pays a fixed cost per INSERT (a new part in the table and in every
// rollup its materialized views feed), so groups should be large and few: a group is written once
// it holds `groupRows` rows or its oldest batch has lingered `lingerMs`, one group at a time (two
// big groups written side by side cost ClickHouse more CPU and took longer than one after the other,
// bench/README.md "ingest"); while a group is written, arriving batches make the next one bigger.
// A full group may start beside a small one (at most `maxConcurrentWrites` in flight), so a lone
// batch written at once never holds up a backlog. The linger paces groups (at most one not-full
// group per `lingerMs`, counted from the last group's start or end), so it is not paid when there
// is nothing to pace: a batch that finds nothing being written and no group started or finished in
// the last `lingerMs` is written at once (a lone agent, a quiet fleet: sample-to-queryable latency
// without the linger). After a group is acked, its agents get `lingerMs` to send their next
// batches before a not-full group is written: agents with a backlog wait for their acks, so during
// a write only a straggler or two arrive, and writing those at once as a group of their own made
// the whole backlog wait for it (a full round of INSERTs for one batch, every other group).
//
// Exactly-once, also across replicas and restarts: a batch already in the ledger (ingest_batches)
// is acknowledged as a duplicate without writing, and a batch that arrives again while its first
// copy is still being written by this process waits for that write and is answered as a duplicate
// (so rollups fed by materialized views never see it twice from one collector). Rows carry
// deterministic keys (ORDER BY of each Replacing table), so a batch written twice — two replicas
// racing, or a crash between the data inserts and the ledger insert — collapses to one row per key
// in FINAL / after merges.
import type { Storage } from '../storage/clickhouse.js';
import { literal, raw, sql, type SqlFragment } from '../storage/sql.js';
import type { BatchIdentity, IngestRows } from './rows.js';
import { joinAdjacent } from './row-slab.js';
import { splitTs } from '../domain/time.js';

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

const TABLES = ['gpu_samples', 'host_samples', 'runtime_events', 'gpu_status'] as const;

interface Waiting {
  b: PendingBatch;
  since: number;
  resolve: (r: WriteResult) => void;
  reject: (err: unknown) => void;
}

const keyOf = (id: BatchIdentity): string => `${id.tenant}\u0000${id.agent_id}\u0000${id.batch_seq}`;

/** `(v1, v2, ...)` for `IN`: unlike `has([...], col)`, `col IN (...)` lets ClickHouse use the sort key. */
const inList = (values: readonly (string | number)[]): SqlFragment => raw(`(${values.map((v) => literal(v)).join(', ')})`);

/** One `hosts` row per (tenant, host) in a group: the latest `last_seen`, the later batch on a tie. */
export function latestHostRows(groups: readonly IngestRows[]): Record<string, unknown>[] {
  const byHost = new Map<string, Record<string, unknown>>();
  for (const rows of groups) {
    for (const h of rows.hosts) {
      const k = `${String(h['tenant'])}\u0000${String(h['host'])}`;
      const prev = byHost.get(k);
      if (prev === undefined || String(h['last_seen']) >= String(prev['last_seen'])) byHost.set(k, h);
    }
  }
  return [...byHost.values()];
}

export interface GroupWriterOptions {
  storage: Storage;
  now: () => number;
  maxRowsPerWrite: number;
  /** Group writes in flight at once (default 2; the second only for a full group beside a small one). */
  maxConcurrentWrites?: number;
  /** Rows that make a group full: written at once, also beside a write in flight (COLLECTOR_INGEST_GROUP_ROWS). */
  groupRows: number;
  /** How long the oldest batch of a not-yet-full group waits for more, ms, and the least time between the starts of two not-full groups (COLLECTOR_INGEST_LINGER_MS). */
  lingerMs: number;
}

export function createGroupWriter(o: GroupWriterOptions): GroupWriter {
  let pending: Waiting[] = [];
  let pendingRows = 0;
  let writing = 0;
  let timer: NodeJS.Timeout | undefined;
  /** When the last group was started, and when the last one finished (Date.now()). */
  let lastStart = Number.NEGATIVE_INFINITY;
  let lastEnd = Number.NEGATIVE_INFINITY;
  let timerAt = 0;
  /** Batches being written by this process (pending or in a group in flight), by key. */
  const inFlight = new Map<string, Promise<WriteResult>>();
  const maxWrites = o.maxConcurrentWrites ?? 2;
  /** Rows of the groups being written. */
  let rowsWriting = 0;
  const { groupRows, lingerMs } = o;

  async function alreadyStored(group: readonly Waiting[]): Promise<Set<string>> {
    const tenants = [...new Set(group.map((w) => w.b.id.tenant))];
    const agents = [...new Set(group.map((w) => w.b.id.agent_id))];
    const seqs = [...new Set(group.map((w) => w.b.id.batch_seq))];
    // (No alias may shadow a column here: ClickHouse would use the alias inside WHERE.)
    const rows = await o.storage.query<{ t: string; a: string; s: string }>(
      sql`SELECT tenant AS t, agent_id AS a, toString(batch_seq) AS s FROM ingest_batches
          WHERE tenant IN ${inList(tenants)} AND agent_id IN ${inList(agents)} AND batch_seq IN ${inList(seqs)}`,
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
    await Promise.all([
      ...TABLES.map((t) => o.storage.insertJsonLines(t, joinAdjacent(fresh.map((w) => w.b.rows[t])))),
      o.storage.insert('hosts', latestHostRows(fresh.map((w) => w.b.rows))),
    ]);
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
    pendingRows -= rows;
    return group;
  }

  /** Whether the waiting batches should be written now; arms the linger timer when not yet. */
  function due(): boolean {
    if (pendingRows >= groupRows) return true;
    const t = Date.now();
    // The linger counts from the oldest batch's arrival, or from the end of the last group when that
    // is later (the agents it acked get lingerMs to send their next batches).
    const waited = t - Math.max(pending[0]?.since ?? t, lastEnd);
    // Nothing being written and no group started or finished for lingerMs: nothing to pace, write now.
    const paced = writing === 0 ? lingerMs - (t - Math.max(lastStart, lastEnd)) : Number.POSITIVE_INFINITY;
    const wait = Math.min(lingerMs - waited, paced);
    if (wait <= 0) return true;
    // One timer, at the earliest deadline (one that fires early only makes next() check again).
    if (timer === undefined || t + wait < timerAt) {
      if (timer !== undefined) clearTimeout(timer);
      timerAt = t + wait;
      timer = setTimeout(() => {
        timer = undefined;
        next();
      }, wait);
    }
    return false;
  }

  /**
   * One group is written at a time (two big groups at once cost ClickHouse more CPU and time than
   * one after the other: more, smaller parts in every table a view feeds), except that a full group
   * does not wait behind a small one (a lone batch written at once must not hold up a backlog).
   */
  function mayStart(): boolean {
    return writing === 0 || (writing < maxWrites && rowsWriting < groupRows && pendingRows >= groupRows);
  }

  function next(): void {
    if (pending.length === 0 || !mayStart() || !due()) return;
    if (timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
    }
    writing++;
    lastStart = Date.now();
    const group = take();
    const rows = group.reduce((n, w) => n + w.b.total, 0);
    rowsWriting += rows;
    writeGroup(group)
      .then(
        (results) => {
          for (const w of group) w.resolve(results.get(w) ?? { acceptedRows: 0, duplicate: false });
        },
        (err: unknown) => {
          for (const w of group) w.reject(err);
        },
      )
      .finally(() => {
        writing--;
        rowsWriting -= rows;
        lastEnd = Date.now();
        next();
      });
    next(); // a second full group may be waiting already
  }

  return {
    write(b) {
      const key = keyOf(b.id);
      const first = inFlight.get(key);
      // A resend of a batch still being written: its fate is the first copy's (a failure fails both).
      if (first !== undefined) return first.then(() => ({ acceptedRows: 0, duplicate: true }));
      const p = new Promise<WriteResult>((resolve, reject) => {
        pending.push({ b, since: Date.now(), resolve, reject });
        pendingRows += b.total;
        next();
      });
      inFlight.set(key, p);
      const done = (): void => {
        inFlight.delete(key);
      };
      p.then(done, done);
      return p;
    },
  };
}
