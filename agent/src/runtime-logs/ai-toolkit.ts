// ostris ai-toolkit parser (docs/research/runtime-logs.md "1.9 ai-toolkit").
import type { RuntimeEvent } from '@renderwatch/schema';
import type { RuntimeLogParser } from './log-record.js';
import { reportFailure } from './failure.js';
import { buildOomEvent } from './oom-cause.js';
import type { TrainingState } from './training.js';
import { at, barOf, createTrainingState, startRun, trainingFailure, trainingProgress } from './training.js';

export interface AiToolkitState extends TrainingState {
  jobId: string | undefined;
  jobName: string | undefined;
  savingStep: number | undefined;
  /** run.py's end message: ` - N completed jobs`, then ` - M failure(s)`. */
  completedJobs: number | undefined;
}

const RUNTIME = 'ai-toolkit';
const JOB_ID = /^Job ID: "([\w-]+)"/;
const RUNNING = /^# Running job: (.+?)\s*$/;
const SAVING = /^Saving at step (\d+)/;
const SAVED = /^Saved checkpoint to (.+)$/;
const RESUMING = /^#### IMPORTANT RESUMING FROM (.+?) ####/;
const FOUND_STEP = /^Found step (\d+) in metadata, starting from there/;
const OOM_SKIP = /OOM during training step, skipping batch/;
const LOADING_MODEL = /^Loading (\w+) model\s*$/;
/** run.py: `Error running job: <exception message>`, then its end message and the re-raised traceback. */
const ERROR_RUNNING = /^Error running job: (.+)$/;
const RESULT_COMPLETED = /^ - (\d+) completed jobs?$/;
const RESULT_FAILED = /^ - (\d+) failures?$/;

export const aiToolkitParser: RuntimeLogParser<AiToolkitState> = {
  runtime: RUNTIME,
  createState: () => ({ ...createTrainingState(), jobId: undefined, jobName: undefined, savingStep: undefined, completedJobs: undefined }),
  parse(s, r) {
    const out: RuntimeEvent[] = [];
    const t = r.text;
    const bar = barOf(r, s.jobName === undefined ? undefined : `${s.jobName}:`);
    if (bar !== undefined || r.kind === 'bar') {
      if (bar !== undefined && bar.desc !== undefined && bar.desc === s.jobName) {
        trainingProgress(RUNTIME, s, r, bar, /loss: ([^\s,\]]+)/.exec(bar.postfix ?? '')?.[1], out);
      }
      return out;
    }
    if (OOM_SKIP.test(t)) {
      out.push(buildOomEvent(RUNTIME, { form: 'wrapper_text' }, { ts: r.ts, recovered: true }));
      return out;
    }
    if (r.kind === 'line' && t.startsWith('Error running job: ')) {
      // the message now; the traceback that follows is the same failure (reported once per job)
      for (const e of reportFailure(RUNTIME, s.failure, { message: ERROR_RUNNING.exec(t)?.[1] ?? '' }, r.ts)) out.push(e);
      return out;
    }
    if (t.startsWith(' - ')) {
      let n: RegExpExecArray | null;
      if ((n = RESULT_COMPLETED.exec(t)) !== null) s.completedJobs = Number(n[1]);
      else if ((n = RESULT_FAILED.exec(t)) !== null) {
        const failed = Number(n[1]) > 0;
        if (failed || (s.completedJobs ?? 0) > 0) {
          const outcome = failed ? (s.failure.outcome ?? 'error') : 'ok';
          out.push(at({ kind: 'job_end', runtime: RUNTIME, outcome, ...(s.jobId === undefined ? {} : { job_id: s.jobId }) }, r));
        }
        s.completedJobs = undefined;
      }
      return out;
    }
    if (trainingFailure(RUNTIME, s, r, out)) return out;
    let m: RegExpExecArray | null;
    if ((m = JOB_ID.exec(t)) !== null) s.jobId = m[1];
    else if ((m = RUNNING.exec(t)) !== null) {
      s.jobName = m[1];
      startRun(s);
      out.push(at({ kind: 'runtime_start', runtime: RUNTIME }, r));
      out.push(at({ kind: 'job_start', runtime: RUNTIME, ...(s.jobId === undefined ? {} : { job_id: s.jobId }) }, r));
    } else if ((m = LOADING_MODEL.exec(t)) !== null && s.started) {
      out.push(at({ kind: 'model_load', runtime: RUNTIME, model: m[1] ?? '', source: 'disk' }, r));
    } else if ((m = SAVING.exec(t)) !== null) s.savingStep = Number(m[1]);
    else if ((m = SAVED.exec(t)) !== null) {
      out.push(at({ kind: 'checkpoint_saved', runtime: RUNTIME, path: (m[1] ?? '').trim(), ...(s.savingStep === undefined ? {} : { step: s.savingStep }) }, r));
    } else if ((m = RESUMING.exec(t)) !== null) {
      out.push(at({ kind: 'training_resumed', runtime: RUNTIME, path: (m[1] ?? '').trim() }, r));
    } else if ((m = FOUND_STEP.exec(t)) !== null) {
      out.push(at({ kind: 'training_resumed', runtime: RUNTIME, step: Number(m[1]) }, r));
    }
    return out;
  },
  finish: () => [],
};
