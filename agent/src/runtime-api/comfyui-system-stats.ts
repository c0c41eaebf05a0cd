// ComfyUI `GET /system_stats` (docs/research/runtime-logs.md "2.1 ComfyUI"): versions and the current torch device's memory.
// Pure: JSON in, a typed summary out. Only versions and byte counts are read (`argv` is ignored:
// it can carry paths and options the host owner did not mean to ship).
import { z } from 'zod';

const bytes = z.number().finite().nonnegative();

export const SystemStatsSchema = z.object({
  system: z.object({
    os: z.string().optional(),
    comfyui_version: z.string().optional(),
    python_version: z.string().optional(),
    pytorch_version: z.string().optional(),
    embedded_python: z.boolean().optional(),
  }),
  devices: z
    .array(
      z.object({
        name: z.string().optional(),
        type: z.string().optional(),
        index: z.number().int().nullable().optional(),
        vram_total: bytes.optional(),
        vram_free: bytes.optional(),
        torch_vram_total: bytes.optional(),
        torch_vram_free: bytes.optional(),
      }),
    )
    .default([]),
});
export type SystemStatsJson = z.infer<typeof SystemStatsSchema>;

export interface ComfyDevice {
  /** `cuda:0 NVIDIA GeForce RTX 4090 : cudaMallocAsync` as ComfyUI names it. */
  readonly name?: string;
  readonly index?: number;
  /** Torch allocator backend from the name suffix (`cudaMallocAsync`, `native`). */
  readonly allocator?: string;
  readonly vramTotalBytes?: number;
  readonly vramFreeBytes?: number;
  /** Reserved by torch's caching allocator. */
  readonly torchReservedBytes?: number;
  /** Free inside what torch reserved. */
  readonly torchReservedFreeBytes?: number;
}

export interface ComfySystemStats {
  readonly comfyuiVersion?: string;
  readonly pythonVersion?: string;
  readonly pytorchVersion?: string;
  readonly devices: readonly ComfyDevice[];
}

function defined<T extends object>(o: T): T {
  for (const k of Object.keys(o)) if ((o as Record<string, unknown>)[k] === undefined) delete (o as Record<string, unknown>)[k];
  return o;
}

/** `3.12.7 (main, Oct  1 2024, 08:52:12) [GCC 11.4.0]` → `3.12.7`. */
function shortPython(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const m = /^\s*(\d+\.\d+(?:\.\d+)?\S*)/.exec(v);
  return m?.[1] ?? (v.trim() === '' ? undefined : v.trim());
}

export function summariseSystemStats(j: SystemStatsJson): ComfySystemStats {
  const devices = j.devices.map((d) =>
    defined<ComfyDevice>({
      name: d.name,
      index: d.index ?? undefined,
      allocator: d.name === undefined ? undefined : /:\s*(\w+)\s*$/.exec(d.name)?.[1],
      vramTotalBytes: d.vram_total,
      vramFreeBytes: d.vram_free,
      torchReservedBytes: d.torch_vram_total,
      torchReservedFreeBytes: d.torch_vram_free,
    }),
  );
  return defined<ComfySystemStats>({
    comfyuiVersion: j.system.comfyui_version?.trim() || undefined,
    pythonVersion: shortPython(j.system.python_version),
    pytorchVersion: j.system.pytorch_version?.trim() || undefined,
    devices,
  });
}

/** The versions that matter for "why did the output change", in a stable comparable form. */
export function versionKey(s: ComfySystemStats): string {
  return `comfyui=${s.comfyuiVersion ?? '?'} python=${s.pythonVersion ?? '?'} pytorch=${s.pytorchVersion ?? '?'}`;
}
