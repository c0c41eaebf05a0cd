// Shared by the campaign tests: runtime events through the agent's batcher and export client into a
// test collector, and GET of an API path. Side-effect free at import.
import { createBatcher, createExportClient } from '@renderwatch/agent/harness';
import type { ExportRequest } from '@renderwatch/proto';
import type { RuntimeEvent } from '@renderwatch/schema';

export interface EventSink {
  grpcPort: number;
  httpPort: number;
}

/**
 * Sends the events (each at its own `ts`) and host samples at `hostSampleMs` as agent `agentId`,
 * batch numbers from `firstSeq`; throws unless every batch is accepted.
 */
export async function deliverEvents(
  c: EventSink,
  agentId: string,
  firstSeq: number,
  events: readonly RuntimeEvent[],
  hostname = 'render-07',
  hostSampleMs: readonly number[] = [],
): Promise<void> {
  const batches: ExportRequest[] = [];
  const b = createBatcher({
    agentId,
    host: { hostname, driverVersion: '', cudaVersion: '', agentVersion: '0.1.0', labels: {} },
    firstSeq,
    maxRows: 10_000,
    flushIntervalMs: 60_000,
    sampleIntervalMs: 1000,
    deliver: (r) => batches.push(r),
  });
  for (const e of events) b.addEvent({ event: e, ts_unix_ms: Date.parse(e.ts ?? '') });
  for (const ms of hostSampleMs) b.addHost({ ts_unix_ms: ms, cpu_ratio: 0.5 });
  b.flush();
  const client = createExportClient({ address: `127.0.0.1:${c.grpcPort}` });
  try {
    for (const r of batches) {
      const sent = await client.send(r, 10_000);
      if (sent.status !== 'ok') throw new Error(`batch ${r.batchSeq} not accepted: ${JSON.stringify(sent)}`);
    }
  } finally {
    client.close();
  }
}

/** GET an API path; the status and the JSON body. */
export async function getJson(c: EventSink, path: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`http://127.0.0.1:${c.httpPort}${path}`);
  return { status: res.status, body: await res.json() };
}
