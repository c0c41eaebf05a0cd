// Host CPU, memory and mounted filesystems straight from /proc on Linux: no subprocess and no
// systeminformation (whose currentLoad runs `cat /proc/stat` through execSync on every call and
// whose fsSize spawns `df`). Pure parsers; host.ts reads the files.

/** Busy and total jiffies of all CPUs from /proc/stat's first line. */
export function parseProcStatCpu(text: string): { busy: number; total: number } | undefined {
  const line = text.slice(0, text.indexOf('\n'));
  if (!line.startsWith('cpu ')) return undefined;
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest, guest_nice are inside user/nice)
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = f;
  const total = user + nice + system + idle + iowait + irq + softirq + steal;
  return { busy: total - idle - iowait, total };
}

/** The CPU busy ratio between two /proc/stat readings (undefined without a previous one). */
export function cpuRatio(prev: { busy: number; total: number } | undefined, cur: { busy: number; total: number }): number | undefined {
  if (prev === undefined || cur.total <= prev.total) return undefined;
  return Math.min(1, Math.max(0, (cur.busy - prev.busy) / (cur.total - prev.total)));
}

export interface Meminfo {
  total: number;
  available: number;
  swapTotal: number;
  swapFree: number;
}

/** Bytes from /proc/meminfo (kB values); undefined when MemTotal or MemAvailable is missing. */
export function parseMeminfo(text: string): Meminfo | undefined {
  const kb = (key: string): number | undefined => {
    const m = new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(text);
    return m === null ? undefined : Number(m[1]) * 1024;
  };
  const total = kb('MemTotal');
  const available = kb('MemAvailable');
  if (total === undefined || available === undefined) return undefined;
  return { total, available, swapTotal: kb('SwapTotal') ?? 0, swapFree: kb('SwapFree') ?? 0 };
}

/** Mount points with their filesystem type from /proc/self/mounts (octal escapes decoded). */
export function parseMountsWithType(text: string): { mount: string; type: string }[] {
  const out: { mount: string; type: string }[] = [];
  for (const line of text.split('\n')) {
    const [, mount, type] = line.split(' ');
    if (mount === undefined || type === undefined) continue;
    out.push({ mount: mount.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8))), type });
  }
  return out;
}
