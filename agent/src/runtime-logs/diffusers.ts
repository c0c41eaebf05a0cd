// diffusers training/inference scripts on accelerate (docs/research/runtime-logs.md "1.7 diffusers scripts").
import type { RuntimeEvent, RuntimeEventOf } from '@renderwatch/schema';
import type { RuntimeLogParser } from './log-record.js';
import type { TrainingState } from './training.js';
import { at, barOf, createTrainingState, descIs, startRun, trainingFailure, trainingProgress } from './training.js';

const RUNTIME = 'diffusers';
const SAVED = /^Saved state to (.+)$/;
const RESUMING = /^Resuming from checkpoint (.+)$/;
const CKPT_STEP = /checkpoint-(\d+)/;

export const diffusersParser: RuntimeLogParser<TrainingState> = {
  runtime: RUNTIME,
  createState: createTrainingState,
  parse(s, r) {
    const out: RuntimeEvent[] = [];
    const t = r.text;
    const bar = barOf(r, 'Steps:');
    if (bar !== undefined || r.kind === 'bar') {
      if (bar === undefined) return out;
      if (descIs(bar, 'Steps')) trainingProgress(RUNTIME, s, r, bar, /(?:^|,\s*)loss=([^,\s\]]+)/.exec(bar.postfix ?? '')?.[1], out);
      else if (bar.desc === undefined) {
        const e: RuntimeEventOf<'progress'> = at({ kind: 'progress', runtime: RUNTIME, step: bar.n, total_steps: bar.total }, r);
        if (bar.itPerS !== undefined) e.it_per_s = bar.itPerS;
        out.push(e);
      }
      return out;
    }
    if (trainingFailure(RUNTIME, s, r, out)) return out;
    let m: RegExpExecArray | null;
    if (t.startsWith('***** Running training *****')) {
      startRun(s);
      out.push(at({ kind: 'runtime_start', runtime: RUNTIME }, r));
    } else if ((m = /^\s*Total optimization steps = (\d+)/.exec(t)) !== null) s.totalSteps = Number(m[1]);
    else if ((m = /^\s*Num Epochs = (\d+)/.exec(t)) !== null) s.totalEpochs = Number(m[1]);
    else if ((m = SAVED.exec(t)) !== null) {
      const path = (m[1] ?? '').trim();
      const e: RuntimeEventOf<'checkpoint_saved'> = at({ kind: 'checkpoint_saved', runtime: RUNTIME, path }, r);
      const step = CKPT_STEP.exec(path);
      if (step?.[1] !== undefined) e.step = Number(step[1]);
      out.push(e);
    } else if ((m = RESUMING.exec(t)) !== null) {
      const path = (m[1] ?? '').trim();
      const step = CKPT_STEP.exec(path);
      out.push(at({ kind: 'training_resumed', runtime: RUNTIME, path, ...(step?.[1] === undefined ? {} : { step: Number(step[1]) }) }, r));
    }
    return out;
  },
  finish: () => [],
};
