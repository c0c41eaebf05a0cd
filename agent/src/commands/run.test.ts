import { describe, expect, it } from 'vitest';
import { remoteVolumeLookup } from './run.js';

// /proc/self/mounts lines: the models directory on NFS, the root on ext4.
const MOUNTS = ['/dev/sda1 / ext4 rw,relatime 0 0', 'nas:/export/models /mnt/models nfs4 rw,relatime,vers=4.2 0 0', ''].join('\n');

describe('remoteVolumeLookup (the daemon passes it to the pipeline as remoteVolume)', () => {
  it('answers for a load without a path from the models directory of AGENT_VOLUMES', () => {
    expect(remoteVolumeLookup({ cache: '/var/cache', models: '/mnt/models/sd' }, () => MOUNTS)(undefined)).toBe(true);
    expect(remoteVolumeLookup({ models: '/srv/models' }, () => MOUNTS)(undefined)).toBe(false);
  });

  it('answers for an absolute model path by its own mount, and unknown without a models directory', () => {
    const lookup = remoteVolumeLookup({ outputs: '/data/out' }, () => MOUNTS);
    expect(lookup('/mnt/models/flux1-dev.safetensors')).toBe(true);
    expect(lookup('/home/u/model.safetensors')).toBe(false);
    expect(lookup(undefined)).toBeUndefined();
  });
});
