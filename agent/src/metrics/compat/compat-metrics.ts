// The peer-compatible /metrics families (AGENT_METRICS_COMPAT): state is updated once per GPU sample
// and the text is rendered at most once per sample and format, so a scrape costs a string copy
// however many scrapers ask (docs/metrics.md "Compatibility modes").
import type { MetricsCompatMode } from '../../config.js';
import type { GpuSnapshot, GpuStatusChange } from '../../sampling/sampler.js';
import { xidLabel } from '../labels.js';
import { dcgmFamilies } from './dcgm.js';
import { renderFamilies, type Family } from './exposition.js';
import { exporterUuid, nvidiaGpuExporterFamilies, type XidSeries } from './nvidia-gpu-exporter.js';

// The modes are parsed from AGENT_METRICS_COMPAT in config.ts (an array, duplicates dropped).
export type { MetricsCompatMode };

export interface CompatMetrics {
  observeGpus(gpus: readonly GpuSnapshot[], nowMs: number): void;
  observeStatus(changes: readonly GpuStatusChange[]): void;
  /** The peer families as exposition text (no `# EOF`); '' when no peer mode is on. */
  text(openMetrics: boolean): string;
  /** The families themselves (tests, the docs check). */
  families(): Family[];
}

export function createCompatMetrics(modes: readonly MetricsCompatMode[], hostname: string): CompatMetrics {
  const dcgm = modes.includes('dcgm');
  const smi = modes.includes('nvidia_gpu_exporter');
  let gpus: readonly GpuSnapshot[] = [];
  let sampledAtS = 0;
  const lastXid = new Map<string, number>();
  const xids = new Map<string, XidSeries>();
  const cache: { text?: string; open?: string } = {};

  const build = (): Family[] => [
    ...(dcgm ? dcgmFamilies({ gpus, lastXid, hostname }).families() : []),
    ...(smi ? nvidiaGpuExporterFamilies({ gpus, xids: [...xids.values()], sampledAtS }).families() : []),
  ];

  return {
    observeGpus(next, nowMs) {
      if (!dcgm && !smi) return;
      gpus = next;
      sampledAtS = nowMs / 1000;
      delete cache.text;
      delete cache.open;
    },
    observeStatus(changes) {
      for (const c of changes) {
        if (c.status !== 'xid') continue;
        if (c.xid !== undefined) lastXid.set(c.gpu_uuid, c.xid);
        const uuid = exporterUuid(c.gpu_uuid);
        const xid = xidLabel(c.xid);
        const key = `${uuid}\u0000${xid}`;
        const prev = xids.get(key);
        xids.set(key, { uuid, xid, count: (prev?.count ?? 0) + 1, lastUnixS: c.ts_unix_ms / 1000 });
        delete cache.text;
        delete cache.open;
      }
    },
    text(openMetrics) {
      if (!dcgm && !smi) return '';
      if (openMetrics) return (cache.open ??= renderFamilies(build(), true));
      return (cache.text ??= renderFamilies(build(), false));
    },
    families: build,
  };
}
