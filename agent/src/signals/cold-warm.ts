// Cold or warm, by evidence (docs/signals.md "Cold and warm"). Two ordered rule tables, like the
// OOM causes (runtime-logs/oom-cause.ts): LOAD_RULES decide where one model load read its weights
// from (the `model_load.source` vocabulary), START_RULES decide the label of a window — a runtime
// start up to ready, up to its first image, or one job — from the loads and downloads inside it.
// The first rule that matches wins and its id is stored (`cold_rule`). Host uptime is no evidence:
// nothing here reads it. Pure: no clock, no I/O.
import type { ColdLabel, ModelLoadSource } from '@renderwatch/schema';

const MIB = 1024 ** 2;
const GIB = 1024 ** 3;

/** Host counters must account for at least this share of a load's size to say where it came from. */
export const HOST_BYTES_SHARE = 0.5;
/** Below this read speed a load of a file came from disk (or slower), not from RAM/page cache. */
export const DISK_SPEED_MAX_BYTES_PER_S = 1 * GIB;
/** At or above this speed it came from RAM/page cache (faster than the disks such hosts have). */
export const PAGE_CACHE_MIN_BYTES_PER_S = 4 * GIB;
/** Loads smaller than this say nothing by their speed (fixed costs dominate). */
export const SPEED_MIN_BYTES = 64 * MIB;

/** What is known about one model load. Absent means unknown, never zero. */
export interface LoadEvidence {
  /** What the runtime's log said: `resident` (already on the device), `cache` (its own RAM cache, no file read), `disk` (it read the file). */
  readonly reported?: ModelLoadSource;
  /** A model download finished (in this runtime, since the previous load) before this load ended. */
  readonly downloaded?: boolean;
  /** The weights' volume is a network/remote filesystem (its mount type), when the agent knows the volume. */
  readonly remoteVolume?: boolean;
  /** Bytes the load moved (loaded + offloaded MB). */
  readonly sizeBytes?: number;
  readonly durationS?: number;
  /** The host's block-device read bytes during the load window (undefined: no host samples cover it). */
  readonly hostDiskReadBytes?: number;
  /** The host's network receive bytes during the load window. */
  readonly hostNetRxBytes?: number;
}

export interface LoadRule {
  readonly id: string;
  readonly source: ModelLoadSource;
  readonly test: (e: LoadEvidence) => boolean;
}

const share = (bytes: number | undefined, e: LoadEvidence): boolean =>
  bytes !== undefined && e.sizeBytes !== undefined && e.sizeBytes > 0 && bytes >= HOST_BYTES_SHARE * e.sizeBytes;

function speed(e: LoadEvidence): number | undefined {
  if (e.sizeBytes === undefined || e.durationS === undefined || e.sizeBytes < SPEED_MIN_BYTES || e.durationS <= 0) return undefined;
  return e.sizeBytes / e.durationS;
}

/** Where one load read its weights from; in the order tried. Exported for docs and tests. */
export const LOAD_RULES: readonly LoadRule[] = [
  { id: 'downloaded_before_load', source: 'download', test: (e) => e.downloaded === true },
  { id: 'runtime_reported_resident', source: 'resident', test: (e) => e.reported === 'resident' },
  { id: 'runtime_reported_ram_cache', source: 'cache', test: (e) => e.reported === 'cache' },
  { id: 'remote_volume', source: 'network', test: (e) => e.remoteVolume === true },
  { id: 'host_net_rx_during_load', source: 'network', test: (e) => share(e.hostNetRxBytes, e) },
  { id: 'host_disk_read_during_load', source: 'disk', test: (e) => share(e.hostDiskReadBytes, e) },
  {
    // Both counters known for the whole window and together under half the size: page cache.
    id: 'host_io_quiet_during_load',
    source: 'cache',
    test: (e) =>
      e.hostDiskReadBytes !== undefined &&
      e.hostNetRxBytes !== undefined &&
      e.sizeBytes !== undefined &&
      e.sizeBytes > 0 &&
      e.hostDiskReadBytes + e.hostNetRxBytes < HOST_BYTES_SHARE * e.sizeBytes,
  },
  { id: 'slower_than_page_cache', source: 'disk', test: (e) => (speed(e) ?? Infinity) < DISK_SPEED_MAX_BYTES_PER_S },
  { id: 'page_cache_speed', source: 'cache', test: (e) => (speed(e) ?? 0) >= PAGE_CACHE_MIN_BYTES_PER_S },
];

export interface LoadVerdict {
  /** Undefined when no rule had the evidence to decide. */
  readonly source: ModelLoadSource | undefined;
  readonly rule: string;
}

export function classifyLoad(e: LoadEvidence): LoadVerdict {
  for (const r of LOAD_RULES) if (r.test(e)) return { source: r.source, rule: r.id };
  return { source: undefined, rule: 'no_evidence' };
}

/** What happened inside one window (start → ready, start → first image, or one job). */
export interface WindowEvidence {
  /** The window's start was observed (the agent saw the runtime_start / job_start). */
  readonly startSeen: boolean;
  /** Downloads with bytes > 0 that finished inside the window. */
  readonly downloads: number;
  /** Sources of the loads inside the window (undefined: that load's source is unknown). */
  readonly loads: readonly (ModelLoadSource | undefined)[];
  /** The runtime loaded models before the window (so a window without loads used resident models). */
  readonly loadedBefore: boolean;
}

export interface StartRule {
  readonly id: string;
  readonly label: ColdLabel;
  readonly test: (w: WindowEvidence) => boolean;
}

const anyLoad = (w: WindowEvidence, s: ModelLoadSource | undefined): boolean => w.loads.includes(s);

/** A window's label; in the order tried. Exported for docs and tests. */
export const START_RULES: readonly StartRule[] = [
  { id: 'start_not_seen', label: 'unknown', test: (w) => !w.startSeen },
  { id: 'model_downloaded', label: 'cold', test: (w) => w.downloads > 0 || anyLoad(w, 'download') },
  { id: 'load_from_network', label: 'cold', test: (w) => anyLoad(w, 'network') },
  { id: 'load_from_disk', label: 'cold', test: (w) => anyLoad(w, 'disk') },
  { id: 'load_source_unknown', label: 'unknown', test: (w) => anyLoad(w, undefined) },
  { id: 'all_loads_cached', label: 'warm', test: (w) => w.loads.length > 0 },
  { id: 'models_loaded_before', label: 'warm', test: (w) => w.loadedBefore },
];

export interface StartVerdict {
  readonly cold: ColdLabel;
  readonly rule: string;
}

export function classifyWindow(w: WindowEvidence): StartVerdict {
  for (const r of START_RULES) if (r.test(w)) return { cold: r.label, rule: r.id };
  return { cold: 'unknown', rule: 'no_load_seen' };
}

/** Filesystem types whose reads cross the network (NFS, SMB, object-store and cluster FUSE mounts). */
const REMOTE_FS =
  /^(?:nfs4?|cifs|smb3?|ceph|glusterfs|lustre|beegfs|gpfs|9p|afs|davfs|fuse\.(?:s3fs|rclone|gcsfuse|goofys|juicefs|sshfs|mountpoint-s3|blobfuse2?|geesefs|alluxio-fuse|weka))$/;

export function isRemoteFsType(fsType: string): boolean {
  return REMOTE_FS.test(fsType);
}
