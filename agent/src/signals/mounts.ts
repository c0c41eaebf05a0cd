// Whether a model file is on a network/remote filesystem (NFS, SMB, S3/GCS FUSE...): evidence for
// cold/warm (./cold-warm.ts rule `remote_volume`). The mount table (/proc/self/mounts) is read
// once and again at most every `refreshMs`; a path the log does not give falls back to the
// configured models volume. Unknown (undefined) when neither is known or the table cannot be read.
import { readFileSync } from 'node:fs';
import { isRemoteFsType } from './cold-warm.js';

export interface MountEntry {
  readonly mount: string;
  readonly fsType: string;
}

/** `/proc/self/mounts` text → mount point and filesystem type per line (octal escapes decoded). */
export function parseMountTable(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    if (f.length < 3 || f[1] === undefined || f[2] === undefined) continue;
    out.push({ mount: f[1].replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8))), fsType: f[2] });
  }
  return out;
}

/** The entry of the longest mount point that holds `path` (the last mounted wins a tie, as the kernel shows it). */
export function mountFor(path: string, table: readonly MountEntry[]): MountEntry | undefined {
  let best: MountEntry | undefined;
  for (const e of table) {
    const prefix = e.mount.endsWith('/') ? e.mount : `${e.mount}/`;
    if ((path === e.mount || path.startsWith(prefix) || e.mount === '/') && (best === undefined || e.mount.length >= best.mount.length)) best = e;
  }
  return best;
}

export interface RemoteVolumeOptions {
  /** The configured models directory (AGENT_VOLUMES model:...), used when a load names no absolute path. */
  readonly modelsPath?: string | undefined;
  readonly readMounts?: () => string;
  readonly now?: () => number;
  readonly refreshMs?: number;
}

export function createRemoteVolumeLookup(o: RemoteVolumeOptions = {}): (path: string | undefined) => boolean | undefined {
  const read = o.readMounts ?? (() => readFileSync('/proc/self/mounts', 'utf8'));
  const now = o.now ?? Date.now;
  let table: MountEntry[] | undefined;
  let readAt = -Infinity;
  return (path) => {
    const p = path !== undefined && path.startsWith('/') ? path : o.modelsPath;
    if (p === undefined || !p.startsWith('/')) return undefined;
    if (table === undefined || now() - readAt >= (o.refreshMs ?? 300_000)) {
      readAt = now();
      try {
        table = parseMountTable(read());
      } catch {
        table = []; // no mount table (not Linux, no /proc): unknown, retried after refreshMs
      }
    }
    const m = mountFor(p, table);
    return m === undefined ? undefined : isRemoteFsType(m.fsType);
  };
}
