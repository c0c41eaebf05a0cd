import { describe, expect, it } from 'vitest';
import { cpuRatio, parseMeminfo, parseMountsWithType, parseProcStatCpu } from './host-linux.js';

describe('host from /proc', () => {
  it('takes the CPU busy ratio from two /proc/stat readings (idle and iowait are not busy)', () => {
    // user nice system idle iowait irq softirq steal guest guest_nice
    const a = parseProcStatCpu('cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 50 0 25 400 25 0 0 0 0 0\n');
    const b = parseProcStatCpu('cpu  160 0 70 900 70 0 0 0 0 0\ncpu0 80 0 35 450 35 0 0 0 0 0\n');
    expect(a).toEqual({ busy: 150, total: 1000 });
    expect(b).toEqual({ busy: 230, total: 1200 });
    // 80 busy jiffies of 200: 0.4
    expect(b === undefined ? undefined : cpuRatio(a, b)).toBe(0.4);
    expect(a === undefined ? undefined : cpuRatio(undefined, a)).toBeUndefined();
    expect(parseProcStatCpu('intr 1 2 3\n')).toBeUndefined();
  });

  it('reads memory and swap in bytes from /proc/meminfo', () => {
    const text =
      'MemTotal:       24600000 kB\nMemFree:         1000000 kB\nMemAvailable:   20000000 kB\nSwapTotal:       2000000 kB\nSwapFree:        1500000 kB\n';
    expect(parseMeminfo(text)).toEqual({ total: 24600000 * 1024, available: 20000000 * 1024, swapTotal: 2000000 * 1024, swapFree: 1500000 * 1024 });
    expect(parseMeminfo('MemTotal: 1 kB\n')).toBeUndefined();
  });

  it('lists mounts with their types, escapes decoded', () => {
    expect(parseMountsWithType('/dev/sda1 / ext4 rw 0 0\nproc /proc proc rw 0 0\n/dev/sdb1 /mnt/my\\040models xfs rw 0 0\n')).toEqual([
      { mount: '/', type: 'ext4' },
      { mount: '/proc', type: 'proc' },
      { mount: '/mnt/my models', type: 'xfs' },
    ]);
  });
});
