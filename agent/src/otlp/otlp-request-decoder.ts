// Test support: decodes an OTLP ExportMetricsServiceRequest (opentelemetry-proto
// collector/metrics/v1) from protobuf bytes, enough to check names, units, attributes and values of
// gauges, sums and histograms. A receiver in a test uses it; the agent itself never decodes OTLP.

type AttrValue = string | number | boolean;
export type DecodedAttributes = Record<string, AttrValue>;

export interface DecodedPoint {
  attributes: DecodedAttributes;
  value?: number;
  count?: number;
  sum?: number;
  bucketCounts?: number[];
  explicitBounds?: number[];
}

export interface DecodedMetric {
  name: string;
  description: string;
  unit: string;
  kind: 'gauge' | 'sum' | 'histogram' | 'other';
  monotonic?: boolean;
  points: DecodedPoint[];
}

export interface DecodedResourceMetrics {
  resource: DecodedAttributes;
  scopes: { name: string; version: string; metrics: DecodedMetric[] }[];
}

interface Field {
  no: number;
  wire: number;
  varint: bigint;
  bytes: Uint8Array;
}

function* fields(buf: Uint8Array): Generator<Field> {
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = buf[pos++];
      if (b === undefined) throw new RangeError('truncated varint');
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
    }
  };
  while (pos < buf.length) {
    const tag = Number(varint());
    const no = tag >>> 3;
    const wire = tag & 7;
    if (wire === 0) yield { no, wire, varint: varint(), bytes: new Uint8Array() };
    else if (wire === 1 || wire === 5) {
      const n = wire === 1 ? 8 : 4;
      yield { no, wire, varint: 0n, bytes: buf.subarray(pos, pos + n) };
      pos += n;
    } else if (wire === 2) {
      const n = Number(varint());
      yield { no, wire, varint: 0n, bytes: buf.subarray(pos, pos + n) };
      pos += n;
    } else throw new RangeError(`unsupported wire type ${wire}`);
  }
}

const text = (b: Uint8Array): string => new TextDecoder().decode(b);
const view = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);
const f64 = (b: Uint8Array): number => view(b).getFloat64(0, true);
const u64 = (b: Uint8Array): number => Number(view(b).getBigUint64(0, true));
const i64 = (b: Uint8Array): number => Number(view(b).getBigInt64(0, true));
const signed = (v: bigint): number => Number(BigInt.asIntN(64, v));

function packed(b: Uint8Array, read: (x: Uint8Array) => number): number[] {
  const out: number[] = [];
  for (let i = 0; i + 8 <= b.length; i += 8) out.push(read(b.subarray(i, i + 8)));
  return out;
}

function anyValue(b: Uint8Array): AttrValue | undefined {
  for (const f of fields(b)) {
    if (f.no === 1) return text(f.bytes);
    if (f.no === 2) return f.varint !== 0n;
    if (f.no === 3) return signed(f.varint);
    if (f.no === 4) return f64(f.bytes);
  }
  return undefined;
}

function keyValue(b: Uint8Array, into: DecodedAttributes): void {
  let key = '';
  let value: AttrValue | undefined;
  for (const f of fields(b)) {
    if (f.no === 1) key = text(f.bytes);
    else if (f.no === 2) value = anyValue(f.bytes);
  }
  if (value !== undefined) into[key] = value;
}

function numberPoint(b: Uint8Array): DecodedPoint {
  const p: DecodedPoint = { attributes: {} };
  for (const f of fields(b)) {
    if (f.no === 7) keyValue(f.bytes, p.attributes);
    else if (f.no === 4) p.value = f64(f.bytes);
    else if (f.no === 6) p.value = i64(f.bytes);
  }
  return p;
}

function histogramPoint(b: Uint8Array): DecodedPoint {
  const p: DecodedPoint = { attributes: {}, bucketCounts: [], explicitBounds: [] };
  for (const f of fields(b)) {
    if (f.no === 9) keyValue(f.bytes, p.attributes);
    else if (f.no === 4) p.count = u64(f.bytes);
    else if (f.no === 5) p.sum = f64(f.bytes);
    else if (f.no === 6) p.bucketCounts = f.wire === 2 ? packed(f.bytes, u64) : [...(p.bucketCounts ?? []), u64(f.bytes)];
    else if (f.no === 7) p.explicitBounds = f.wire === 2 ? packed(f.bytes, f64) : [...(p.explicitBounds ?? []), f64(f.bytes)];
  }
  return p;
}

function metric(b: Uint8Array): DecodedMetric {
  const m: DecodedMetric = { name: '', description: '', unit: '', kind: 'other', points: [] };
  for (const f of fields(b)) {
    if (f.no === 1) m.name = text(f.bytes);
    else if (f.no === 2) m.description = text(f.bytes);
    else if (f.no === 3) m.unit = text(f.bytes);
    else if (f.no === 5 || f.no === 7 || f.no === 9) {
      m.kind = f.no === 5 ? 'gauge' : f.no === 7 ? 'sum' : 'histogram';
      if (f.no === 7) m.monotonic = false; // proto3 leaves a false bool off the wire
      for (const d of fields(f.bytes)) {
        if (d.no === 1) m.points.push(f.no === 9 ? histogramPoint(d.bytes) : numberPoint(d.bytes));
        else if (d.no === 3 && f.no === 7) m.monotonic = d.varint !== 0n;
      }
    }
  }
  return m;
}

/** Decodes the body of an OTLP/HTTP protobuf or OTLP/gRPC metrics export. */
export function decodeExportMetricsRequest(body: Uint8Array): DecodedResourceMetrics[] {
  const out: DecodedResourceMetrics[] = [];
  for (const rm of fields(body)) {
    if (rm.no !== 1) continue;
    const r: DecodedResourceMetrics = { resource: {}, scopes: [] };
    for (const f of fields(rm.bytes)) {
      if (f.no === 1) {
        for (const a of fields(f.bytes)) if (a.no === 1) keyValue(a.bytes, r.resource);
      } else if (f.no === 2) {
        const scope = { name: '', version: '', metrics: [] as DecodedMetric[] };
        for (const s of fields(f.bytes)) {
          if (s.no === 1) {
            for (const x of fields(s.bytes)) {
              if (x.no === 1) scope.name = text(x.bytes);
              else if (x.no === 2) scope.version = text(x.bytes);
            }
          } else if (s.no === 2) scope.metrics.push(metric(s.bytes));
        }
        r.scopes.push(scope);
      }
    }
    out.push(r);
  }
  return out;
}

interface JsonKeyValue {
  key: string;
  value?: { stringValue?: string; boolValue?: boolean; intValue?: number | string; doubleValue?: number };
}
interface JsonPoint {
  attributes?: JsonKeyValue[];
  asDouble?: number;
  asInt?: number | string;
  count?: number | string;
  sum?: number;
  bucketCounts?: (number | string)[];
  explicitBounds?: number[];
}
interface JsonMetric {
  name: string;
  description?: string;
  unit?: string;
  gauge?: { dataPoints: JsonPoint[] };
  sum?: { dataPoints: JsonPoint[]; isMonotonic?: boolean };
  histogram?: { dataPoints: JsonPoint[] };
}
interface JsonRequest {
  resourceMetrics?: { resource?: { attributes?: JsonKeyValue[] }; scopeMetrics?: { scope?: { name?: string; version?: string }; metrics?: JsonMetric[] }[] }[];
}

function jsonAttributes(list: JsonKeyValue[] | undefined): DecodedAttributes {
  const out: DecodedAttributes = {};
  for (const kv of list ?? []) {
    const v = kv.value ?? {};
    const value = v.stringValue ?? v.boolValue ?? (v.intValue === undefined ? undefined : Number(v.intValue)) ?? v.doubleValue;
    if (value !== undefined) out[kv.key] = value;
  }
  return out;
}

function jsonPoint(p: JsonPoint): DecodedPoint {
  const out: DecodedPoint = { attributes: jsonAttributes(p.attributes) };
  if (p.asDouble !== undefined) out.value = p.asDouble;
  else if (p.asInt !== undefined) out.value = Number(p.asInt);
  if (p.count !== undefined) {
    out.count = Number(p.count);
    out.sum = p.sum;
    out.bucketCounts = (p.bucketCounts ?? []).map(Number);
    out.explicitBounds = p.explicitBounds ?? [];
  }
  return out;
}

/** The same view of an OTLP/HTTP JSON metrics export (protocol http/json). */
export function decodeJsonExportMetricsRequest(body: unknown): DecodedResourceMetrics[] {
  return ((body as JsonRequest).resourceMetrics ?? []).map((rm) => ({
    resource: jsonAttributes(rm.resource?.attributes),
    scopes: (rm.scopeMetrics ?? []).map((s) => ({
      name: s.scope?.name ?? '',
      version: s.scope?.version ?? '',
      metrics: (s.metrics ?? []).map((m): DecodedMetric => {
        const kind = m.gauge !== undefined ? 'gauge' : m.sum !== undefined ? 'sum' : m.histogram !== undefined ? 'histogram' : 'other';
        const points = (m.gauge ?? m.sum ?? m.histogram)?.dataPoints ?? [];
        return {
          name: m.name,
          description: m.description ?? '',
          unit: m.unit ?? '',
          kind,
          ...(m.sum === undefined ? {} : { monotonic: m.sum.isMonotonic === true }),
          points: points.map(jsonPoint),
        };
      }),
    })),
  }));
}
