// ComfyUI model loads (comfy/model_management.py): `Requested to load X` then, by era,
// `Loading N new model(s)` alone (to mid-2024), that line and `loaded completely/partially ...`
// (mid/late 2024), the labelled `loaded completely; ...` forms (2025), or DynamicVRAM's
// `Model X prepared for dynamic VRAM loading`. Split from comfyui.ts (docs/runtime-adapters.md).
import type { RuntimeEvent, RuntimeEventOf } from '@renderwatch/schema';
import type { LogRecord } from './log-record.js';
import { round2 } from './units.js';

type Part = 'unet' | 'clip' | 'vae';

/** The part of the ComfyUI parser's state the load lines use. */
export interface ComfyLoadState {
  inJob: boolean;
  /** `Requested to load` names not yet matched to a load line, oldest first. */
  requested: string[];
  /** `Loading N new models` seen: the requested names load now, with or without a `loaded ...` line. */
  legacyLoading: boolean;
  /** Records since `Loading N new models` that neither loaded nor ended the load (foreign output). */
  legacyMisses: number;
  constructed: Set<Part>;
  lastDynamic: string | undefined;
  lastWasLoad: boolean;
}

const RUNTIME = 'comfyui';
const LOADED_LABELLED = /^loaded (completely|partially);/;
const MB_LOADED = /([\d.]+) MB loaded/;
const MB_OFFLOADED = /([\d.]+) MB offloaded/;
// the usable memory may print as `9.5367431640625e+25` (no limit): one number, not two
// (comfyui/wan-lora-keys-loaded-completely-exponent-usable-2025-07.log)
const NUMBERS = /\d+(?:\.\d+)?(?:e[+-]?\d+)?/gi;
const DYNAMIC = /^Model (\S+) prepared for dynamic VRAM loading\. (\d+(?:\.\d+)?)MB Staged/;
const LOADING_NEW = /^Loading \d+ new models?/;

function partOf(model: string | undefined): Part | undefined {
  if (model === undefined) return undefined;
  if (/clip|textencoder|t5|llama|gemma|qwen.*vl|umt5/i.test(model)) return 'clip';
  if (/autoencoder|vae/i.test(model)) return 'vae';
  return 'unet';
}

function modelLoad(
  s: ComfyLoadState,
  r: LogRecord,
  mode: 'full' | 'partial' | 'dynamic' | undefined,
  loaded: number | undefined,
  offloaded?: number,
  model?: string,
): RuntimeEventOf<'model_load'> {
  // a line that names its model answers the oldest request of that name (or none)
  const i = model === undefined ? 0 : s.requested.indexOf(model);
  const name = model ?? s.requested[0];
  if (i >= 0 && s.requested.length > 0) s.requested.splice(i, 1);
  s.lastWasLoad = true;
  const e: RuntimeEventOf<'model_load'> = { kind: 'model_load', runtime: RUNTIME };
  if (r.ts !== undefined) e.ts = r.ts;
  if (name !== undefined) e.model = name;
  const part = partOf(name);
  if (part !== undefined && s.constructed.has(part)) {
    e.source = 'disk';
    s.constructed.delete(part);
  } else if (s.inJob && name !== undefined) e.source = 'cache';
  if (loaded !== undefined) e.loaded_mb = round2(loaded);
  if (offloaded !== undefined) e.offloaded_mb = round2(offloaded);
  if (mode !== undefined) e.mode = mode;
  return e;
}

/** A `Requested to load X` line's name. */
export function requestLoad(s: ComfyLoadState, name: string): void {
  if (s.requested.length >= 8) s.requested.shift(); // names nothing loaded stay bounded
  s.requested.push(name);
  s.lastWasLoad = true;
}

/** `Loading N new models`: the requested names load now (true when the line was one). */
export function armLegacyLoads(s: ComfyLoadState, t: string): boolean {
  if (!LOADING_NEW.test(t)) return false;
  s.legacyLoading = s.requested.length > 0;
  s.legacyMisses = 0;
  return true;
}

/** The load event of a `loaded ...`, `loading in lowvram mode` or DynamicVRAM line. */
export function loadLine(s: ComfyLoadState, r: LogRecord, t: string, c: number): RuntimeEvent | undefined {
  if (c === 77 /* M */) return dynamicLoad(s, r, t); // the only `M` form; the others start with `l`
  if (c !== 108 /* l */) return undefined;
  const labelled = LOADED_LABELLED.exec(t);
  if (labelled !== null) {
    const loaded = MB_LOADED.exec(t);
    const off = MB_OFFLOADED.exec(t);
    return modelLoad(s, r, labelled[1] === 'completely' ? 'full' : 'partial', loaded ? Number(loaded[1]) : undefined, off ? Number(off[1]) : undefined);
  }
  if (t.startsWith('loaded completely ') || t.startsWith('loaded partially ')) {
    const nums = t.slice(17).match(NUMBERS) ?? [];
    const loaded = nums[1] === undefined ? undefined : Number(nums[1]);
    return modelLoad(s, r, t.startsWith('loaded completely') ? 'full' : 'partial', loaded);
  }
  if (t.startsWith('loading in lowvram mode ') || t.startsWith('loaded in lowvram mode')) {
    const n = /([\d.]+)\s*$/.exec(t);
    return modelLoad(s, r, 'partial', n ? Number(n[1]) : undefined);
  }
  return undefined;
}

function dynamicLoad(s: ComfyLoadState, r: LogRecord, t: string): RuntimeEvent | undefined {
  const d = DYNAMIC.exec(t);
  if (d !== null) {
    if (t === s.lastDynamic && s.requested.length === 0) return undefined; // repeated staging line
    s.lastDynamic = t;
    return modelLoad(s, r, 'dynamic', Number(d[2]), undefined, d[1]);
  }
  return undefined;
}

/**
 * Before mid-2024 `Loading N new models` was the last word of a load (no `loaded ...` line): once a
 * record other than a load line follows it, each requested model was loaded, sizes unknown
 * (comfyui/interrupted-caption-node-loading-1-new-model-2024-07.log).
 */
/**
 * Does this record (not a load line) end a legacy load? ComfyUI's next step does (a bar, a request,
 * a job's start, end, interruption or failure); a line or two of foreign output does not.
 */
export function endsLegacyLoads(s: ComfyLoadState, t: string, c: number): boolean {
  switch (c) {
    case 82 /* R */:
      if (t.startsWith('Requested to load ')) return true;
      break;
    case 103 /* g */:
      if (t === 'got prompt') return true;
      break;
    case 80 /* P */:
      if (t.startsWith('Prompt executed in') || t.startsWith('Processing interrupted')) return true;
      break;
    case 33 /* ! */:
    case 71 /* G */:
      if (t.startsWith('!!! Exception') || t.startsWith('Got an OOM')) return true;
      break;
    default:
  }
  return ++s.legacyMisses > 2;
}

export function flushLegacyLoads(s: ComfyLoadState, r: LogRecord, out: RuntimeEvent[]): void {
  s.legacyLoading = false;
  while (s.requested.length > 0) out.push(modelLoad(s, r, undefined, undefined));
}
