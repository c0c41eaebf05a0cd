// Bytes the host read from its disks and received on the network during a time window, from the
// host sampler's rates (docs/signals.md "Cold and warm"). A sample at time t with rate r stands for
// (previous sample's t, t]. A window not wholly covered by samples has no answer (undefined):
// missing evidence is not zero.

export interface HostRates {
  readonly ts_unix_ms: number;
  readonly disk_read_bytes_per_s?: number;
  readonly net_rx_bytes_per_s?: number;
}

export interface WindowBytes {
  readonly diskReadBytes?: number;
  readonly netRxBytes?: number;
}

/** Keeps the last samples (oldest first) and integrates their rates over a window. */
export class HostHistory {
  private readonly samples: HostRates[] = [];

  constructor(private readonly keepMs = 2 * 3600_000) {}

  add(s: HostRates): void {
    const last = this.samples.at(-1);
    if (last !== undefined && s.ts_unix_ms <= last.ts_unix_ms) return;
    this.samples.push(s);
    const cut = s.ts_unix_ms - this.keepMs;
    while (this.samples.length > 2 && (this.samples[1]?.ts_unix_ms ?? Infinity) < cut) this.samples.shift();
  }

  /** Time of the newest sample (undefined before the first). */
  latestMs(): number | undefined {
    return this.samples.at(-1)?.ts_unix_ms;
  }

  bytes(fromMs: number, toMs: number): WindowBytes {
    return { diskReadBytes: this.integrate(fromMs, toMs, 'disk_read_bytes_per_s'), netRxBytes: this.integrate(fromMs, toMs, 'net_rx_bytes_per_s') };
  }

  private integrate(fromMs: number, toMs: number, key: 'disk_read_bytes_per_s' | 'net_rx_bytes_per_s'): number | undefined {
    if (!(toMs > fromMs)) return undefined;
    let covered = 0;
    let bytes = 0;
    for (let i = 1; i < this.samples.length; i++) {
      const a = (this.samples[i - 1] as HostRates).ts_unix_ms;
      const s = this.samples[i] as HostRates;
      const lo = Math.max(a, fromMs);
      const hi = Math.min(s.ts_unix_ms, toMs);
      if (hi <= lo) continue;
      const rate = s[key];
      if (rate === undefined) return undefined;
      covered += hi - lo;
      bytes += (rate * (hi - lo)) / 1000;
    }
    return covered >= toMs - fromMs - 1 ? Math.round(bytes) : undefined;
  }
}
