import { describe, expect, it } from 'vitest';
import { createRemoteVolumeLookup, mountFor, parseMountTable } from './mounts.js';

// A render node's /proc/self/mounts: local root, an NFS model share, an s3fs bucket, a path with a space.
const MOUNTS = [
  'overlay / overlay rw,relatime,lowerdir=/var/lib/docker/l 0 0',
  '/dev/nvme0n1p2 /data ext4 rw,relatime 0 0',
  'nas01:/export/models /data/models nfs4 rw,relatime,vers=4.2 0 0',
  's3fs /mnt/bucket fuse.s3fs rw,nosuid,nodev 0 0',
  '/dev/sdb1 /mnt/old\\040disk xfs rw 0 0',
].join('\n');

describe('remote volumes', () => {
  it('parses the table and finds the longest mount holding a path', () => {
    const t = parseMountTable(MOUNTS);
    expect(t[4]).toEqual({ mount: '/mnt/old disk', fsType: 'xfs' });
    expect(mountFor('/data/models/checkpoints/sdxl.safetensors', t)?.fsType).toBe('nfs4');
    expect(mountFor('/data/modelsX/a', t)?.fsType).toBe('ext4');
    expect(mountFor('/opt/x', t)?.fsType).toBe('overlay');
  });

  it('network filesystems are remote; a load without a path uses the models volume; unknown without either', () => {
    let reads = 0;
    const lookup = createRemoteVolumeLookup({
      modelsPath: '/data/models',
      readMounts: () => {
        reads++;
        return MOUNTS;
      },
    });
    expect(lookup('/data/models/checkpoints/sdxl.safetensors')).toBe(true);
    expect(lookup('/mnt/bucket/flux.safetensors')).toBe(true);
    expect(lookup('/data/cache/x.safetensors')).toBe(false);
    expect(lookup(undefined)).toBe(true);
    expect(lookup('models/checkpoints/relative.safetensors')).toBe(true); // relative: the models volume
    expect(reads).toBe(1);
    expect(createRemoteVolumeLookup({ readMounts: () => MOUNTS })(undefined)).toBeUndefined();
    expect(
      createRemoteVolumeLookup({
        readMounts: () => {
          throw new Error('ENOENT');
        },
      })('/data/models/a'),
    ).toBeUndefined();
  });
});
