// The agent's ComfyUI adapter against the real ComfyUI (../shared/comfyui-real: ComfyUI 0.8.0 on CPU,
// no weights), its events through the cold/warm and first-image tracker, the export client, the
// collector and ClickHouse. Exact counts: jobs once each across a ComfyUI restart and an agent
// restart, a cached re-run (node-cache hits per job), a runtime error, queue depth, time to first
// image and the cold/warm label of each ComfyUI start, campaigns, and a string planted in a prompt
// graph found in no text column. The adapter polls only when the test says (pollOnce), so what it
// sees is what the test set up. Skipped, with one line, where ../shared/comfyui-real is absent.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createComfyuiApiSource, StartTracker, type ComfyuiApiSource } from '@renderwatch/agent/harness';
import { raw } from '@renderwatch/collector';
import type { RuntimeEvent } from '@renderwatch/schema';
import { CampaignsResponseSchema, WorkflowCacheResponseSchema } from '@renderwatch/schema';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { deliverEvents, getJson } from './campaign-harness.js';
import {
  columnsContaining,
  comfyuiRealPresent,
  freePort,
  getJsonOf,
  startRealComfyui,
  submitPrompt,
  textColumnCount,
  uploadImage,
  waitFor,
  waitForHistory,
  type RealComfyui,
} from './comfyui-real-harness.js';
import { startTestCollector } from './test-collector.js';

const present = comfyuiRealPresent();
if (!present) console.log('comfyui-real.int.test.ts skipped: ../shared/comfyui-real is absent (a clone without the real ComfyUI)');

const SECRET = 'zqxv-planted-prompt a lighthouse in violet fog';
const CLIENT = 'rw-e2e-client';
const BATCH = { renderwatch_campaign: 'e2e batch', renderwatch_campaign_jobs: 5 };
/** EmptyImage → SaveImage, and the planted text through PrimitiveStringMultiline → PreviewAny. */
const withText = {
  '1': { class_type: 'EmptyImage', inputs: { width: 64, height: 64, batch_size: 1, color: 1 } },
  '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'rw' } },
  '3': { class_type: 'PrimitiveStringMultiline', inputs: { value: SECRET } },
  '4': { class_type: 'PreviewAny', inputs: { source: ['3', 0] } },
};
const save = (color: number): object => ({
  '1': { class_type: 'EmptyImage', inputs: { width: 64, height: 64, batch_size: 1, color } },
  '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'batch' } },
});
/** A second or more of CPU (a 21x21 blur of 384x384), shown only as a preview: the queue behind it waits. */
const slow = {
  '1': { class_type: 'EmptyImage', inputs: { width: 384, height: 384, batch_size: 1, color: 7 } },
  '2': { class_type: 'ImageBlur', inputs: { image: ['1', 0], blur_radius: 10, sigma: 5 } },
  '3': { class_type: 'PreviewImage', inputs: { images: ['2', 0] } },
};
const broken = {
  '1': { class_type: 'LoadImage', inputs: { image: 'broken.png' } },
  '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'rw' } },
};

describe.skipIf(!present)('the ComfyUI adapter against the real ComfyUI, into ClickHouse', () => {
  let c: Awaited<ReturnType<typeof startTestCollector>>;
  let comfy: RealComfyui | undefined;
  let port = 0;
  const base = mkdtempSync(join(tmpdir(), 'rw-comfyui-real-'));
  const stateDir = mkdtempSync(join(tmpdir(), 'rw-comfyui-real-state-'));
  const sources: ComfyuiApiSource[] = [];

  beforeAll(async () => {
    c = await startTestCollector(inject('clickhouseUrl'), { COLLECTOR_INGEST_LINGER_MS: '0', COLLECTOR_API_CACHE_TTL_MS: '0' });
    port = await freePort();
  });
  afterAll(async () => {
    for (const s of sources) await s.stop();
    await comfy?.stop();
    await c?.storage.command(raw(`DROP DATABASE IF EXISTS ${c.config.COLLECTOR_CLICKHOUSE_DATABASE}`));
    await c?.stop();
    rmSync(base, { recursive: true, force: true });
    rmSync(stateDir, { recursive: true, force: true });
  });

  /** An agent process: the adapter (polled by the test) and its own start tracker, as the daemon composes them. */
  function agent(sink: { event: RuntimeEvent; ms: number }[]): ComfyuiApiSource {
    const tracker = new StartTracker();
    const s = createComfyuiApiSource({
      url: `http://127.0.0.1:${port}`,
      log: { warn: () => undefined, info: () => undefined },
      onEvent: (e) => sink.push(...tracker.event(e, Date.now())),
      stateDir,
      pollMs: 3_600_000,
      timeoutMs: 5000,
      reconnectMaxMs: 3_600_000,
    });
    sources.push(s);
    return s;
  }

  it('reports every prompt once across a ComfyUI restart and an agent restart, with cache hits, errors, queue depth and first images', async () => {
    const url = `http://127.0.0.1:${port}`;
    const sent: { event: RuntimeEvent; ms: number }[] = [];
    comfy = await startRealComfyui(port, base, join(base, 'comfyui-1.log'));
    const a = agent(sent);
    await a.pollOnce();

    // J1 makes an image; J2 is the same prompt: every node from the cache, no new image
    const j1 = await submitPrompt(url, withText, CLIENT, { extra_pnginfo: { workflow: { notes: SECRET } } });
    await waitForHistory(url, [j1]);
    const j2 = await submitPrompt(url, withText, CLIENT);
    await waitForHistory(url, [j2]);
    await a.pollOnce();
    // J3 fails at run time: a text file uploaded as broken.png passes validation, LoadImage fails
    await uploadImage(url, 'broken.png', 'this is not a png');
    const j3 = await submitPrompt(url, broken, CLIENT);
    await waitForHistory(url, [j3]);
    await a.pollOnce();

    // a slow prompt running and three of the labelled batch waiting behind it
    const s1 = await submitPrompt(url, slow, CLIENT);
    const q = [
      await submitPrompt(url, save(11), CLIENT, BATCH),
      await submitPrompt(url, save(12), CLIENT, BATCH),
      await submitPrompt(url, save(13), CLIENT, BATCH),
    ];
    await waitFor('1 running and 3 pending in /queue', async () => {
      const queue = await getJsonOf<{ queue_running: unknown[]; queue_pending: unknown[] }>(url, '/queue');
      return queue.queue_running.length === 1 && queue.queue_pending.length === 3;
    });
    await a.pollOnce();
    await waitForHistory(url, [s1, ...q]);
    await a.pollOnce();

    // ComfyUI restarts, and one image of the batch is gone meanwhile; the batch goes on with job 4
    // (the first image of the new process)
    await comfy.stop();
    rmSync(join(base, 'output', 'batch_00002_.png'));
    await a.pollOnce();
    comfy = await startRealComfyui(port, base, join(base, 'comfyui-2.log'));
    await a.pollOnce();
    q.push(await submitPrompt(url, save(14), CLIENT, BATCH));
    await waitForHistory(url, [q[3] ?? '']);
    await a.pollOnce();

    // the agent restarts (same state dir): nothing reported again; job 5 once
    await a.stop();
    const b = agent(sent);
    await b.pollOnce();
    q.push(await submitPrompt(url, save(15), CLIENT, BATCH));
    await waitForHistory(url, [q[4] ?? '']);
    await b.pollOnce();
    await b.stop();

    expect(JSON.stringify(sent)).not.toContain('zqxv-planted');
    await deliverEvents(
      c,
      'agent-comfyui-real',
      1,
      sent.map((t) => ({ ...t.event, ts: t.event.ts ?? new Date(t.ms).toISOString() })),
      'render-real',
    );
    const db = c.config.COLLECTOR_CLICKHOUSE_DATABASE;
    const rows = async <T>(kind: string, cols: string): Promise<T[]> =>
      c.storage.query<T>(raw(`SELECT ${cols} FROM ${db}.runtime_events WHERE kind = '${kind}' ORDER BY ts, ts_ms, batch_seq, seq`));

    // every prompt once: 9 job ends for the 9 prompt ids, in the order they ran
    const ids = [j1, j2, j3, s1, ...q];
    const ends = await rows<{ job_id: string; outcome: string; images: number }>('job_end', 'job_id, outcome, images');
    expect(ends.map((e) => [e.job_id, e.outcome, Number(e.images)])).toEqual([
      [j1, 'ok', 1],
      [j2, 'ok', 0], // all from the cache: no new file
      [j3, 'error', 0],
      [s1, 'ok', 0], // a preview (type temp) is not an output
      ...q.map((id) => [id, 'ok', 1]),
    ]);
    expect((await rows<{ job_id: string }>('job_start', 'job_id')).map((r) => r.job_id)).toEqual(ids);

    // node-cache events carry their job: J2 had all 4 nodes cached, nothing else had any
    const cache = await rows<{ job_id: string; cached_nodes: number; executed_nodes: number }>('node_cache', 'job_id, cached_nodes, executed_nodes');
    expect(cache.map((r) => [r.job_id, Number(r.cached_nodes), Number(r.executed_nodes)])).toEqual([
      [j1, 0, 4],
      [j2, 4, 4],
      [j3, 0, 2],
      [s1, 0, 3],
      ...q.map((id) => [id, 0, 2]),
    ]);
    // the routes' default range ends at the current second (exclusive): a range that ends a minute
    // ahead keeps the jobs that finished in this very second (they made the test fail on a quiet machine)
    const range = `from=${new Date(Date.now() - 3_600_000).toISOString()}&to=${new Date(Date.now() + 60_000).toISOString()}`;
    const wf = WorkflowCacheResponseSchema.parse((await getJson(c, `/api/v1/workflows/cache?${range}`)).body);
    expect(
      wf.rows.map((r) => [r.jobs, r.jobs_with_hits, r.cached_nodes, r.executed_nodes, r.hit_ratio]).sort((x, y) => String(y).localeCompare(String(x))),
    ).toEqual([
      [5, 0, 0, 10, 0], // the batch's EmptyImage → SaveImage
      [2, 1, 4, 8, 0.5], // J1 and J2
      [1, 0, 0, 3, 0], // the blur
      [1, 0, 0, 2, 0], // LoadImage → SaveImage
    ]);

    // the runtime error, once, by its exception type (the console stream's copy; /history's is left out)
    expect(await rows<{ error_type: string }>('error', 'error_type')).toEqual([{ error_type: 'PIL.UnidentifiedImageError' }]);

    // queue depth: idle at the first contact, 1 running + 3 waiting, idle; idle again after each restart
    const queue = await rows<{ pending: number; running: number }>('queue', 'pending, running');
    expect(queue.map((r) => [Number(r.pending), Number(r.running)])).toEqual([
      [0, 0],
      [3, 1],
      [0, 0],
      [0, 0],
      [0, 0],
    ]);

    // two ComfyUI processes: a start and a ready each, from the console's own startup lines; no model
    // was loaded, so the cold/warm evidence is missing and the label says so
    const ready = await rows<{ cold: number | null; cold_rule: string }>('runtime_ready', 'cold, cold_rule');
    expect(ready).toEqual([
      { cold: null, cold_rule: 'no_load_seen' },
      { cold: null, cold_rule: 'no_load_seen' },
    ]);
    expect(await rows<{ version: string }>('runtime_start', 'version')).toEqual([{ version: '0.8.0' }, { version: '0.8.0' }]);
    // time to first image: J1 after the first start, batch job 4 after the second (the agent restart saw no start)
    const first = await rows<{ job_id: string; s: number; r: number; i: number }>(
      'first_image',
      'job_id, start_to_first_image_s AS s, start_to_ready_s AS r, ready_to_first_image_s AS i',
    );
    expect(first.map((f) => f.job_id)).toEqual([j1, q[3]]);
    for (const f of first) {
      expect(Number(f.r)).toBeGreaterThan(0);
      expect(Number(f.i)).toBeGreaterThan(0);
      expect(Number(f.s)).toBeCloseTo(Number(f.r) + Number(f.i), 2);
    }

    // the labelled batch: 5 jobs, 5 images, interrupted by the ComfyUI restart (nothing of it was
    // queued then) and the agent restart, each time going on with new jobs
    const list = CampaignsResponseSchema.parse((await getJson(c, `/api/v1/campaigns?${range}`)).body);
    const batch = list.rows.find((r) => r.label === 'e2e batch');
    expect(batch).toMatchObject({
      source: 'label',
      planned_jobs: 5,
      done_jobs: 5,
      images: 5,
      failed_jobs: 0,
      redone_jobs: 0,
      interruptions: 2,
      status: 'finished',
      resumed: true,
    });
    const detail = (await getJson(c, `/api/v1/campaigns/${batch?.id ?? ''}?${range}`)).body as {
      interruption_list: { kind: string; jobs_lost: number; jobs_resumed: number; images_missing: number | null }[];
      images_missing_at_end: number | null;
    };
    // after the ComfyUI restart the agent asked the new process for the batch's 3 images (HEAD /view): 1 missing;
    // after the agent restart for the one image made since (job 4): there; when the 5th of 5 planned
    // jobs was reported, for the one made since (job 5): there
    expect(detail.interruption_list.map((x) => [x.kind, x.jobs_lost, x.jobs_resumed, x.images_missing])).toEqual([
      ['runtime_restart', 0, 1, 1],
      ['agent_restart', 0, 1, 0],
    ]);
    expect(detail.images_missing_at_end).toBe(0);

    // the planted prompt text: in no text column of any table
    expect(await textColumnCount(c.storage, db)).toBeGreaterThan(50);
    expect(await columnsContaining(c.storage, db, 'zqxv-planted')).toEqual([]);
    expect(await columnsContaining(c.storage, db, 'render-real')).toContain('runtime_events.host'); // the search finds what is there
  });
});
