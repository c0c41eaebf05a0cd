import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createHostSampler } from './host.js';
import { isCountedDisk, mountOf, parseDiskstats, parseMounts, parseNetDev } from './host-proc.js';

// Lines in the kernel's formats (Documentation/admin-guide/iostats.rst, proc_net_dev).
const DISKSTATS = [
  '   7       0 loop0 100 0 2000 10 0 0 0 0 0 10 10 0 0 0 0',
  ' 259       0 nvme0n1 5000 10 800000 300 2000 50 400000 200 0 500 500 0 0 0 0',
  ' 259       1 nvme0n1p1 4900 10 790000 290 1990 50 399000 190 0 490 490 0 0 0 0',
  '   8       0 sda 100 0 1000 5 10 0 100 1 0 6 6 0 0 0 0',
].join('\n');
const NETDEV = [
  'Inter-|   Receive                                                |  Transmit',
  ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed',
  '    lo: 9000 10 0 0 0 0 0 0 9000 10 0 0 0 0 0 0',
  '  eth0: 1000000 900 0 0 0 0 0 0 250000 400 0 0 0 0 0 0',
  'veth12: 500 5 0 0 0 0 0 0 700 7 0 0 0 0 0 0',
].join('\n');

describe('host /proc parsers', () => {
  it('sums whole-disk sectors × 512, skipping loop devices and partitions', () => {
    const whole = new Set(['loop0', 'nvme0n1', 'sda']);
    expect(parseDiskstats(DISKSTATS, (n) => whole.has(n) && isCountedDisk(n))).toEqual({
      readBytes: (800000 + 1000) * 512,
      writeBytes: (400000 + 100) * 512,
    });
  });

  it('sums rx/tx bytes over the chosen interfaces', () => {
    expect(parseNetDev(NETDEV, (i) => i === 'eth0')).toEqual({ rxBytes: 1000000, txBytes: 250000 });
    expect(parseNetDev(NETDEV, (i) => i !== 'lo')).toEqual({ rxBytes: 1000500, txBytes: 250700 });
  });

  it('finds the mount holding a path (longest prefix, escapes decoded)', () => {
    const mounts = parseMounts('/dev/sda1 / ext4 rw 0 0\n/dev/nvme0n1p1 /mnt/models ext4 rw 0 0\n/dev/sdb1 /mnt/my\\040outputs xfs rw 0 0\n');
    expect(mounts).toEqual(['/', '/mnt/models', '/mnt/my outputs']);
    expect(mountOf('/mnt/models/flux/flux1-dev.safetensors', mounts)).toBe('/mnt/models');
    expect(mountOf('/mnt/modelsX', mounts)).toBe('/');
    expect(mountOf('/mnt/my outputs/2026', mounts)).toBe('/mnt/my outputs');
  });
});

describe('createHostSampler', () => {
  const root = mkdtempSync(join(tmpdir(), 'rw-host-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const proc = join(root, 'proc');
  const sys = join(root, 'sys');
  mkdirSync(join(proc, 'net'), { recursive: true });
  mkdirSync(join(proc, 'self'), { recursive: true });
  mkdirSync(join(sys, 'block', 'nvme0n1'), { recursive: true });
  mkdirSync(join(sys, 'class', 'net', 'eth0', 'device'), { recursive: true });
  const models = join(root, 'models');
  mkdirSync(models);
  writeFileSync(join(proc, 'self', 'mounts'), `/dev/sda1 / ext4 rw 0 0\n/dev/x ${root} ext4 rw 0 0\n`);

  it('reports memory, the configured volumes, and disk/net throughput from counter deltas', async () => {
    writeFileSync(join(proc, 'diskstats'), ' 259 0 nvme0n1 0 0 1000 0 0 0 2000 0 0 0 0\n');
    writeFileSync(join(proc, 'net', 'dev'), 'h\nh\n  eth0: 1000 0 0 0 0 0 0 0 500 0 0 0 0 0 0 0\n');
    let t = 10_000;
    const h = createHostSampler({ volumes: { models }, procRoot: proc, sysRoot: sys, includeOtherVolumes: false, now: () => t });
    const first = await h.sample();
    expect(first.memory_total_bytes).toBeGreaterThan(0);
    expect(first.memory_used_bytes).toBeLessThanOrEqual(first.memory_total_bytes ?? 0);
    expect(first.volumes).toEqual([{ mount: root, role: 'model', path: models, size_bytes: expect.any(Number), free_bytes: expect.any(Number) }]);
    expect(first.volumes[0]?.free_bytes).toBeLessThanOrEqual(first.volumes[0]?.size_bytes ?? 0);
    expect(first).not.toHaveProperty('disk_read_bytes_per_s');
    writeFileSync(join(proc, 'diskstats'), ' 259 0 nvme0n1 0 0 3000 0 0 0 6000 0 0 0 0\n');
    writeFileSync(join(proc, 'net', 'dev'), 'h\nh\n  eth0: 201000 0 0 0 0 0 0 0 40500 0 0 0 0 0 0 0\n');
    t += 2000;
    const second = await h.sample();
    expect(second).toMatchObject({
      disk_read_bytes_per_s: (2000 * 512) / 2,
      disk_write_bytes_per_s: (4000 * 512) / 2,
      net_rx_bytes_per_s: 100000,
      net_tx_bytes_per_s: 20000,
    });
    expect(second.cpu_ratio).toBeGreaterThanOrEqual(0);
  });

  it('counts a missing configured volume instead of failing the sample', async () => {
    let counted = 0;
    const h = createHostSampler({
      volumes: { outputs: join(root, 'nope') },
      procRoot: proc,
      sysRoot: sys,
      includeOtherVolumes: false,
      counter: { inc: () => (counted += 1) },
    });
    const s = await h.sample();
    expect(s.volumes).toEqual([]);
    expect(counted).toBe(1);
  });
});
