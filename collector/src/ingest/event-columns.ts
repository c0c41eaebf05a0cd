// Maps one wire RuntimeEvent (a oneof body) onto the wide runtime_events columns.
// Columns the event does not give stay NULL ('' for String columns): absent, never invented.
import type { RuntimeEvent } from '@renderwatch/proto';
import {
  CAMPAIGN_LABEL_MAX,
  COLD_LABELS,
  DOWNLOAD_SOURCES,
  INTERRUPTION_KINDS,
  JOB_OUTCOMES,
  MODEL_LOAD_MODES,
  MODEL_LOAD_SOURCES,
  OOM_CAUSES,
} from '@renderwatch/schema';
import { AppError } from '../errors.js';

type Body = NonNullable<RuntimeEvent['body']>;
type Case = Body['$case'];

const KIND_OF_CASE: Record<Case, string> = {
  runtimeStart: 'runtime_start',
  runtimeReady: 'runtime_ready',
  modelLoad: 'model_load',
  modelUnload: 'model_unload',
  jobStart: 'job_start',
  jobEnd: 'job_end',
  nodeCache: 'node_cache',
  queue: 'queue',
  progress: 'progress',
  oom: 'oom',
  error: 'error',
  trainingProgress: 'training_progress',
  checkpointSaved: 'checkpoint_saved',
  trainingResumed: 'training_resumed',
  outputWritten: 'output_written',
  modelDownload: 'model_download',
  firstImage: 'first_image',
  campaign: 'campaign',
};

const STRING_COLUMNS = [
  'job_id',
  'model',
  'model_hash',
  'outcome',
  'source',
  'mode',
  'cause',
  'cause_rule',
  'error_type',
  'message',
  'message_fingerprint',
  'version',
  'url',
  'path',
  'device',
  'cold_rule',
  'campaign_id',
  'campaign_label',
  'workflow_fingerprint',
  'job_key',
  'interruption',
] as const;

function oneOf(v: string | undefined, allowed: readonly string[], what: string): string {
  if (v === undefined) return '';
  if (!allowed.includes(v)) throw new AppError('COL_ERR_INGEST_INVALID', `${what} must be one of ${allowed.join('|')}, got ${JSON.stringify(v.slice(0, 40))}`);
  return v;
}

/** A user-chosen label: control characters dropped, cut at `max` code points (never inside a surrogate pair). */
const label = (v: string | undefined, max = CAMPAIGN_LABEL_MAX): string =>
  Array.from(v ?? '')
    .filter((ch) => {
      const c = ch.codePointAt(0) ?? 0;
      return c > 0x1f && (c < 0x7f || c > 0x9f);
    })
    .slice(0, max)
    .join('');
/** Campaign and fingerprint ids: the agent makes them short hex; anything else is cut, not refused. */
const cid = (v: string | undefined): string => label(v, 64);

const b = (v: boolean | undefined): number | null => (v === undefined ? null : v ? 1 : 0);
/** A cold/warm label as the `cold` column stores it: 1 cold, 0 warm, NULL unknown or absent (docs/signals.md). */
function coldOf(v: string | undefined, what: string): number | null {
  const l = oneOf(v, COLD_LABELS, what);
  return l === 'cold' ? 1 : l === 'warm' ? 0 : null;
}
const s = (v: string | undefined, max = 512): string => (v ?? '').slice(0, max);

/** Typed columns of one event; throws INVALID_ARGUMENT on a body/kind mismatch or a bad enum. */
export function eventColumns(e: RuntimeEvent, seq: number): Record<string, unknown> {
  const body = e.body;
  if (body === undefined) throw new AppError('COL_ERR_INGEST_INVALID', `events[${seq}]: no body`);
  const kind = KIND_OF_CASE[body.$case];
  if (e.kind !== '' && e.kind !== kind)
    throw new AppError('COL_ERR_INGEST_INVALID', `events[${seq}]: kind ${JSON.stringify(e.kind.slice(0, 40))} does not match its body (${kind})`);
  const row: Record<string, unknown> = { kind, runtime: s(e.runtime, 64), extensions: [] };
  for (const c of STRING_COLUMNS) row[c] = '';
  switch (body.$case) {
    case 'runtimeStart':
      Object.assign(row, {
        version: s(body.value.version, 128),
        // already cut to COLLECTOR_MAX_EXTENSIONS_PER_START by validate.ts
        extensions: body.value.extensions.map((x) => s(x, 200)),
        cold: b(body.value.cold),
      });
      break;
    case 'runtimeReady':
      Object.assign(row, {
        startup_s: body.value.startupS ?? null,
        url: s(body.value.url, 256),
        start_to_ready_s: body.value.startToReadyS ?? null,
        cold: coldOf(body.value.cold, 'runtime_ready.cold'),
        cold_rule: s(body.value.coldRule, 128),
      });
      break;
    case 'modelLoad': {
      const v = body.value;
      Object.assign(row, {
        model: s(v.model),
        model_hash: s(v.modelHash, 128),
        source: oneOf(v.source, MODEL_LOAD_SOURCES, 'model_load.source'),
        mode: oneOf(v.mode, MODEL_LOAD_MODES, 'model_load.mode'),
        duration_s: v.durationS ?? null,
        loaded_mb: v.loadedMb ?? null,
        offloaded_mb: v.offloadedMb ?? null,
        path: s(v.path),
      });
      break;
    }
    case 'modelDownload': {
      const v = body.value;
      Object.assign(row, {
        model: s(v.model),
        bytes: v.bytes ?? null,
        duration_s: v.durationS ?? null,
        bytes_per_s: v.bytesPerS ?? null,
        source: oneOf(v.source, DOWNLOAD_SOURCES, 'model_download.source'),
      });
      break;
    }
    case 'firstImage': {
      const v = body.value;
      Object.assign(row, {
        job_id: s(v.jobId, 128),
        start_to_first_image_s: v.startToFirstImageS ?? null,
        start_to_ready_s: v.startToReadyS ?? null,
        ready_to_first_image_s: v.readyToFirstImageS ?? null,
        queued_to_image_s: v.queuedToImageS ?? null,
        cold: coldOf(v.cold, 'first_image.cold'),
        cold_rule: s(v.coldRule, 128),
      });
      break;
    }
    case 'modelUnload':
      Object.assign(row, { model: s(body.value.model), freed_mb: body.value.freedMb ?? null });
      break;
    case 'jobStart':
      Object.assign(row, {
        job_id: s(body.value.jobId, 128),
        queue_wait_s: body.value.queueWaitS ?? null,
        campaign_id: cid(body.value.campaignId),
        workflow_fingerprint: cid(body.value.workflowFingerprint),
      });
      break;
    case 'jobEnd': {
      const v = body.value;
      Object.assign(row, {
        job_id: s(v.jobId, 128),
        duration_s: v.durationS ?? null,
        outcome: oneOf(v.outcome, JOB_OUTCOMES, 'job_end.outcome'),
        images: v.images ?? null,
        width: v.width ?? null,
        height: v.height ?? null,
        steps: v.steps ?? null,
        batch: v.batch ?? null,
        model: s(v.model),
        queued_to_image_s: v.queuedToImageS ?? null,
        cold: coldOf(v.cold, 'job_end.cold'),
        cold_rule: s(v.coldRule, 128),
        campaign_id: cid(v.campaignId),
        workflow_fingerprint: cid(v.workflowFingerprint),
        job_key: cid(v.jobKey),
      });
      break;
    }
    case 'nodeCache':
      Object.assign(row, {
        cached_nodes: body.value.cachedNodes ?? null,
        executed_nodes: body.value.executedNodes ?? null,
        job_id: s(body.value.jobId, 128),
        workflow_fingerprint: cid(body.value.workflowFingerprint),
      });
      break;
    case 'queue':
      Object.assign(row, { pending: body.value.pending ?? null, running: body.value.running ?? null, oldest_wait_s: body.value.oldestWaitS ?? null });
      break;
    case 'progress':
      Object.assign(row, { step: body.value.step ?? null, total_steps: body.value.totalSteps ?? null, it_per_s: body.value.itPerS ?? null });
      break;
    case 'oom': {
      const v = body.value;
      Object.assign(row, {
        requested_bytes: v.requestedBytes ?? null,
        total_bytes: v.totalBytes ?? null,
        free_bytes: v.freeBytes ?? null,
        allocated_bytes: v.allocatedBytes ?? null,
        reserved_unallocated_bytes: v.reservedUnallocatedBytes ?? null,
        other_processes_bytes: v.otherProcessesBytes ?? null,
        device: s(v.device, 64),
        recovered: b(v.recovered),
        cause: oneOf(v.cause, OOM_CAUSES, 'oom.cause'),
        cause_rule: s(v.causeRule, 128),
      });
      break;
    }
    case 'error':
      Object.assign(row, {
        error_type: s(body.value.errorType, 128),
        message: s(body.value.message, 1000),
        message_fingerprint: s(body.value.messageFingerprint, 32),
      });
      break;
    case 'trainingProgress': {
      const v = body.value;
      Object.assign(row, {
        step: v.step ?? null,
        total_steps: v.totalSteps ?? null,
        epoch: v.epoch ?? null,
        total_epochs: v.totalEpochs ?? null,
        loss: v.loss !== undefined && Number.isFinite(v.loss) ? v.loss : null,
        it_per_s: v.itPerS ?? null,
      });
      break;
    }
    case 'checkpointSaved':
    case 'trainingResumed':
      Object.assign(row, { step: body.value.step ?? null, epoch: body.value.epoch ?? null, path: s(body.value.path) });
      break;
    case 'outputWritten':
      Object.assign(row, { images: body.value.images ?? null, bytes: body.value.bytes ?? null });
      break;
    case 'campaign': {
      const v = body.value;
      if (v.campaignId === '') throw new AppError('COL_ERR_INGEST_INVALID', `events[${seq}]: campaign event without campaign_id`);
      Object.assign(row, {
        campaign_id: cid(v.campaignId),
        campaign_label: label(v.label),
        workflow_fingerprint: cid(v.workflowFingerprint),
        planned_jobs: v.plannedJobs ?? null,
        planned_images: v.plannedImages ?? null,
        interruption: oneOf(v.interruption, INTERRUPTION_KINDS, 'campaign.interruption'),
        lost_jobs: v.lostJobs ?? null,
        // a campaign event's images: those missing after a runtime restart
        images: v.imagesMissing ?? null,
      });
      break;
    }
    default: {
      const never: never = body;
      throw new AppError('COL_ERR_INGEST_INVALID', `events[${seq}]: unknown body ${String(never)}`);
    }
  }
  return row;
}
