// kohya-ss sd-scripts parser (docs/research/runtime-logs.md "1.8 kohya-ss sd-scripts", "3.6 Training progress, checkpoints, resume"): rich logging, bilingual EN/JA lines.
import type { RuntimeEvent, RuntimeEventOf } from '@renderwatch/schema';
import type { RuntimeLogParser } from './log-record.js';
import type { TrainingState } from './training.js';
import { at, barOf, createTrainingState, descIs, startRun, trainingFailure, trainingProgress } from './training.js';

const RUNTIME = 'kohya';
const TOTAL_STEPS = /^\s*total optimization steps[^:=]*[:=]\s*(\d+)/;
const NUM_EPOCHS = /^\s*num epochs[^:=]*[:=]\s*(\d+)/;
const OVERRIDE = /^override steps\. steps for (\d+) epochs is[^:]*:\s*(\d+)/;
const EPOCH = /^epoch (\d+)\/(\d+)\s*$/;
const INCREMENTED = /epoch is incremented\. current_epoch: \d+, epoch: (\d+)/;
const SAVING = /^saving checkpoint: (.+)$/;
const RESUME = /^resume training from (?:local|huggingface) state: (.+)$/;

export const kohyaParser: RuntimeLogParser<TrainingState> = {
  runtime: RUNTIME,
  createState: createTrainingState,
  parse(s, r) {
    const out: RuntimeEvent[] = [];
    const t = r.text;
    const bar = barOf(r, 'steps:');
    if (bar !== undefined || r.kind === 'bar') {
      if (descIs(bar, 'steps') && bar !== undefined) trainingProgress(RUNTIME, s, r, bar, /avr_loss=([^,\s\]]+)/.exec(bar.postfix ?? '')?.[1], out);
      return out;
    }
    if (trainingFailure(RUNTIME, s, r, out)) return out;
    let m: RegExpExecArray | null;
    if (t.startsWith('running training')) {
      startRun(s);
      out.push(at({ kind: 'runtime_start', runtime: RUNTIME }, r));
    } else if ((m = TOTAL_STEPS.exec(t)) !== null) s.totalSteps = Number(m[1]);
    else if ((m = NUM_EPOCHS.exec(t)) !== null) s.totalEpochs = Number(m[1]);
    else if ((m = OVERRIDE.exec(t)) !== null) {
      s.totalEpochs = Number(m[1]);
      s.totalSteps = Number(m[2]);
    } else if ((m = EPOCH.exec(t)) !== null) {
      s.epoch = Number(m[1]);
      s.totalEpochs = Number(m[2]);
    } else if ((m = INCREMENTED.exec(t)) !== null) s.epoch = Number(m[1]);
    else if ((m = SAVING.exec(t)) !== null) {
      const path = (m[1] ?? '').trim();
      const e: RuntimeEventOf<'checkpoint_saved'> = at({ kind: 'checkpoint_saved', runtime: RUNTIME, path }, r);
      const step = /-step(\d+)/.exec(path);
      const epoch = /-(\d{6})\.\w+$/.exec(path);
      if (step?.[1] !== undefined) e.step = Number(step[1]);
      else if (epoch?.[1] !== undefined) e.epoch = Number(epoch[1]);
      out.push(e);
    } else if ((m = RESUME.exec(t)) !== null) {
      out.push(at({ kind: 'training_resumed', runtime: RUNTIME, path: (m[1] ?? '').trim() }, r));
    }
    return out;
  },
  finish: () => [],
};
