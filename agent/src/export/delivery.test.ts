import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExportRequest } from '@renderwatch/proto';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createDelivery, tlsWanted, type DeliveryConfig } from './delivery.js';
import type { ExportClient, SendResult } from './export-client.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function cfg(over: Partial<DeliveryConfig> = {}): DeliveryConfig {
  const dir = mkdtempSync(join(tmpdir(), 'rw-delivery-'));
  dirs.push(dir);
  return {
    AGENT_COLLECTOR_ADDRESS: '127.0.0.1:1',
    AGENT_TOKEN: '',
    AGENT_STATE_DIR: dir,
    AGENT_EXPORT_DEADLINE_MS: 1000,
    AGENT_EXPORT_MAX_INFLIGHT: 1,
    AGENT_SPOOL_MAX_BYTES: 1024 * 1024,
    AGENT_SPOOL_MAX_AGE_S: 3600,
    AGENT_TLS: 'off',
    AGENT_TLS_CA_FILE: '',
    AGENT_TLS_CERT_FILE: '',
    AGENT_TLS_KEY_FILE: '',
    ...over,
  };
}

const req = (seq: number): ExportRequest => ({ agentId: 'a', batchSeq: seq, host: undefined, gpuSamples: [], hostSamples: [], events: [], gpuStatus: [] });

/** A collector that is down until `up` is set. */
function flakyClient(): ExportClient & { up: boolean; sent: number[] } {
  const c = {
    up: false,
    sent: [] as number[],
    send(r: ExportRequest): Promise<SendResult> {
      c.sent.push(r.batchSeq);
      return Promise.resolve(
        c.up ? { status: 'ok', response: { acceptedRows: 0, duplicate: false } } : { status: 'retryable', retryInMs: 10, error: new Error('down') },
      );
    },
    close() {},
  };
  return c;
}

describe('createDelivery', () => {
  it('spools under AGENT_STATE_DIR/spool, keeps batches until acked, and continues batch_seq after a restart', async () => {
    const c = cfg();
    const client = flakyClient();
    const d1 = createDelivery(c, pino({ level: 'silent' }), { client });
    const first = d1.firstSeq;
    d1.deliver(req(first));
    d1.deliver(req(first + 1));
    expect(readdirSync(join(c.AGENT_STATE_DIR, 'spool')).filter((f) => f.endsWith('.pb'))).toHaveLength(2);
    d1.close();
    const d2 = createDelivery(c, pino({ level: 'silent' }), { client });
    expect(d2.firstSeq).toBe(first + 2);
    client.up = true;
    expect(await d2.drain(2000)).toBe(true);
    expect(client.sent.slice(-2)).toEqual([first, first + 1]);
    expect(d2.stats()).toMatchObject({ batches: 0, droppedSamples: 0 });
    d2.close();
    expect(existsSync(join(c.AGENT_STATE_DIR, 'spool', 'last-seq'))).toBe(true);
  });

  it.each([
    [{}, false],
    [{ AGENT_TLS: 'on' as const }, true],
    [{ AGENT_TLS_CA_FILE: '/etc/ca.pem' }, true],
  ])('uses TLS for %j: %s', (over, want) => {
    expect(tlsWanted(cfg(over))).toBe(want);
  });
});
