// Host sampling: CPU, memory, swap, load, the model/cache/output volumes (size and free bytes,
// "storage full" is a top support theme), disk read/write and network throughput (slow model
// downloads). CPU, memory, disk and network counters and the mounted filesystems come from /proc
// on Linux (host-linux.ts, host-proc.ts; systeminformation's versions spawn cat/lsblk/df), with
// systeminformation, loaded lazily, as the fallback elsewhere. The full mount list is refreshed rarely.
import { existsSync, readFileSync, realpathSync, statfsSync } from 'node:fs';
import { loadavg } from 'node:os';
import type { VolumeRole } from '@renderwatch/schema';
import type { Logger } from 'pino';
import type * as SystemInformation from 'systeminformation';
import { AgentError } from '../errors.js';
import { createFailureReporter, type SampleErrorCounter } from './failure-reporter.js';
import { cpuRatio, parseMeminfo, parseMountsWithType, parseProcStatCpu } from './host-linux.js';
import { isCountedDisk, mountOf, parseDiskstats, parseMounts, parseNetDev } from './host-proc.js';
import { openProcFile } from './proc-file.js';

export type { VolumeRole };

export interface VolumeSnapshot {
  mount: string;
  role: VolumeRole;
  size_bytes: number;
  free_bytes: number;
  /** The configured path this volume was found for (absent for `other`). */
  path?: string;
}

/** One host reading; field names follow proto HostSample (snake_case). Absent means unknown. */
export interface HostSnapshot {
  ts_unix_ms: number;
  cpu_ratio?: number;
  load_1m?: number;
  memory_used_bytes?: number;
  memory_total_bytes?: number;
  swap_used_bytes?: number;
  swap_total_bytes?: number;
  volumes: VolumeSnapshot[];
  disk_read_bytes_per_s?: number;
  disk_write_bytes_per_s?: number;
  net_rx_bytes_per_s?: number;
  net_tx_bytes_per_s?: number;
}

export interface HostSamplerOptions {
  /** Configured volume paths (config: models, cache, outputs directories). */
  volumes?: { models?: string; cache?: string; outputs?: string };
  /** Also report every other real filesystem as role `other` (refreshed every otherVolumesRefreshMs). */
  includeOtherVolumes?: boolean;
  otherVolumesRefreshMs?: number;
  /** Root of /proc and /sys (tests point these at fixtures). */
  procRoot?: string;
  sysRoot?: string;
  log?: Logger;
  counter?: SampleErrorCounter;
  intervalMs?: number;
  now?: () => number;
}

export interface HostSampler {
  sample(): Promise<HostSnapshot>;
}

const ROLES: readonly [keyof NonNullable<HostSamplerOptions['volumes']>, VolumeRole][] = [
  ['models', 'model'],
  ['cache', 'cache'],
  ['outputs', 'output'],
];
const PSEUDO_FS =
  /^(tmpfs|devtmpfs|overlay|squashfs|proc|sysfs|cgroup2?|devpts|mqueue|tracefs|debugfs|securityfs|fusectl|configfs|ramfs|nsfs|autofs|efivarfs|bpf|pstore|hugetlbfs|binfmt_misc)$/;

function sumRates(xs: (number | null | undefined)[]): number | undefined {
  const ok = xs.filter((x): x is number => typeof x === 'number' && x >= 0);
  return ok.length === 0 ? undefined : ok.reduce((a, b) => a + b, 0);
}

/** systeminformation, loaded only where /proc does not give what the host sampler needs. */
const systeminformation = async (): Promise<typeof SystemInformation.default> => (await import('systeminformation')).default;

/** Disk and network rates from systeminformation, where /proc is not available. */
async function fallbackRates(): Promise<Partial<HostSnapshot>> {
  const si = await systeminformation();
  const [fs, net] = await Promise.all([si.fsStats().catch(() => undefined), si.networkStats('*').catch(() => undefined)]);
  return {
    ...(typeof fs?.rx_sec === 'number' && fs.rx_sec >= 0 ? { disk_read_bytes_per_s: fs.rx_sec } : {}),
    ...(typeof fs?.wx_sec === 'number' && fs.wx_sec >= 0 ? { disk_write_bytes_per_s: fs.wx_sec } : {}),
    ...(net === undefined ? {} : { net_rx_bytes_per_s: sumRates(net.map((n) => n.rx_sec)), net_tx_bytes_per_s: sumRates(net.map((n) => n.tx_sec)) }),
  };
}

export function createHostSampler(opts: HostSamplerOptions = {}): HostSampler {
  const now = opts.now ?? Date.now;
  const proc = opts.procRoot ?? '/proc';
  const sys = opts.sysRoot ?? '/sys';
  const log = opts.log?.child({ module: 'sampling.host' });
  const failures = createFailureReporter({
    source: 'host',
    intervalMs: opts.intervalMs ?? 10_000,
    now,
    ...(log === undefined ? {} : { log }),
    ...(opts.counter === undefined ? {} : { counter: opts.counter }),
  });
  const hasProc = existsSync(`${proc}/diskstats`) && existsSync(`${proc}/net/dev`);
  const hasCpuMem = existsSync(`${proc}/stat`) && existsSync(`${proc}/meminfo`);
  // The four files read every tick, each kept open and read again (proc-file.ts).
  const statFile = openProcFile(`${proc}/stat`);
  const meminfoFile = openProcFile(`${proc}/meminfo`);
  const diskstatsFile = openProcFile(`${proc}/diskstats`);
  const netDevFile = openProcFile(`${proc}/net/dev`);
  let prevCpu: { busy: number; total: number } | undefined;
  let prev: { at: number; disk?: { readBytes: number; writeBytes: number }; net?: { rxBytes: number; txBytes: number } } | undefined;
  const hasRoleVolumes = ROLES.some(([key]) => opts.volumes?.[key] !== undefined);
  let others: { mount: string; size: number; free: number }[] = [];
  let othersAt = -Infinity;

  // Whether a disk or interface is a real one (a /sys lookup), remembered for a minute: the lists
  // are read every sample, the answers change only when hardware does.
  const known = new Map<string, boolean>();
  let knownAt = -Infinity;
  const exists = (path: string): boolean => {
    let v = known.get(path);
    if (v === undefined) {
      v = existsSync(path);
      known.set(path, v);
    }
    return v;
  };
  const physical = (iface: string): boolean => iface !== 'lo' && exists(`${sys}/class/net/${iface}/device`);
  const wholeDisk = (n: string): boolean => isCountedDisk(n) && exists(`${sys}/block/${n}`);
  function readCounters(): { disk?: { readBytes: number; writeBytes: number }; net?: { rxBytes: number; txBytes: number } } {
    if (!hasProc) return {};
    const t = now();
    if (t - knownAt >= 60_000) {
      known.clear();
      knownAt = t;
    }
    const disk = parseDiskstats(diskstatsFile.read(), wholeDisk);
    const netText = netDevFile.read();
    let net = parseNetDev(netText, physical);
    // Containers see only virtual interfaces: count all but loopback there.
    if (net.rxBytes === 0 && net.txBytes === 0) net = parseNetDev(netText, (i) => i !== 'lo');
    return { disk, net };
  }

  function roleVolumes(mounts: readonly string[]): VolumeSnapshot[] {
    const out: VolumeSnapshot[] = [];
    for (const [key, role] of ROLES) {
      const path = opts.volumes?.[key];
      if (path === undefined) continue;
      try {
        const real = realpathSync(path);
        const st = statfsSync(real);
        out.push({ mount: mountOf(real, mounts) ?? real, role, path, size_bytes: st.blocks * st.bsize, free_bytes: st.bavail * st.bsize });
      } catch (err: unknown) {
        failures.report(`volume:${role}`, new AgentError('AGT_ERR_HOST_SAMPLE_FAILED', `volume ${role} at ${path}`, { cause: err }), { role, path });
      }
    }
    return out;
  }

  async function refreshOthers(t: number): Promise<void> {
    if (opts.includeOtherVolumes === false || t - othersAt < (opts.otherVolumesRefreshMs ?? 60_000)) return;
    othersAt = t;
    try {
      if (hasProc) {
        const seen = new Set<string>();
        others = [];
        for (const m of parseMountsWithType(readFileSync(`${proc}/self/mounts`, 'utf8'))) {
          if (PSEUDO_FS.test(m.type) || seen.has(m.mount)) continue;
          seen.add(m.mount);
          try {
            const st = statfsSync(m.mount);
            if (st.blocks > 0) others.push({ mount: m.mount, size: st.blocks * st.bsize, free: st.bavail * st.bsize });
          } catch {
            // not accessible to this user (another namespace's mount): left out, as df does
          }
        }
        return;
      }
      const list = await (await systeminformation()).fsSize();
      others = list.filter((f) => !PSEUDO_FS.test(f.type) && f.size > 0 && f.mount !== '').map((f) => ({ mount: f.mount, size: f.size, free: f.available }));
    } catch (err: unknown) {
      failures.report('volumes', new AgentError('AGT_ERR_HOST_SAMPLE_FAILED', 'fsSize', { cause: err }));
    }
  }

  return {
    async sample(): Promise<HostSnapshot> {
      const t = now();
      const snap: HostSnapshot = { ts_unix_ms: t, volumes: [] };
      let mem: { total: number; available: number; swaptotal: number; swapused: number } | undefined;
      if (hasCpuMem) {
        try {
          const cpu = parseProcStatCpu(statFile.read());
          const ratio = cpu === undefined ? undefined : cpuRatio(prevCpu, cpu);
          if (ratio !== undefined) snap.cpu_ratio = ratio;
          prevCpu = cpu;
          const m = parseMeminfo(meminfoFile.read());
          if (m !== undefined) mem = { total: m.total, available: m.available, swaptotal: m.swapTotal, swapused: m.swapTotal - m.swapFree };
        } catch (err: unknown) {
          failures.report('cpu', new AgentError('AGT_ERR_HOST_SAMPLE_FAILED', '/proc/stat, /proc/meminfo', { cause: err }));
        }
      } else {
        const si = await systeminformation();
        const [load, m] = await Promise.all([si.currentLoad().catch(() => undefined), si.mem().catch(() => undefined)]);
        if (load !== undefined && Number.isFinite(load.currentLoad)) snap.cpu_ratio = load.currentLoad / 100;
        mem = m;
      }
      snap.load_1m = loadavg()[0];
      if (mem !== undefined) {
        snap.memory_total_bytes = mem.total;
        snap.memory_used_bytes = mem.total - mem.available;
        snap.swap_total_bytes = mem.swaptotal;
        snap.swap_used_bytes = mem.swapused;
      } else failures.report('memory', new AgentError('AGT_ERR_HOST_SAMPLE_FAILED', 'memory'));
      let mounts: string[] = [];
      // the mount table only places configured role volumes: not read (every second) without one
      if (hasRoleVolumes) {
        try {
          mounts = hasProc ? parseMounts(readFileSync(`${proc}/self/mounts`, 'utf8')) : [];
        } catch (err: unknown) {
          failures.report('mounts', err);
        }
      }
      snap.volumes = hasRoleVolumes ? roleVolumes(mounts) : [];
      await refreshOthers(t);
      const covered = new Set(snap.volumes.map((v) => v.mount));
      for (const o of others) if (!covered.has(o.mount)) snap.volumes.push({ mount: o.mount, role: 'other', size_bytes: o.size, free_bytes: o.free });
      if (!hasProc) return { ...snap, ...(await fallbackRates()) };
      try {
        const cur = { at: t, ...readCounters() };
        const dt = prev === undefined ? 0 : (t - prev.at) / 1000;
        if (prev !== undefined && dt > 0) {
          const rate = (a: number | undefined, b: number | undefined): number | undefined =>
            a === undefined || b === undefined || a < b ? undefined : Math.round((a - b) / dt);
          const set = <K extends keyof HostSnapshot>(k: K, v: HostSnapshot[K] | undefined): void => {
            if (v !== undefined) snap[k] = v;
          };
          set('disk_read_bytes_per_s', rate(cur.disk?.readBytes, prev.disk?.readBytes));
          set('disk_write_bytes_per_s', rate(cur.disk?.writeBytes, prev.disk?.writeBytes));
          set('net_rx_bytes_per_s', rate(cur.net?.rxBytes, prev.net?.rxBytes));
          set('net_tx_bytes_per_s', rate(cur.net?.txBytes, prev.net?.txBytes));
        }
        prev = cur;
      } catch (err: unknown) {
        failures.report('counters', new AgentError('AGT_ERR_HOST_SAMPLE_FAILED', '/proc counters', { cause: err }));
      }
      return snap;
    },
  };
}
