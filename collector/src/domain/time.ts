// Time helpers shared by storage, the API queries and the SLO code (collector/src/domain: what
// several layers need and none owns; storage and slo import it, never each other for it).
/** Splits unix ms into the `ts DateTime` text and `ts_ms UInt16` columns used by every table. */
export function splitTs(unixMs: number): { ts: string; ts_ms: number } {
  const d = new Date(unixMs);
  const iso = d.toISOString();
  return { ts: `${iso.slice(0, 10)} ${iso.slice(11, 19)}`, ts_ms: d.getUTCMilliseconds() };
}

/** Parses the `YYYY-MM-DD hh:mm:ss` text ClickHouse returns for DateTime('UTC') into ISO-8601. */
export function chDateTimeToIso(s: string): string {
  return `${s.replace(' ', 'T')}Z`;
}
