// Model downloads from any runtime's output (docs/signals.md "Model downloads"): huggingface_hub's
// tqdm byte bars (`model.safetensors: 100%|██████████| 6.94G/6.94G [01:23<00:00, 83.2MB/s]`, with
// `Downloading (…)` descriptions before 0.17), wget's `--DATE--  URL` / `DATE (8.24 MB/s) - ‘file’
// saved [bytes/bytes]` pair, and a runtime's `Downloading model to: PATH` message followed by
// huggingface_hub's `Fetching N files` bar. Only finished downloads become `model_download` events.
// Sizes or speeds no disk or link has are parse errors (counted by the caller), never events.
import type { DownloadSource, RuntimeEventOf, RuntimeName } from '@renderwatch/schema';

/** Larger than any model file (the biggest checkpoints are ~100s of GB). */
export const MAX_DOWNLOAD_BYTES = 4e12;
/** Faster than any network link a GPU host has (800 Gbit/s). */
export const MAX_DOWNLOAD_BYTES_PER_S = 1e11;

export interface DownloadState {
  /** URL of wget's current request (`--DATE--  URL`). */
  url: string | undefined;
  /** Path from a runtime's `Downloading model to:` message, waiting for its `Fetching` bar. */
  announced: string | undefined;
  /** wget's `100%[====>] ... in 4.9s` (or dot style `100% 277M=4.9s`): seconds, for the `saved` line after it. */
  wgetSeconds: number | undefined;
  /** tqdm redraws a finished bar when it closes: the same description, size and elapsed time is one download. */
  lastBar: string | undefined;
  /**
   * torch.hub's (and A1111/Forge's `load_file_from_url`'s) `Downloading: "URL" to PATH`: the bar that
   * follows has no description and binary sizes (`unit_divisor=1024`: `40.0M` is 40 MiB).
   */
  hub: { url: string; path: string } | undefined;
}

export type DownloadResult = { readonly event: RuntimeEventOf<'model_download'> } | { readonly error: string } | undefined;

export function createDownloadState(): DownloadState {
  return { url: undefined, announced: undefined, wgetSeconds: undefined, lastBar: undefined, hub: undefined };
}

const SI: Readonly<Record<string, number>> = { '': 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18, Z: 1e21, Y: 1e24 };
const BIN: Readonly<Record<string, number>> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };
/** tqdm's unit prefixes with `unit_divisor=1024` (torch.hub). */
const SI_1024: Readonly<Record<string, number>> = { '': 1, k: 1024, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4, P: 1024 ** 5, E: 1024 ** 6 };

/**
 * `desc: 100%|bar| 167M/167M [00:01<00:00, 149MB/s]` (tqdm, unit B, unit_scale), also without the
 * `|bar|` as Google Colab shows it (`desc: 100% 335M/335M [00:04<00:00, 69.7MB/s]`). The last bar of the record wins.
 */
const BYTE_BAR =
  /(?:^|\r)([^\r|]*?):?\s*(\d{1,3})%\|[^|]*\|\s*([\d.]+)([kKMGTPEZY]?)B?\/([\d.]+)([kKMGTPEZY]?)B?\s*\[([\d:]+)<[^,\]]*,\s*(?:([\d.]+)([kKMGTPEZY]?)|\?)B\/s\]/g;
/** The same without the glyphs (Colab); its own regex so bars with glyphs pay nothing for it. */
const BYTE_BAR_PLAIN =
  /(?:^|\r)([^\r|]*?):?\s*(\d{1,3})% ([\d.]+)([kKMGTPEZY]?)B?\/([\d.]+)([kKMGTPEZY]?)B?\s*\[([\d:]+)<[^,\]]*,\s*(?:([\d.]+)([kKMGTPEZY]?)|\?)B\/s\]/g;
const WGET_URL = /^--\d{4}-\d\d-\d\d \d\d:\d\d:\d\d--\s+(\S+)/;
// ‘ ’ (U+2018/9) and … (U+2026) as \u escapes: one character above U+00FF in a regex literal makes V8 keep
// the whole bundle's source as a two-byte string (scripts/bundle-agent.mjs)
const WGET_SAVED = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(([\d.]+) ([KMGT]?B)\/s\) - [\u2018'"`«](.+?)[\u2019'"`»] saved \[(\d+)(?:\/(\d+))?\]/;
/** wget's final progress: bar style `100%[===>]  40.00M  8.29MB/s    in 4.9s`, dot style `100%  277M=4.9s`. */
const WGET_DONE = /\b100%(?:\[[=> ]*\]\s+\S+\s+\S+\s+in |\s+\S+=)((?:\d+h\s*)?(?:\d+m\s*)?(?:[\d.]+s)?)\s*$/;
const ANNOUNCE = /^Downloading (?:model|weights|checkpoint)s? to:?\s+(\S.*)$/i;
/** torch.hub `load_state_dict_from_url` and A1111/Forge `modelloader.load_file_from_url` (agent/test/fixtures/runtime-logs/downloads/torch-hub-1.13-load-state-dict-url-local.log). */
const TORCH_HUB = /^Downloading: "([^"]+)" to (\S.*?)\s*$/;
const FETCHING = /^Fetching (\d+) files:\s*100%(?:\|[^|]*\|)?\s*(\d+)\/(\d+)\s*\[([\d:]+)</;

function clockSeconds(s: string): number | undefined {
  const parts = s.split(':').map(Number);
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !Number.isFinite(p))) return undefined;
  return parts.reduce((acc, p) => acc * 60 + p, 0);
}

/** `1h 2m 3.5s`, `4.9s`, `1m 5s` → seconds. */
function wgetDuration(d: string): number | undefined {
  const m = /^(?:(\d+)h\s*)?(?:(\d+)m\s*)?(?:([\d.]+)s)?$/.exec(d.trim());
  if (m === null || d.trim() === '') return undefined;
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

function baseName(p: string): string {
  const t = p.trim().replace(/[/\\]+$/, '');
  return t.slice(Math.max(t.lastIndexOf('/'), t.lastIndexOf('\\')) + 1);
}

/** hf | civitai | url, by the download's host. */
export function sourceOfUrl(url: string | undefined): DownloadSource {
  if (url === undefined) return 'url';
  const host = /^[a-z][\w+.-]*:\/\/([^/:?#]+)/i.exec(url)?.[1]?.toLowerCase() ?? '';
  if (host === 'huggingface.co' || host === 'hf.co' || host.endsWith('.huggingface.co') || host.endsWith('.hf.co')) return 'hf';
  if (host === 'civitai.com' || host.endsWith('.civitai.com')) return 'civitai';
  return 'url';
}

function build(
  runtime: RuntimeName,
  ts: string | undefined,
  f: { model: string; bytes?: number; durationS?: number; rate?: number; source: DownloadSource },
): DownloadResult {
  const { bytes, durationS } = f;
  if (bytes !== undefined && (!Number.isFinite(bytes) || bytes > MAX_DOWNLOAD_BYTES))
    return { error: `download size ${bytes} bytes is beyond any model file (> ${MAX_DOWNLOAD_BYTES})` };
  const rate = bytes !== undefined && durationS !== undefined && durationS > 0 ? bytes / durationS : f.rate;
  if (rate !== undefined && (!Number.isFinite(rate) || rate > MAX_DOWNLOAD_BYTES_PER_S))
    return { error: `download speed ${Math.round(rate)} B/s is beyond any link (> ${MAX_DOWNLOAD_BYTES_PER_S})` };
  const e: RuntimeEventOf<'model_download'> = { kind: 'model_download', runtime, source: f.source };
  if (ts !== undefined) e.ts = ts;
  if (f.model !== '') e.model = f.model;
  if (bytes !== undefined) e.bytes = Math.round(bytes);
  if (durationS !== undefined) e.duration_s = durationS;
  if (rate !== undefined) e.bytes_per_s = Math.round(rate);
  return { event: e };
}

function byteBar(runtime: RuntimeName, text: string, ts: string | undefined, s: DownloadState): DownloadResult {
  let last: RegExpExecArray | undefined;
  const re = text.includes('%|') ? BYTE_BAR : BYTE_BAR_PLAIN;
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) last = m;
  if (last === undefined || last[2] !== '100') return undefined;
  const key = `${last[1] ?? ''}|${last[5] ?? ''}${last[6] ?? ''}|${last[7] ?? ''}`;
  if (key === s.lastBar) return undefined;
  s.lastBar = key;
  // torch.hub's bar has no description: a described bar is someone else's (huggingface_hub), in SI units
  const hub = (last[1] ?? '').trim() === '' ? s.hub : undefined;
  const units = hub === undefined ? SI : SI_1024;
  const n = Number(last[3]) * (units[last[4] ?? ''] ?? Number.NaN);
  const total = Number(last[5]) * (units[last[6] ?? ''] ?? Number.NaN);
  if (hub !== undefined) s.hub = undefined;
  if (!(total > 0)) return undefined; // hf_xet `0.00B`: every file was in the cache
  if (Math.abs(n - total) > total * 0.01) return { error: `download bar at 100% shows ${last[3]}${last[4]}/${last[5]}${last[6]}` };
  const desc = (last[1] ?? '')
    .trim()
    .replace(/^Downloading\s*/, '')
    .replace(/^\(\u2026\)|^\(\.\.\.\)/, '');
  const url = hub?.url ?? s.url;
  const source = url === undefined ? 'hf' : sourceOfUrl(url);
  const shown = last[8] === undefined ? undefined : Number(last[8]) * (units[last[9] ?? ''] ?? Number.NaN);
  const model = desc.replace(/:$/, '');
  return build(runtime, ts, {
    model: model === '' && hub !== undefined ? baseName(hub.path) : model,
    bytes: total,
    durationS: clockSeconds(last[7] ?? ''),
    rate: shown,
    source,
  });
}

function wgetSaved(runtime: RuntimeName, m: RegExpExecArray, ts: string | undefined, s: DownloadState): DownloadResult {
  const got = Number(m[4]);
  const of = m[5] === undefined ? got : Number(m[5]);
  if (got > of) return { error: `wget saved ${got} of ${of} bytes` };
  const rate = Number(m[1]) * (BIN[m[2] ?? ''] ?? Number.NaN);
  const durationS = s.wgetSeconds ?? (rate > 0 ? Math.round((got / rate) * 10) / 10 : undefined);
  const url = s.url;
  s.url = undefined;
  s.wgetSeconds = undefined;
  return build(runtime, ts, { model: baseName(m[3] ?? ''), bytes: got, durationS, rate, source: sourceOfUrl(url) });
}

/** One log record's text (its lines joined with \n, carriage-return updates kept) → a download, a parse error or nothing. */
export function scanDownload(runtime: RuntimeName, s: DownloadState, text: string, ts?: string): DownloadResult {
  // cheap literal pre-tests: most records are none of these
  if (!text.includes('100%') && !text.includes('--') && !text.includes('saved [') && !text.includes('ownloading')) return undefined;
  let r: DownloadResult;
  for (const line of text.includes('\n') ? text.split('\n') : [text]) {
    const t = line.trimEnd();
    let m: RegExpExecArray | null;
    if ((m = WGET_URL.exec(t)) !== null) s.url = m[1];
    else if (t.startsWith('Downloading: "') && (m = TORCH_HUB.exec(t)) !== null) s.hub = { url: m[1] ?? '', path: m[2] ?? '' };
    else if ((m = ANNOUNCE.exec(t)) !== null) s.announced = (m[1] ?? '').trim();
    else if ((m = WGET_SAVED.exec(t)) !== null) r = wgetSaved(runtime, m, ts, s);
    else if (t.includes('100%') && (m = WGET_DONE.exec(t)) !== null) s.wgetSeconds = wgetDuration(m[1] ?? '');
    else if (t.startsWith('Fetching ') && (m = FETCHING.exec(t)) !== null) {
      if (s.announced !== undefined) {
        r = build(runtime, ts, { model: baseName(s.announced), durationS: clockSeconds(m[4] ?? ''), source: 'hf' });
        s.announced = undefined;
      }
    } else if (t.includes('B/s]') && (t.includes('%|') || t.includes('% '))) r = byteBar(runtime, t, ts, s) ?? r;
  }
  return r;
}
