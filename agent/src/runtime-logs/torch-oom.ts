// PyTorch out-of-memory messages, every generation listed in docs/research/runtime-logs.md "1.10 PyTorch OOM messages", to numbers.

export type OomForm =
  /** `Tried to allocate X (GPU 0; T total capacity; A already allocated; F free; R reserved in total by PyTorch)` */
  | 'caching_legacy'
  /** `Tried to allocate X. GPU 0 has a total capacity of T of which F is free. ... Of the allocated memory ...` */
  | 'caching'
  /** cudaMallocAsync `Allocation on device N would exceed allowed memory` block. */
  | 'async_allocator'
  /** Message cut by the 8-bit device index bug, or otherwise without numbers. */
  | 'truncated'
  | 'mps'
  /** Asynchronously reported `CUDA error: out of memory` (not the allocator), cuBLAS alloc failure. */
  | 'cuda_error'
  | 'host_ram'
  /** torch-directml `Could not allocate tensor with N bytes. There is not enough GPU video memory available!` */
  | 'directml'
  /** A wrapper's text that says "out of memory" with no numbers (Wan2GP, ai-toolkit, ComfyUI). */
  | 'wrapper_text';

export interface OomNumbers {
  readonly form: OomForm;
  readonly requested?: number;
  readonly total?: number;
  readonly free?: number;
  /** Allocated by PyTorch. */
  readonly allocated?: number;
  readonly reservedUnallocated?: number;
  /** Sum of `Process N has X memory in use` (NVML; other processes than this one). */
  readonly otherProcesses?: number;
  /** MPS `other allocations` (memory outside the MPS allocator). */
  readonly mpsOther?: number;
  readonly device?: string;
}

const UNIT: Readonly<Record<string, number>> = {
  b: 1,
  bytes: 1,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
  // older MPS builds print GB/MB meaning the binary units
  kb: 1024,
  mb: 1024 ** 2,
  gb: 1024 ** 3,
  tb: 1024 ** 4,
};
const SIZE = String.raw`(\d+(?:\.\d+)?)\s*(bytes|B|KiB|MiB|GiB|TiB|KB|MB|GB|TB)\b`;

/** UNIT[unit.toLowerCase()], without building a lowercased string for the spellings SIZE matches. */
function unitMultiplier(unit: string): number | undefined {
  switch (unit) {
    case 'B':
    case 'bytes':
      return 1;
    case 'KiB':
    case 'KB':
      return 1024;
    case 'MiB':
    case 'MB':
      return 1024 ** 2;
    case 'GiB':
    case 'GB':
      return 1024 ** 3;
    case 'TiB':
    case 'TB':
      return 1024 ** 4;
    default:
      return UNIT[unit.toLowerCase()];
  }
}

/** `2.00 GiB` → 2147483648. */
export function parseSize(value: string, unit: string): number | undefined {
  const mult = unitMultiplier(unit);
  const v = Number(value);
  if (mult === undefined || !Number.isFinite(v) || v < 0) return undefined;
  return Math.round(v * mult);
}

function size(re: RegExp, text: string): number | undefined {
  const m = re.exec(text);
  return m?.[1] !== undefined && m[2] !== undefined ? parseSize(m[1], m[2]) : undefined;
}

const IS_OOM =
  /out of memory|OutOfMemoryError|Allocation on device|CUBLAS_STATUS_ALLOC_FAILED|DefaultCPUAllocator: not enough memory|unsufficient VRAM|unsufficient RAM|OOM during training step|not enough GPU video memory|out of device memory/;

/** Cheap pre-test: does this text talk about an out-of-memory condition at all? */
export function isOomText(text: string): boolean {
  return IS_OOM.test(text);
}

const REQ = new RegExp(String.raw`Tried to allocate ${SIZE}`);
// IPEX (XPU) builds print the legacy form without the `free` part
const LEGACY = new RegExp(
  String.raw`\((?:GPU|Device) (\d+); ${SIZE} total capacity; ${SIZE} already allocated; (?:${SIZE} free; )?(?:[\d.]+ \w+ allowed; )?${SIZE} (?:reserved in total by PyTorch|cached)\)`,
);
// XPU builds print the capacity without `of which X is free`
const TOTAL_NEW = new RegExp(String.raw`(?:GPU|Device) ?(\d+)? has a total capac(?:i)?ty of ${SIZE}(?: of which ${SIZE} ?is free)?`);
const PROCESS = new RegExp(String.raw`Process \d+ has ${SIZE} memory in use`, 'g');
/**
 * A `Process N has X memory in use` line that is this process itself: in a container (Colab,
 * Kubernetes) NVML names it by a pid of another namespace, so PyTorch cannot print it as "this
 * process". Told apart by arithmetic: X beside what this PyTorch holds (allocated + reserved) and
 * what is free would exceed the card, so X cannot be another process's (kohya fixture
 * sdxl-dreambooth-oom-colab-bar-without-glyphs-2025-07.log: 39.55 GiB of a 39.56 GiB card beside
 * 37.77 + 1.28 GiB held). The margin covers the message's rounding to 0.01 GiB.
 */
function isThisProcess(bytes: number, n: Partial<OomNumbers>): boolean {
  if (n.total === undefined || n.allocated === undefined) return false;
  const held = n.allocated + (n.reservedUnallocated ?? 0) + (n.free ?? 0);
  return bytes + held > n.total + Math.max(64 * 1024 * 1024, n.total * 0.01);
}
const ALLOC_NEW = new RegExp(String.raw`Of the allocated memory ${SIZE} is allocated by PyTorch`);
const UNALLOC_NEW = new RegExp(String.raw`and ${SIZE} is reserved by PyTorch but unallocated`);
const ASYNC_DEV = /Allocation on device (\d+) would exceed/;
const ASYNC_ALLOC = new RegExp(String.raw`Currently allocated\s*:\s*${SIZE}`);
const ASYNC_REQ = new RegExp(String.raw`Requested\s*:\s*${SIZE}`);
const ASYNC_LIMIT = new RegExp(String.raw`Device limit\s*:\s*${SIZE}`);
const ASYNC_FREE = new RegExp(String.raw`Free \(according to CUDA\)\s*:\s*${SIZE}`);
const MPS = new RegExp(String.raw`MPS backend out of memory \(MPS allocated: ${SIZE}, other allocations: ${SIZE}, max allowed: ${SIZE}\)`);
const HOST = /DefaultCPUAllocator: not enough memory: you tried to allocate (\d+) bytes/;
const DIRECTML = /Could not allocate tensor with (\d+) bytes\. There is not enough GPU video memory available/;

/** ROCm builds print `HIP out of memory` with the CUDA text's numbers (research: same format, `hip:N` here). */
function backend(text: string): string {
  if (text.includes('XPU out of memory')) return 'xpu';
  if (text.includes('HIP out of memory')) return 'hip';
  return 'cuda';
}

/** ROCm on APUs prints an underflowed free value (`of which 17179869183.96 GiB is free`): more than the total is no reading. */
function plausibleFree(free: number | undefined, total: number | undefined): number | undefined {
  return free !== undefined && total !== undefined && free > total ? undefined : free;
}

/** Parses the OOM message in `text` (one record, possibly multi-line). Undefined when it is not one. */
// Each regex below is tried only when the text holds its literal part (a fast substring search
// instead of a regex scan that starts at every position); the answers are the same.
export function parseOom(text: string): OomNumbers | undefined {
  if (!isOomText(text)) return undefined;
  const mps = text.includes('MPS backend out of memory') ? MPS.exec(text) : null;
  if (mps !== null) {
    const out: Mutable<OomNumbers> = { form: 'mps', device: 'mps' };
    set(out, 'allocated', parseSize(mps[1] ?? '', mps[2] ?? ''));
    set(out, 'mpsOther', parseSize(mps[3] ?? '', mps[4] ?? ''));
    set(out, 'total', parseSize(mps[5] ?? '', mps[6] ?? ''));
    set(out, 'requested', size(REQ, text));
    return out;
  }
  const asyncDev = text.includes('Allocation on device ') ? ASYNC_DEV.exec(text) : null;
  if (asyncDev !== null) {
    const out: Mutable<OomNumbers> = { form: 'async_allocator', device: `cuda:${asyncDev[1]}` };
    set(out, 'requested', size(ASYNC_REQ, text));
    set(out, 'total', size(ASYNC_LIMIT, text));
    set(out, 'free', size(ASYNC_FREE, text));
    set(out, 'allocated', size(ASYNC_ALLOC, text));
    return out;
  }
  const requested = text.includes('Tried to allocate ') ? size(REQ, text) : undefined;
  if (requested !== undefined) {
    const legacy = text.includes(' total capacity; ') ? LEGACY.exec(text) : null;
    if (legacy !== null) {
      const out: Mutable<OomNumbers> = { form: 'caching_legacy', requested, device: `${backend(text)}:${legacy[1]}` };
      const allocated = parseSize(legacy[4] ?? '', legacy[5] ?? '');
      const reserved = parseSize(legacy[8] ?? '', legacy[9] ?? '');
      set(out, 'total', parseSize(legacy[2] ?? '', legacy[3] ?? ''));
      set(out, 'allocated', allocated);
      set(out, 'free', plausibleFree(parseSize(legacy[6] ?? '', legacy[7] ?? ''), out.total));
      if (allocated !== undefined && reserved !== undefined) set(out, 'reservedUnallocated', Math.max(0, reserved - allocated));
      return out;
    }
    const total = text.includes(' has a total capac') ? TOTAL_NEW.exec(text) : null;
    if (total !== null) {
      const out: Mutable<OomNumbers> = { form: 'caching', requested, device: `${backend(text)}:${total[1] ?? '0'}` };
      set(out, 'total', parseSize(total[2] ?? '', total[3] ?? ''));
      set(out, 'free', plausibleFree(parseSize(total[4] ?? '', total[5] ?? ''), out.total));
      if (text.includes('Of the allocated memory ')) set(out, 'allocated', size(ALLOC_NEW, text));
      if (text.includes(' is reserved by PyTorch but unallocated')) set(out, 'reservedUnallocated', size(UNALLOC_NEW, text));
      let others = 0;
      let seen = false;
      if (text.includes(' memory in use'))
        for (const m of text.matchAll(PROCESS)) {
          const v = parseSize(m[1] ?? '', m[2] ?? '');
          if (v !== undefined && !isThisProcess(v, out)) {
            others += v;
            seen = true;
          }
        }
      if (seen) out.otherProcesses = others;
      return out;
    }
    return { form: 'truncated', requested };
  }
  const host = text.includes('DefaultCPUAllocator: not enough memory') ? HOST.exec(text) : null;
  if (host !== null) return { form: 'host_ram', device: 'cpu', requested: Number(host[1]) };
  const dml = text.includes('not enough GPU video memory') ? DIRECTML.exec(text) : null;
  if (dml !== null) return { form: 'directml', device: 'dml', requested: Number(dml[1]) };
  if (text.includes('Allocation on device')) return { form: 'truncated' };
  if (/CUDA error: out of memory|CUBLAS_STATUS_ALLOC_FAILED|HIP error: out of memory/.test(text)) return { form: 'cuda_error' };
  if (/(?:CUDA|HIP|XPU) out of memory/.test(text)) return { form: 'truncated' };
  // IPEX: `RuntimeError: Allocation is out of device memory on current platform.` (no numbers)
  if (text.includes('out of device memory')) return { form: 'truncated', device: 'xpu' };
  return { form: 'wrapper_text' };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function set<K extends keyof OomNumbers>(o: Mutable<OomNumbers>, k: K, v: OomNumbers[K] | undefined): void {
  if (v !== undefined) o[k] = v;
}
