// The demo's fleet: eleven hosts, each with a part in the story the 7-day history tells (README
// "Demo"): artists' RTX 5090 workstations, a render rack whose cooling fails, a noisy neighbour, a
// host whose model downloads crawl, a video farm on L40S/A100/H100 and a 16 GB card that OOMs.
// Times are hours before the end of the history, so the story always ends "now".
import type { RuntimeName } from '@renderwatch/schema';
import { GPU_PROFILES, type GpuProfile } from './gpu-profiles.js';
import type { CampaignStory } from './history-campaigns.js';
import type { VirtualHostSpec } from './virtual-host.js';
import { WORKLOADS, type Workload } from './workloads.js';

const MiB = 1024 * 1024;

/** A 32 GB consumer card at its 575 W board limit (kept out of GPU_PROFILES so fleetSpecs() stays as it was). */
export const RTX_5090: GpuProfile = {
  name: 'NVIDIA GeForce RTX 5090',
  memory_total_bytes: 32607 * MiB,
  power_limit_watts: 575,
  idle_watts: 30,
  sm_clock_max_mhz: 2407,
  memory_clock_mhz: 14001,
  load_celsius: 70,
};

function profile(name: string): GpuProfile {
  const p = GPU_PROFILES.find((x) => x.name.includes(name));
  if (p === undefined) throw new Error(`no GPU profile ${name}`);
  return p;
}

/** A runtime (re)start with a new version or extension set, `hoursAgo` before the end of the history. */
export interface Upgrade {
  hoursAgo: number;
  version: string;
  extensions: readonly string[];
  /** The first start after the upgrade (and a reboot: models not cached) crashed before it was ready; restarted 6 min later. */
  firstStartCrashes?: boolean;
  /** Share of jobs that fail with a runtime error after this upgrade (a custom node broke). */
  errorRatio?: number;
}

/** A model file replaced on disk (new hash) `hoursAgo` before the end; jobs on it take `durationFactor` as long. */
export interface ModelSwap {
  hoursAgo: number;
  model: string;
  hash: string;
  durationFactor: number;
}

/** What happens to a host over the history (all optional: a healthy host has no story). */
export interface HostStory {
  version: string;
  extensions: readonly string[];
  /** model file → hash before any swap. */
  hashes: Readonly<Record<string, string>>;
  upgrades?: readonly Upgrade[];
  modelSwaps?: readonly ModelSwap[];
  /** The case's cooling failed this many hours ago (hot from then on). */
  coolingFailedHoursAgo?: number;
  /** Another process (a Blender render) shares GPU 0 from this many hours ago. */
  noisyNeighbourHoursAgo?: number;
  /** The host's model cache was lost this many hours ago: every model is downloaded again, crawling at ~25 MB/s. */
  slowDownloadsHoursAgo?: number;
  /** OOM storm: [hoursAgo start, minutes] — someone queued batch 8 at 1536². */
  oomStorm?: readonly [number, number];
  /** Batches run one after another on GPU `campaignGpu` (which then runs nothing else). */
  campaigns?: readonly CampaignStory[];
  campaignGpu?: number;
  /** Chance that a job OOMs outside any storm. */
  oomRate: number;
  /** Busy share in working hours (08–20 UTC) and at night. */
  dayDuty: number;
  nightDuty: number;
  /** Seconds between jobs while busy (think time of an artist, or a queue's turnaround). */
  gapS: readonly [number, number];
  /** Batch count: a job runs its batch up to this many times in a row (A1111's batch count, a ComfyUI queue of N). */
  repeatMax: number;
}

export interface DemoHostSpec extends VirtualHostSpec {
  story: HostStory;
  rack: string;
}

const COMFY_EXT = ['ComfyUI-Manager', 'comfyui_controlnet_aux', 'ComfyUI-Impact-Pack'];
const HASHES = {
  'sd_xl_base_1.0.safetensors': '31e35c80fc',
  'flux1-dev-fp8.safetensors': '8e91b68084',
  'wan2.2_t2v_14B_fp8_scaled.safetensors': 'b4b6f1c3d2',
};
const SDXL_FLUX = WORKLOADS.filter((w) => w.family !== 'wan');
const ALL: readonly Workload[] = WORKLOADS;
const SDXL = WORKLOADS.filter((w) => w.family === 'sdxl');

function host(
  hostname: string,
  p: GpuProfile,
  gpuCount: number,
  runtime: RuntimeName,
  speed: number,
  workloads: readonly Workload[],
  rack: string,
  story: Partial<HostStory>,
): DemoHostSpec {
  const s: HostStory = {
    version: runtime === 'comfyui' ? '0.3.56' : runtime === 'invokeai' ? '5.6.0' : '1.10.1',
    extensions: runtime === 'comfyui' ? COMFY_EXT : ['sd-webui-controlnet'],
    hashes: HASHES,
    oomRate: 0.001,
    dayDuty: 0.7,
    nightDuty: 0.2,
    gapS: [40, 240],
    repeatMax: 2,
    ...story,
  };
  return { hostname, profile: p, gpuCount, runtime, hot: false, speed, workloads, driverVersion: '570.124.04', story: s, rack };
}

/** The demo fleet (11 simulated hosts; the demo adds one real agent replaying an H100). */
export function demoFleetSpecs(): DemoHostSpec[] {
  return [
    host('ws-5090-01', RTX_5090, 1, 'comfyui', 0.6, SDXL_FLUX, 'studio', {
      // The Flux checkpoint was replaced by the bf16 file under the same name: Flux jobs ~15% slower.
      modelSwaps: [{ hoursAgo: 76, model: 'flux1-dev-fp8.safetensors', hash: '0f7a3c1e55', durationFactor: 1.15 }],
      upgrades: [{ hoursAgo: 52, version: '0.3.62', extensions: [...COMFY_EXT, 'ComfyUI-KJNodes'] }],
    }),
    host('ws-5090-02', RTX_5090, 1, 'comfyui', 0.6, SDXL_FLUX, 'studio', {
      upgrades: [{ hoursAgo: 50, version: '0.3.62', extensions: COMFY_EXT }],
    }),
    host('render-4090-01', profile('4090'), 2, 'forge', 0.55, SDXL_FLUX, 'rack-a', { gapS: [10, 60], nightDuty: 0.5, repeatMax: 6 }),
    host('render-4090-02', profile('4090'), 2, 'forge', 0.55, SDXL_FLUX, 'rack-a', {
      gapS: [10, 60],
      nightDuty: 0.5,
      repeatMax: 6,
      noisyNeighbourHoursAgo: 20,
    }),
    host('rack-b-a10g-01', profile('A10G'), 2, 'comfyui', 0.3, SDXL_FLUX, 'rack-b', {
      gapS: [3, 12],
      dayDuty: 0.9,
      nightDuty: 0.8,
      repeatMax: 8,
      coolingFailedHoursAgo: 30,
    }),
    host('rack-b-a10g-02', profile('A10G'), 2, 'comfyui', 0.3, SDXL_FLUX, 'rack-b', {
      gapS: [3, 12],
      dayDuty: 0.9,
      nightDuty: 0.8,
      repeatMax: 8,
      coolingFailedHoursAgo: 30,
    }),
    host('video-l40s-01', profile('L40S'), 4, 'comfyui', 0.6, ALL, 'rack-c', {
      gapS: [20, 90],
      nightDuty: 0.6,
      dayDuty: 0.8,
      repeatMax: 6,
      campaignGpu: 3,
      campaigns: [
        { label: 'trailer-stills-v3', startHoursAgo: 40, jobs: 180, family: 'flux', batch: 4, interruptAtJob: 71, resumed: true },
        { label: null, startHoursAgo: 20, jobs: 300, family: 'sdxl', batch: 8 },
        { label: 'wan-teasers-night', startHoursAgo: 2, jobs: 40, family: 'wan', batch: 1 },
      ],
    }),
    host('video-l40s-02', profile('L40S'), 2, 'invokeai', 0.6, ALL, 'rack-c', { gapS: [20, 120], repeatMax: 4, slowDownloadsHoursAgo: 18 }),
    host('video-a100-01', profile('A100'), 4, 'comfyui', 0.75, ALL, 'rack-c', {
      gapS: [20, 90],
      repeatMax: 6,
      nightDuty: 0.6,
      dayDuty: 0.8,
      // The upgrade 50 minutes ago broke a custom node that nearly every workflow uses: 95% of jobs fail
      // since (the fast burn).
      upgrades: [{ hoursAgo: 50 / 60, version: '0.3.62', extensions: [...COMFY_EXT, 'ComfyUI-WanVideoWrapper'], firstStartCrashes: true, errorRatio: 0.95 }],
    }),
    host('edge-t4-01', profile('T4'), 2, 'a1111', 0.15, SDXL, 'edge', { oomRate: 0.008, oomStorm: [6, 25], gapS: [10, 60], repeatMax: 3 }),
    host('video-h100-01', profile('H100'), 2, 'comfyui', 1, ALL, 'rack-c', { gapS: [20, 90], nightDuty: 0.6, dayDuty: 0.8, repeatMax: 6 }),
  ];
}

/** The story's state at `hoursAgo`: version, extensions and error ratio after the last upgrade before then. */
export function storyAt(
  s: HostStory,
  hoursAgo: number,
): { version: string; extensions: readonly string[]; errorRatio: number; hashes: Record<string, string> } {
  let version = s.version;
  let extensions = s.extensions;
  let errorRatio = 0;
  for (const u of s.upgrades ?? []) {
    if (u.hoursAgo >= hoursAgo) {
      version = u.version;
      extensions = u.extensions;
      errorRatio = u.errorRatio ?? 0;
    }
  }
  const hashes: Record<string, string> = { ...s.hashes };
  for (const m of s.modelSwaps ?? []) if (m.hoursAgo >= hoursAgo) hashes[m.model] = m.hash;
  return { version, extensions, errorRatio, hashes };
}

/** The live fleet that carries on where the history ends: each host as its story left it. */
export function demoLiveSpecs(specs: readonly DemoHostSpec[]): VirtualHostSpec[] {
  return specs.map(({ story, rack, ...spec }) => {
    const now = storyAt(story, 0);
    const hot = story.coolingFailedHoursAgo !== undefined;
    return {
      ...spec,
      hot,
      // a case that has been under load for hours
      caseC0: hot ? 14 : 3,
      runtimeVersion: now.version,
      extensions: now.extensions,
      modelHashes: now.hashes,
      errorRatio: now.errorRatio,
      oomRatio: story.oomRate,
      // the history's duty cycle, roughly: longer pauses between jobs than a saturated queue
      idleS: [story.gapS[0], story.gapS[1] * 3],
      group: rack,
    };
  });
}
