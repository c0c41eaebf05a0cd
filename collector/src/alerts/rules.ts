// Threshold and event alert rules: each kind is one ClickHouse query that returns the instances
// (host, GPU, volume) whose condition holds now. Registry keyed by rule kind.
import { DEFAULT_DISK_FILL_ROLES, type AlertRuleKind, type AlertRuleSpec } from '@renderwatch/schema';
import type { Storage } from '../storage/clickhouse.js';
import { sql } from '../storage/sql.js';
import { durationS } from '../slo/duration.js';
import { finishedCampaigns } from './campaign-notice.js';

export interface RuleInstance {
  labels: Record<string, string>;
  value: number;
  summary: string;
}

interface RuleContext {
  storage: Storage;
  tenant: string;
  rule: AlertRuleSpec;
  nowS: number;
}

type RuleQuery = (c: RuleContext) => Promise<RuleInstance[]>;

const windowS = (r: AlertRuleSpec, fallback: string): number => durationS(r.window ?? fallback);
const since = (c: RuleContext, s: number) => sql`toDateTime(${c.nowS - s})`;
const until = (c: RuleContext) => sql`toDateTime(${c.nowS})`;

/** Hosts that reported within the last week but not within the window (older ones are decommissioned). */
const agentSilent: RuleQuery = async (c) => {
  const w = windowS(c.rule, '5m');
  const rows = await c.storage.query<{ host: string; last_s: number | string }>(
    sql`SELECT host, toUInt32(max(last_seen)) AS last_s FROM hosts WHERE tenant = ${c.tenant} GROUP BY host
      HAVING last_s <= ${c.nowS - w} AND last_s > ${c.nowS - 7 * 86400} ORDER BY host`,
  );
  return rows.map((r) => ({
    labels: { host: r.host },
    value: c.nowS - Number(r.last_s),
    summary: `agent on ${r.host} silent for ${c.nowS - Number(r.last_s)} s`,
  }));
};

/** Every sample of the window above the limit: hot for the whole window. */
const gpuTemperature: RuleQuery = async (c) => {
  const limit = c.rule.threshold ?? 87;
  const rows = await c.storage.query<{ host: string; gpu_uuid: string; gpu_index: number; min_t: number; max_t: number }>(
    sql`SELECT host, gpu_uuid, any(gpu_index) AS gpu_index, min(temp_celsius) AS min_t, max(temp_celsius) AS max_t FROM gpu_samples
      WHERE tenant = ${c.tenant} AND ts > ${since(c, windowS(c.rule, '5m'))} AND ts <= ${until(c)} AND isNotNull(temp_celsius)
      GROUP BY host, gpu_uuid HAVING min_t > ${limit} ORDER BY host, gpu_uuid`,
  );
  return rows.map((r) => ({
    labels: { host: r.host, gpu: String(r.gpu_index), gpu_uuid: r.gpu_uuid },
    value: r.max_t,
    summary: `GPU ${r.gpu_index} on ${r.host} above ${limit} °C (max ${r.max_t})`,
  }));
};

const gpuXid: RuleQuery = async (c) => {
  const rows = await c.storage.query<{ host: string; gpu_uuid: string; gpu_index: number; last_xid: number; n: number | string }>(
    sql`SELECT host, gpu_uuid, any(gpu_index) AS gpu_index, argMax(xid, ts) AS last_xid, count() AS n FROM gpu_status
      WHERE tenant = ${c.tenant} AND ts > ${since(c, windowS(c.rule, '15m'))} AND ts <= ${until(c)} AND isNotNull(xid)
      GROUP BY host, gpu_uuid ORDER BY host, gpu_uuid`,
  );
  return rows.map((r) => ({
    labels: { host: r.host, gpu: String(r.gpu_index), gpu_uuid: r.gpu_uuid },
    value: Number(r.last_xid),
    summary: `XID ${r.last_xid} on GPU ${r.gpu_index} of ${r.host} (${r.n} in the window)`,
  }));
};

const diskFill: RuleQuery = async (c) => {
  const limit = c.rule.threshold ?? 0.9;
  const roles: readonly string[] = c.rule.volume_roles ?? DEFAULT_DISK_FILL_ROLES;
  const rows = await c.storage.query<{ host: string; mounts: string[]; roles: string[]; size: (string | number)[]; free: (string | number)[] }>(
    sql`SELECT host, argMax(volume_mounts, ts) AS mounts, argMax(volume_roles, ts) AS roles, argMax(volume_size_bytes, ts) AS size, argMax(volume_free_bytes, ts) AS free
      FROM host_samples WHERE tenant = ${c.tenant} AND ts > ${since(c, windowS(c.rule, '10m'))} AND ts <= ${until(c)} GROUP BY host ORDER BY host`,
  );
  const out: RuleInstance[] = [];
  for (const r of rows) {
    r.mounts.forEach((mount, i) => {
      const role = r.roles[i] ?? '';
      const size = Number(r.size[i] ?? 0);
      const ratio = size > 0 ? 1 - Number(r.free[i] ?? 0) / size : 0;
      if (roles.includes(role) && ratio > limit)
        out.push({ labels: { host: r.host, mount, role }, value: ratio, summary: `${role} volume ${mount} on ${r.host} ${(ratio * 100).toFixed(1)}% full` });
    });
  }
  return out;
};

/** Images reported by ok jobs (up to a minute ago) that no output_written event accounts for. */
const outputLost: RuleQuery = async (c) => {
  const w = windowS(c.rule, '15m');
  const lagS = 60;
  const rows = await c.storage.query<{ host: string; reported: number | string; written: number | string }>(
    sql`SELECT host,
        sumIf(toUInt64(ifNull(images, 0)), kind = 'job_end' AND outcome = 'ok' AND ts <= toDateTime(${c.nowS - lagS})) AS reported,
        sumIf(toUInt64(ifNull(images, 0)), kind = 'output_written') AS written
      FROM runtime_events WHERE tenant = ${c.tenant} AND kind IN ('job_end', 'output_written') AND ts > ${since(c, w + lagS)} AND ts <= ${until(c)}
      GROUP BY host HAVING countIf(kind = 'output_written') > 0 AND reported > written ORDER BY host`,
  );
  return rows.map((r) => {
    const lost = Number(r.reported) - Number(r.written);
    return { labels: { host: r.host }, value: lost, summary: `${lost} image(s) reported on ${r.host} were not found on disk` };
  });
};

const oomStorm: RuleQuery = async (c) => {
  const limit = c.rule.threshold ?? 5;
  const rows = await c.storage.query<{ host: string; n: number | string }>(
    sql`SELECT host, count() AS n FROM runtime_events WHERE tenant = ${c.tenant} AND kind = 'oom' AND ts > ${since(c, windowS(c.rule, '10m'))} AND ts <= ${until(c)}
      GROUP BY host HAVING n >= ${limit} ORDER BY host`,
  );
  return rows.map((r) => ({ labels: { host: r.host }, value: Number(r.n), summary: `${r.n} OOMs on ${r.host} within ${c.rule.window ?? '10m'}` }));
};

/** A campaign finished within the window: the completion notice (./campaign-notice.ts). */
const campaignFinished: RuleQuery = (c) => finishedCampaigns(c.storage, c.tenant, c.nowS, windowS(c.rule, '1h'));

export const RULE_QUERIES: Record<AlertRuleKind, RuleQuery> = {
  agent_silent: agentSilent,
  gpu_temperature: gpuTemperature,
  gpu_xid: gpuXid,
  disk_fill: diskFill,
  output_lost: outputLost,
  oom_storm: oomStorm,
  campaign_finished: campaignFinished,
};

/** Prometheus-style alert names per rule kind. */
export const RULE_ALERTNAMES: Record<AlertRuleKind, string> = {
  agent_silent: 'AgentSilent',
  gpu_temperature: 'GpuTemperatureHigh',
  gpu_xid: 'GpuXidError',
  disk_fill: 'DiskNearlyFull',
  output_lost: 'OutputLost',
  oom_storm: 'OomStorm',
  campaign_finished: 'CampaignFinished',
};

export function evaluateRule(storage: Storage, tenant: string, rule: AlertRuleSpec, nowMs: number): Promise<RuleInstance[]> {
  return RULE_QUERIES[rule.kind]({ storage, tenant, rule, nowS: Math.floor(nowMs / 1000) });
}
