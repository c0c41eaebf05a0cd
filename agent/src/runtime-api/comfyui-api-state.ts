// What the ComfyUI adapter must remember across agent restarts so nothing is reported twice:
// the prompt ids already reported, the time of the last console write fed to the parser, the open
// campaigns (so a campaign keeps its id and an agent restart is recorded as its interruption) and
// the salt of job keys (campaigns/fingerprint.ts; it never leaves the host).
// One small JSON file per watched URL under the agent's state dir, replaced atomically.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

const CampaignRecordSchema = z.object({
  key: z.string(),
  id: z.string(),
  label: z.string().optional(),
  fingerprint: z.string().optional(),
  firstAtMs: z.number(),
  lastAtMs: z.number(),
  jobs: z.number().int().nonnegative(),
  plannedJobs: z.number().int().nonnegative().optional(),
  plannedImages: z.number().int().nonnegative().optional(),
  declared: z.boolean().optional(),
  waiting: z.array(z.string()).default([]),
  outputs: z.array(z.object({ filename: z.string(), subfolder: z.string(), type: z.string() })).optional(),
  endChecked: z.boolean().optional(),
});

export const ApiStateSchema = z.object({
  seen: z.array(z.string()).default([]),
  consoleWatermark: z.string().optional(),
  campaigns: z.array(CampaignRecordSchema).optional(),
  salt: z.string().optional(),
});
export type ApiState = z.infer<typeof ApiStateSchema>;

export function apiStatePath(stateDir: string, url: string): string {
  return join(stateDir, `comfyui-api-${createHash('sha256').update(url).digest('hex').slice(0, 16)}.json`);
}

/** The saved state, or an empty one when there is none or it cannot be read (reported in `problem`). */
export function loadApiState(path: string): { state: ApiState; problem?: Error } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err: unknown) {
    if (err instanceof Error && 'code' in err && err.code === 'ENOENT') return { state: { seen: [] } };
    return { state: { seen: [] }, problem: err instanceof Error ? err : new Error(String(err)) };
  }
  try {
    const r = ApiStateSchema.safeParse(JSON.parse(text));
    if (r.success) return { state: r.data };
    return { state: { seen: [] }, problem: new Error(`state file has an unknown shape: ${r.error.issues[0]?.message ?? ''}`) };
  } catch (err: unknown) {
    return { state: { seen: [] }, problem: err instanceof Error ? err : new Error(String(err)) };
  }
}

/** Writes the state (tmp file + rename); returns the error instead of throwing. */
export function saveApiState(path: string, state: ApiState): Error | undefined {
  try {
    mkdirSync(join(path, '..'), { recursive: true });
    const tmp = `${path}.tmp`;
    writeFileSync(tmp, JSON.stringify(state));
    renameSync(tmp, path);
    return undefined;
  } catch (err: unknown) {
    return err instanceof Error ? err : new Error(String(err));
  }
}
