// The preemption notice as an event source: polls the provider's probe (preemption-providers.ts)
// every `pollMs` and, on the first notice, emits one host-level `campaign` event with
// `interruption: 'preemption'` and campaign id `*` (every campaign running on this host); the
// collector records it on each campaign that was running there then (docs/signals.md
// "Preemption"). A notice stays up until the VM goes: it is sent once. Probe failures are counted
// (`runtime_api` sample errors) and logged once; the daemon goes on.
import type { RuntimeEvent } from '@renderwatch/schema';
import type { EventSource } from '../agent.js';
import { detectProvider, probeFor, type PreemptionProbe, type PreemptionProvider } from './preemption-providers.js';
import { createPollTimer } from './poll-timer.js';

/** The campaign id of a host-level notice: every campaign running on the host. */
export const ALL_CAMPAIGNS = '*';

export interface PreemptionSourceOptions {
  readonly probe: PreemptionProbe;
  readonly provider: PreemptionProvider;
  readonly pollMs: number;
  readonly log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
  readonly counter?: { inc(source: string): void };
  readonly now?: () => number;
}

export interface PreemptionSource extends EventSource {
  /** One probe now (tests, and the timer's body); the events emitted. */
  pollOnce(): Promise<RuntimeEvent[]>;
}

export function createPreemptionSource(o: PreemptionSourceOptions): PreemptionSource {
  const now = o.now ?? Date.now;
  let emit: ((e: RuntimeEvent, observedAtMs: number) => void) | undefined;
  let noticed = false;
  let failureLogged = false;
  let inflight: Promise<RuntimeEvent[]> | undefined;

  /** One probe at a time: a call during one waits for it, then probes again. */
  async function pollOnce(): Promise<RuntimeEvent[]> {
    for (let p = inflight; p !== undefined; p = inflight) await p;
    if (noticed) return [];
    inflight = probeOnce();
    try {
      return await inflight;
    } finally {
      inflight = undefined;
    }
  }

  async function probeOnce(): Promise<RuntimeEvent[]> {
    const n = await o.probe();
    if (n === undefined) {
      o.counter?.inc('runtime_api');
      if (!failureLogged) {
        failureLogged = true;
        o.log.warn({ provider: o.provider }, 'preemption probe got no answer from the metadata service (counted; logged once)');
      }
      return [];
    }
    if (n === null) return [];
    noticed = true;
    const at = now();
    o.log.warn({ provider: n.provider, notice: n.detail }, 'cloud preemption notice: running campaigns interrupted');
    const e: RuntimeEvent = { kind: 'campaign', runtime: 'host', ts: new Date(at).toISOString(), campaign_id: ALL_CAMPAIGNS, interruption: 'preemption' };
    try {
      emit?.(e, at);
    } catch (err: unknown) {
      o.log.warn({ err }, 'preemption event handler failed');
    }
    return [e];
  }

  const timer = createPollTimer(o.pollMs, pollOnce);
  return {
    pollOnce,
    start(e) {
      emit = e;
      timer.start();
    },
    stop: () => timer.stop(),
  };
}

export interface PreemptionConfig {
  AGENT_PREEMPTION_PROBE: 'auto' | 'off' | PreemptionProvider;
  AGENT_PREEMPTION_POLL_MS: number;
  AGENT_PREEMPTION_METADATA_URL?: string | undefined;
}

/** The configured (or DMI-detected) probe as the daemon's event sources: none when off or not a known cloud VM. */
export function buildPreemptionSources(
  cfg: PreemptionConfig,
  log: PreemptionSourceOptions['log'],
  counter?: PreemptionSourceOptions['counter'],
  dmiDir?: string,
): PreemptionSource[] {
  const provider =
    cfg.AGENT_PREEMPTION_PROBE === 'off' ? undefined : cfg.AGENT_PREEMPTION_PROBE === 'auto' ? detectProvider(dmiDir) : cfg.AGENT_PREEMPTION_PROBE;
  if (provider === undefined) return [];
  log.info({ provider, pollMs: cfg.AGENT_PREEMPTION_POLL_MS }, 'watching for cloud preemption notices');
  const probe = probeFor(provider, cfg.AGENT_PREEMPTION_METADATA_URL, Math.min(2000, cfg.AGENT_PREEMPTION_POLL_MS));
  return [createPreemptionSource({ probe, provider, pollMs: cfg.AGENT_PREEMPTION_POLL_MS, log, ...(counter === undefined ? {} : { counter }) })];
}
