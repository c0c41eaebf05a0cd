// Pure parsers for the Linux /proc files the host sampler reads every tick. Reading them directly
// costs microseconds; systeminformation's fsStats()/networkStats() spawn `lsblk`/`cat` per call.

/** Cumulative bytes read/written over whole disks from /proc/diskstats (sectors are 512 bytes). */
export function parseDiskstats(text: string, isWholeDisk: (name: string) => boolean): { readBytes: number; writeBytes: number } {
  let readBytes = 0;
  let writeBytes = 0;
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    const name = f[2];
    if (name === undefined || f.length < 10 || !isWholeDisk(name)) continue;
    readBytes += Number(f[5]) * 512;
    writeBytes += Number(f[9]) * 512;
  }
  return { readBytes, writeBytes };
}

/** Whole-disk names worth counting: real block devices, not loop/ram/zram/device-mapper/md/optical. */
export function isCountedDisk(name: string): boolean {
  return !/^(loop|ram|zram|dm-|md|sr|fd)/.test(name);
}

/** Cumulative bytes received/sent from /proc/net/dev over the chosen interfaces. */
export function parseNetDev(text: string, include: (iface: string) => boolean): { rxBytes: number; txBytes: number } {
  let rxBytes = 0;
  let txBytes = 0;
  for (const line of text.split('\n')) {
    const m = /^\s*([^:\s]+):\s*(.*)$/.exec(line);
    if (m?.[1] === undefined || m[2] === undefined || !include(m[1])) continue;
    const f = m[2].trim().split(/\s+/);
    rxBytes += Number(f[0] ?? 0);
    txBytes += Number(f[8] ?? 0);
  }
  return { rxBytes, txBytes };
}

/** Mount points from /proc/self/mounts (octal escapes such as `\040` decoded). */
export function parseMounts(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const mount = line.split(' ')[1];
    if (mount !== undefined) out.push(mount.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8))));
  }
  return out;
}

/** The mount point holding `path`: the longest mount that is a path prefix of it. */
export function mountOf(path: string, mounts: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const m of mounts) {
    const prefix = m.endsWith('/') ? m : `${m}/`;
    if ((path === m || path.startsWith(prefix) || m === '/') && (best === undefined || m.length > best.length)) best = m;
  }
  return best;
}
