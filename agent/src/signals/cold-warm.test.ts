// The cold/warm rule tables, rule by rule and in their order: each case is decided by exactly the
// rule it names, and the `order:` cases match two rules so that swapping them changes the answer.
import { describe, expect, it } from 'vitest';
import { classifyLoad, classifyWindow, isRemoteFsType, LOAD_RULES, START_RULES, type LoadEvidence, type WindowEvidence } from './cold-warm.js';

const MIB = 1024 ** 2;
const GIB = 1024 ** 3;
// Forge's `KModel` load (forge/new-forge-model-switch-cpu-swap-2024.log): 1306.94 MB loaded + 1971.88 MB offloaded in 1.13 s
const KMODEL = Math.round((1306.94 + 1971.88) * MIB); // 3438094582 B; 3438094582 / 1.13 s = 2.83 GiB/s: speed alone decides nothing
const load = (e: Partial<LoadEvidence>): LoadEvidence => ({ sizeBytes: KMODEL, durationS: 1.13, ...e });

describe('LOAD_RULES: where one load read its weights from', () => {
  const cases: [string, LoadEvidence, string | undefined, string][] = [
    ['a download finished before the load', load({ downloaded: true }), 'download', 'downloaded_before_load'],
    ['the runtime says resident (Forge `reused`)', load({ reported: 'resident' }), 'resident', 'runtime_reported_resident'],
    ['the runtime says its RAM cache (InvokeAI `Cache hit`)', load({ reported: 'cache' }), 'cache', 'runtime_reported_ram_cache'],
    ['the file is on an NFS volume', load({ reported: 'disk', remoteVolume: true }), 'network', 'remote_volume'],
    ['net rx >= half the size during the load', load({ hostNetRxBytes: KMODEL / 2, hostDiskReadBytes: 0 }), 'network', 'host_net_rx_during_load'],
    ['disk read >= half the size during the load', load({ hostDiskReadBytes: KMODEL / 2, hostNetRxBytes: 0 }), 'disk', 'host_disk_read_during_load'],
    [
      'disk + net < half the size: page cache',
      load({ reported: 'disk', hostDiskReadBytes: 100 * MIB, hostNetRxBytes: 1 * MIB }),
      'cache',
      'host_io_quiet_during_load',
    ],
    // A1111's v1.0 cold start (a1111/v1.0-cold-start-model-loaded-startup-time.log): 62.7 s; a 4.27 GB SD 1.5 file at 68 MB/s
    ['slower than 1 GiB/s', { reported: 'disk', sizeBytes: 4_265_380_512, durationS: 62.7 }, 'disk', 'slower_than_page_cache'],
    ['4 GiB/s or faster', { reported: 'disk', sizeBytes: 8 * GIB, durationS: 1.9 }, 'cache', 'page_cache_speed'],
    ['between the speeds, no host counters', load({ reported: 'disk' }), undefined, 'no_evidence'],
    ['a load without size', { reported: 'disk', durationS: 11.2 }, undefined, 'no_evidence'],
    ['host counters but no size', { reported: 'disk', durationS: 3, hostDiskReadBytes: 0, hostNetRxBytes: 0 }, undefined, 'no_evidence'],
    ['a small load says nothing by its speed (AutoencoderKL 159 MB... here 32 MiB in 1 s)', { sizeBytes: 32 * MIB, durationS: 1 }, undefined, 'no_evidence'],
    // order: pairs of rules that both match
    ['order: downloaded beats resident', load({ downloaded: true, reported: 'resident' }), 'download', 'downloaded_before_load'],
    ['order: resident beats RAM cache', load({ reported: 'resident', remoteVolume: true }), 'resident', 'runtime_reported_resident'],
    ['order: RAM cache beats a remote volume (no file read)', load({ reported: 'cache', remoteVolume: true }), 'cache', 'runtime_reported_ram_cache'],
    ['order: remote volume beats disk counters', load({ remoteVolume: true, hostDiskReadBytes: KMODEL }), 'network', 'remote_volume'],
    [
      'order: remote volume beats net rx (the volume is the stronger evidence)',
      load({ remoteVolume: true, hostNetRxBytes: KMODEL }),
      'network',
      'remote_volume',
    ],
    [
      'order: net rx beats disk read (a network mount reads both)',
      load({ hostNetRxBytes: KMODEL, hostDiskReadBytes: KMODEL }),
      'network',
      'host_net_rx_during_load',
    ],
    [
      'order: disk read beats a fast speed',
      { sizeBytes: 8 * GIB, durationS: 1, hostDiskReadBytes: 8 * GIB, hostNetRxBytes: 0 },
      'disk',
      'host_disk_read_during_load',
    ],
    [
      'order: quiet counters beat a slow speed',
      { sizeBytes: 4 * GIB, durationS: 60, hostDiskReadBytes: 0, hostNetRxBytes: 0 },
      'cache',
      'host_io_quiet_during_load',
    ],
  ];
  for (const [name, e, source, rule] of cases)
    it(name, () => {
      expect(classifyLoad(e)).toEqual({ source, rule });
    });

  it('every rule is exercised above and ids are unique', () => {
    const ids = LOAD_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    const hit = new Set(cases.map((c) => c[3]));
    for (const id of ids) expect(hit).toContain(id);
  });

  it('threshold edges: exactly half the size counts, one byte less does not', () => {
    expect(classifyLoad(load({ hostDiskReadBytes: KMODEL / 2, hostNetRxBytes: 0 })).source).toBe('disk');
    expect(classifyLoad(load({ hostDiskReadBytes: KMODEL / 2 - 1, hostNetRxBytes: 0 })).source).toBe('cache');
  });
});

const win = (w: Partial<WindowEvidence>): WindowEvidence => ({ startSeen: true, downloads: 0, loads: [], loadedBefore: false, ...w });

describe('START_RULES: the label of a start, a first image or a job', () => {
  const cases: [string, WindowEvidence, string, string][] = [
    ['the agent did not see the start', win({ startSeen: false, loads: ['disk'] }), 'unknown', 'start_not_seen'],
    ['a download in the window', win({ downloads: 1, loads: ['cache'] }), 'cold', 'model_downloaded'],
    ['a load that downloaded', win({ loads: ['download'] }), 'cold', 'model_downloaded'],
    ['a load from a network volume', win({ loads: ['cache', 'network'] }), 'cold', 'load_from_network'],
    ['a load from disk', win({ loads: ['resident', 'disk'] }), 'cold', 'load_from_disk'],
    ['a load of unknown source among cached ones', win({ loads: ['cache', undefined] }), 'unknown', 'load_source_unknown'],
    ['every load from RAM, VRAM or page cache', win({ loads: ['cache', 'resident'] }), 'warm', 'all_loads_cached'],
    ['no load in a job after models were loaded', win({ loadedBefore: true }), 'warm', 'models_loaded_before'],
    ['no load at all', win({}), 'unknown', 'no_load_seen'],
    // order
    ['order: start not seen beats a download', win({ startSeen: false, downloads: 2 }), 'unknown', 'start_not_seen'],
    ['order: download beats network', win({ downloads: 1, loads: ['network'] }), 'cold', 'model_downloaded'],
    ['order: network beats disk', win({ loads: ['disk', 'network'] }), 'cold', 'load_from_network'],
    ['order: disk beats an unknown load', win({ loads: [undefined, 'disk'] }), 'cold', 'load_from_disk'],
    ['order: an unknown load beats loaded-before', win({ loads: [undefined], loadedBefore: true }), 'unknown', 'load_source_unknown'],
    ['order: cached loads are warm whatever came before', win({ loads: ['cache'], loadedBefore: true }), 'warm', 'all_loads_cached'],
  ];
  for (const [name, w, cold, rule] of cases)
    it(name, () => {
      expect(classifyWindow(w)).toEqual({ cold, rule });
    });

  it('every rule is exercised above', () => {
    const hit = new Set(cases.map((c) => c[3]));
    for (const r of START_RULES) expect(hit).toContain(r.id);
  });
});

describe('remote filesystems', () => {
  it('network mount types are remote, local ones are not', () => {
    for (const t of ['nfs', 'nfs4', 'cifs', 'smb3', 'ceph', 'fuse.s3fs', 'fuse.rclone', 'fuse.gcsfuse', 'fuse.juicefs', 'fuse.mountpoint-s3', 'lustre'])
      expect(isRemoteFsType(t), t).toBe(true);
    for (const t of ['ext4', 'xfs', 'btrfs', 'zfs', 'overlay', 'tmpfs', 'fuse.lxcfs', 'nfsd']) expect(isRemoteFsType(t), t).toBe(false);
  });
});
