// An OTLP metrics receiver built from the official OTLP protos (opentelemetry-proto): the protobufjs
// static module that `@opentelemetry/otlp-transformer@0.52.1` generated from them
// (`build/src/generated/root.js`, installed as the dev dependency `otlp-official-protos`). No
// otelcol binary is available here, so this is the independent check of what the agent sends:
// OTLP/HTTP protobuf on /v1/metrics and OTLP/gRPC MetricsService/Export, both on 127.0.0.1:0.
import { Server, ServerCredentials, type ServiceDefinition } from '@grpc/grpc-js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import root from 'otlp-official-protos/build/src/generated/root.js';

type AnyValue = { stringValue?: string; boolValue?: boolean; intValue?: number; doubleValue?: number };
type KeyValue = { key: string; value?: AnyValue };
interface NumberPoint {
  attributes?: KeyValue[];
  asDouble?: number;
  asInt?: number;
}
interface OfficialMetric {
  name: string;
  unit?: string;
  gauge?: { dataPoints?: NumberPoint[] };
  sum?: { dataPoints?: NumberPoint[]; isMonotonic?: boolean; aggregationTemporality?: string };
  histogram?: { dataPoints?: { attributes?: KeyValue[]; count?: number; sum?: number }[] };
}
interface OfficialRequest {
  resourceMetrics?: { resource?: { attributes?: KeyValue[] }; scopeMetrics?: { metrics?: OfficialMetric[] }[] }[];
}

export interface ReceivedPoint {
  attributes: Record<string, string | number | boolean>;
  value?: number;
}
export interface ReceivedMetric {
  unit: string;
  kind: 'gauge' | 'sum' | 'histogram' | 'other';
  monotonic?: boolean;
  points: ReceivedPoint[];
}
export interface ReceivedExport {
  headers: Record<string, string | string[] | undefined>;
  resource: Record<string, string | number | boolean>;
  metrics: Map<string, ReceivedMetric>;
}

/** The two generated message classes used here (root.d.ts types the module as a bare protobufjs Root). */
interface MessageClass {
  decode(bytes: Uint8Array): unknown;
  toObject(message: unknown, options: { longs: NumberConstructor; enums: StringConstructor }): unknown;
  create(properties: object): unknown;
  encode(message: unknown): { finish(): Uint8Array };
}
interface OfficialRoot {
  opentelemetry: { proto: { collector: { metrics: { v1: { ExportMetricsServiceRequest: MessageClass; ExportMetricsServiceResponse: MessageClass } } } } };
}
const v1 = (root as unknown as OfficialRoot).opentelemetry.proto.collector.metrics.v1;
const Request = v1.ExportMetricsServiceRequest;
const Response = v1.ExportMetricsServiceResponse;

function attrs(kvs: KeyValue[] | undefined): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const kv of kvs ?? []) {
    const v = kv.value ?? {};
    const x = v.stringValue ?? v.boolValue ?? v.intValue ?? v.doubleValue;
    if (x !== undefined) out[kv.key] = x;
  }
  return out;
}

/** Decodes one ExportMetricsServiceRequest with the official message types. */
export function decodeOfficial(bytes: Uint8Array, headers: ReceivedExport['headers'] = {}): ReceivedExport {
  const msg = Request.toObject(Request.decode(bytes), { longs: Number, enums: String }) as OfficialRequest;
  const metrics = new Map<string, ReceivedMetric>();
  let resource: ReceivedExport['resource'] = {};
  for (const rm of msg.resourceMetrics ?? []) {
    resource = attrs(rm.resource?.attributes);
    for (const sm of rm.scopeMetrics ?? []) {
      for (const m of sm.metrics ?? []) {
        const num = (p: NumberPoint): ReceivedPoint => ({ attributes: attrs(p.attributes), value: p.asDouble ?? p.asInt });
        const metric: ReceivedMetric =
          m.gauge !== undefined
            ? { unit: m.unit ?? '', kind: 'gauge', points: (m.gauge.dataPoints ?? []).map(num) }
            : m.sum !== undefined
              ? { unit: m.unit ?? '', kind: 'sum', monotonic: m.sum.isMonotonic === true, points: (m.sum.dataPoints ?? []).map(num) }
              : m.histogram !== undefined
                ? {
                    unit: m.unit ?? '',
                    kind: 'histogram',
                    points: (m.histogram.dataPoints ?? []).map((p) => ({ attributes: attrs(p.attributes), value: p.count })),
                  }
                : { unit: m.unit ?? '', kind: 'other', points: [] };
        metrics.set(m.name, metric);
      }
    }
  }
  return { headers, resource, metrics };
}

export interface OfficialReceiver {
  readonly url: string;
  readonly exports: ReceivedExport[];
  close(): Promise<void>;
}

/** OTLP/HTTP (application/x-protobuf) on /v1/metrics. */
export async function startOfficialHttpReceiver(): Promise<OfficialReceiver> {
  const exports: ReceivedExport[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url !== '/v1/metrics' || req.headers['content-type'] !== 'application/x-protobuf') {
        res.writeHead(415).end();
        return;
      }
      exports.push(decodeOfficial(Buffer.concat(chunks), req.headers));
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end(Buffer.from(Response.encode(Response.create({})).finish()));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, exports, close: () => new Promise((r) => server.close(() => r())) };
}

/** OTLP/gRPC: opentelemetry.proto.collector.metrics.v1.MetricsService/Export. */
export async function startOfficialGrpcReceiver(): Promise<OfficialReceiver> {
  const exports: ReceivedExport[] = [];
  const server = new Server();
  const definition: ServiceDefinition = {
    Export: {
      path: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
      requestStream: false,
      responseStream: false,
      requestDeserialize: (b: Buffer) => b,
      requestSerialize: (b: Buffer) => b,
      responseSerialize: () => Buffer.from(Response.encode(Response.create({})).finish()),
      responseDeserialize: (b: Buffer) => b,
    },
  };
  server.addService(definition, {
    Export: (call: { request: Buffer; metadata: { getMap(): Record<string, unknown> } }, cb: (err: null, res: Buffer) => void) => {
      exports.push(decodeOfficial(call.request, call.metadata.getMap() as ReceivedExport['headers']));
      cb(null, Buffer.alloc(0));
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return { url: `http://127.0.0.1:${port}`, exports, close: () => new Promise((r) => server.tryShutdown(() => r())) };
}
