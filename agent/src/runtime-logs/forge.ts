// Forge (old `ldm_patched` and new `backend/memory_management.py` memory managers; reForge; Classic)
// (docs/research/runtime-logs.md "1.3 Forge family"). Lines shared with A1111 go to a1111.ts.
import type { RuntimeEvent, RuntimeEventOf } from '@renderwatch/schema';
import type { A1111State } from './a1111.js';
import { createA1111State, finishA1111, parseA1111Record } from './a1111.js';
import type { LogRecord, RuntimeLogParser } from './log-record.js';
import { baseName, num, round2 } from './units.js';

interface VramLoad {
  model?: string;
  loadedMb?: number;
  offloadedMb?: number;
  mode?: 'full' | 'partial';
  reused?: boolean;
}

export interface ForgeState extends A1111State {
  vram: VramLoad | undefined;
  lastLora: string | undefined;
}

const RUNTIME = 'forge';
const TARGET = /^\[Memory Management\] Target: ([^,]+), Free GPU: [-\d.]+ MB, Model Require: ([-\d.]+) MB/;
const SWAP = /(?:CPU|Shared) Swap Loaded \([^)]*\): ([\d.]+) MB, GPU Loaded: ([\d.]+) MB/;
const MOVING = /Moving model\(s\) has taken ([\d.]+) seconds/;
const LORA = /^\[LORA\] Loaded (.+?) for KModel-\w+ with \d+ keys/;
const OLD_MODEL_MEMORY = /^\[Memory Management\] Model Memory \(MB\) =\s+([\d.]+)/;
const REMAINING = /Remaining: ([-\d.]+) MB/;
/** New Forge's checkpoint switch: `Loading Model: {'checkpoint_info': {'filename': 'D:\\\\...safetensors', 'hash': 'a005585e'}, ...}` (a repr: `\\` doubled). */
const LOADING_MODEL = /^Loading Model: \{'checkpoint_info': \{'filename': '((?:[^'\\]|\\.)+)', 'hash': '(\w+)'/;
/** A move of at least this many MB (below, fixed costs dominate: a 160 MB VAE in 0.24 s is RAM) ... */
const SLOW_MOVE_MIN_MB = 1024;
/** ... slower than this (MB/s) did not come from RAM alone (page file, mmap'd file): no `cache` claim. */
const SLOW_MOVE_MB_PER_S = 1024;

function emitVram(s: ForgeState, r: LogRecord, duration: number | undefined, out: RuntimeEvent[]): void {
  const v = s.vram ?? {};
  s.vram = undefined;
  const e: RuntimeEventOf<'model_load'> = { kind: 'model_load', runtime: RUNTIME };
  if (r.ts !== undefined) e.ts = r.ts;
  if (v.model !== undefined) e.model = v.model;
  // Weights move from RAM to VRAM here; a `Reuse` clone means they were already on the device. A
  // move at disk speed read them from the page file or the file (neo-move-on-target-line-page-file-2025-09.log:
  // 16975 MB in 213 s): the source is left to the host evidence then (docs/signals.md).
  const mb = (v.loadedMb ?? 0) + (v.offloadedMb ?? 0);
  const slow = duration !== undefined && duration > 0 && mb >= SLOW_MOVE_MIN_MB && mb / duration < SLOW_MOVE_MB_PER_S;
  if (v.reused === true) e.source = 'resident';
  else if (!slow) e.source = 'cache';
  if (duration !== undefined) e.duration_s = duration;
  if (v.loadedMb !== undefined) e.loaded_mb = round2(v.loadedMb);
  if (v.offloadedMb !== undefined) e.offloaded_mb = round2(v.offloadedMb);
  if (v.mode !== undefined) e.mode = v.mode;
  out.push(e);
}

function parseForgeRecord(s: ForgeState, r: LogRecord, out: RuntimeEvent[]): boolean {
  const t = r.text;
  if (r.kind !== 'line' || t.length === 0) return false;
  const c = t.charCodeAt(0);
  let m: RegExpExecArray | null;
  if (c === 91 /* [ */) {
    if ((m = TARGET.exec(t)) !== null) {
      const swap = SWAP.exec(t);
      s.vram = { model: (m[1] ?? '').trim() };
      if (swap !== null) {
        s.vram.mode = 'partial';
        s.vram.offloadedMb = Number(swap[1]);
        s.vram.loadedMb = Number(swap[2]);
      } else if (t.includes('All loaded to GPU') || Number(REMAINING.exec(t)?.[1] ?? -1) >= 0) {
        // reForge/Neo print no `All loaded to GPU.` when the model fits (Remaining ≥ 0)
        s.vram.mode = 'full';
        const req = num(m[2]);
        if (req !== undefined && req >= 0) s.vram.loadedMb = req;
      }
      const mv = MOVING.exec(t);
      if (mv !== null) emitVram(s, r, num(mv[1]), out);
    } else if ((m = OLD_MODEL_MEMORY.exec(t)) !== null) {
      s.vram ??= {};
      s.vram.loadedMb = Number(m[1]);
    } else if (t.startsWith('[Unload]')) {
      for (const u of t.matchAll(/Unload model (\w+)/g))
        out.push({ kind: 'model_unload', runtime: RUNTIME, model: u[1] ?? '', ...(r.ts === undefined ? {} : { ts: r.ts }) });
    } else if ((m = LORA.exec(t)) !== null) {
      const path = m[1] ?? '';
      s.addons = true;
      if (path !== s.lastLora) {
        s.lastLora = path;
        out.push({ kind: 'model_load', runtime: RUNTIME, model: baseName(path), ...(r.ts === undefined ? {} : { ts: r.ts }) });
      }
    } else if (!t.startsWith('[Memory Management]')) return false;
    return true;
  }
  if (t.startsWith('Loading Model: {') && (m = LOADING_MODEL.exec(t)) !== null) {
    // names the checkpoint of the `Model loaded in` that follows (forge/loading-model-dict-then-model-loaded-neveroom-2024.log)
    const path = (m[1] ?? '').replace(/\\\\/g, '\\');
    s.pendingLoad = { model: baseName(path), hash: m[2] ?? '', path };
  } else if (t.startsWith('To load target model ')) {
    s.vram = { model: t.slice(21).replace(/[^\w.-].*$/, '') };
  } else if (t.startsWith('Begin to load ')) {
    s.vram ??= {};
  } else if (t.startsWith('Reuse ') && /^Reuse \d+ loaded models?/.test(t)) {
    s.vram ??= {};
    s.vram.reused = !t.startsWith('Reuse 0 '); // `Reuse 0 loaded models`: nothing was on the device
  } else if (t.startsWith('All loaded to GPU')) {
    s.vram ??= {};
    s.vram.mode = 'full';
  } else if ((m = MOVING.exec(t)) !== null && t.startsWith('Moving model')) {
    emitVram(s, r, num(m[1]), out);
  } else if (t.startsWith('Memory cleanup has taken')) {
    s.lastLora = undefined;
  } else return false;
  return true;
}

export const forgeParser: RuntimeLogParser<ForgeState> = {
  runtime: RUNTIME,
  createState: () => ({ ...createA1111State(), vram: undefined, lastLora: undefined }),
  parse(s, r) {
    const out: RuntimeEvent[] = [];
    if (!parseForgeRecord(s, r, out)) parseA1111Record(RUNTIME, s, r, out);
    return out;
  },
  finish: (s) => finishA1111(RUNTIME, s),
};
