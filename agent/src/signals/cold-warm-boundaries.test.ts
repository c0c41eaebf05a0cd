// The load rules of cold-warm.ts at their boundaries (HOST_BYTES_SHARE, the speed limits, which
// evidence must be present) and the remote filesystem names, with numbers worked by hand. The
// behaviour over whole starts is in cold-warm.test.ts and start-tracker.test.ts.
import { describe, expect, it } from 'vitest';
import { classifyLoad, isRemoteFsType } from './cold-warm.js';

const MIB = 1024 ** 2;
const GIB = 1024 ** 3;

describe('classifyLoad boundaries', () => {
  it('host network bytes of at least half the load are a network load; one byte less is not', () => {
    expect(classifyLoad({ sizeBytes: 2 * GIB, hostNetRxBytes: GIB })).toEqual({ source: 'network', rule: 'host_net_rx_during_load' });
    expect(classifyLoad({ sizeBytes: 2 * GIB, hostNetRxBytes: GIB - 1 }).rule).toBe('no_evidence');
    expect(classifyLoad({ sizeBytes: 2 * GIB, hostDiskReadBytes: GIB })).toEqual({ source: 'disk', rule: 'host_disk_read_during_load' });
    expect(classifyLoad({ sizeBytes: 2 * GIB, hostDiskReadBytes: GIB - 1 }).rule).toBe('no_evidence');
  });

  it('needs the size, and a size above 0, to compare host bytes with', () => {
    expect(classifyLoad({ hostNetRxBytes: 5 * GIB, hostDiskReadBytes: 5 * GIB }).rule).toBe('no_evidence');
    expect(classifyLoad({ sizeBytes: 0, hostNetRxBytes: 0 }).rule).toBe('no_evidence');
    expect(classifyLoad({ sizeBytes: 0, hostNetRxBytes: 0, hostDiskReadBytes: 0 }).rule).toBe('no_evidence');
  });

  it('quiet host counters (both known, together under half the size) are the page cache', () => {
    // 0.25 + 0.75 = 1 GiB = half of 2 GiB: not under half
    expect(classifyLoad({ sizeBytes: 2 * GIB, hostDiskReadBytes: GIB / 4, hostNetRxBytes: (3 * GIB) / 4 }).rule).toBe('no_evidence');
    expect(classifyLoad({ sizeBytes: 2 * GIB, hostDiskReadBytes: GIB / 4, hostNetRxBytes: (3 * GIB) / 4 - 1 })).toEqual({
      source: 'cache',
      rule: 'host_io_quiet_during_load',
    });
    // one counter unknown: no verdict from the counters
    expect(classifyLoad({ sizeBytes: 2 * GIB, hostDiskReadBytes: 0 }).rule).toBe('no_evidence');
    expect(classifyLoad({ sizeBytes: 2 * GIB, hostNetRxBytes: 0 }).rule).toBe('no_evidence');
  });

  it('read speed: under 1 GiB/s is disk, from 4 GiB/s page cache, between says nothing', () => {
    expect(classifyLoad({ sizeBytes: GIB, durationS: 1 }).rule).toBe('no_evidence'); // exactly 1 GiB/s
    expect(classifyLoad({ sizeBytes: GIB, durationS: 1.001 })).toEqual({ source: 'disk', rule: 'slower_than_page_cache' });
    expect(classifyLoad({ sizeBytes: 4 * GIB, durationS: 1 })).toEqual({ source: 'cache', rule: 'page_cache_speed' });
    expect(classifyLoad({ sizeBytes: 4 * GIB - 1, durationS: 1 }).rule).toBe('no_evidence');
  });

  it('a speed needs a load of at least 64 MiB and a duration above 0', () => {
    expect(classifyLoad({ sizeBytes: 64 * MIB, durationS: 2 }).rule).toBe('slower_than_page_cache'); // 32 MiB/s
    expect(classifyLoad({ sizeBytes: 64 * MIB - 1, durationS: 2 }).rule).toBe('no_evidence');
    expect(classifyLoad({ sizeBytes: 64 * MIB, durationS: 0 }).rule).toBe('no_evidence');
    expect(classifyLoad({ sizeBytes: 64 * MIB }).rule).toBe('no_evidence');
    expect(classifyLoad({ durationS: 2 }).rule).toBe('no_evidence');
  });
});

describe('isRemoteFsType', () => {
  it('knows network filesystems by their whole type name', () => {
    for (const t of ['nfs', 'nfs4', 'cifs', 'smb', 'smb3', 'ceph', 'fuse.s3fs', 'fuse.rclone', 'fuse.juicefs', 'fuse.blobfuse', 'fuse.blobfuse2']) {
      expect(isRemoteFsType(t), t).toBe(true);
    }
    for (const t of ['ext4', 'xfs', 'zfs', 'tmpfs', 'overlay', 'fuse', 'fuse.sshfsx', 'nfs5', 'mynfs', 'nfs4x', 'smb2', '']) {
      expect(isRemoteFsType(t), t).toBe(false);
    }
  });
});
