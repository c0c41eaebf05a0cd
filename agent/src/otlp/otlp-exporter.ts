// Builds the OTLP metric exporter for the configured transport. Pure option handling lives here
// (tested); the exporters themselves come from the OpenTelemetry SDK.
import { Metadata } from '@grpc/grpc-js';
import { OTLPMetricExporter as GrpcExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPMetricExporter as JsonExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';

export const OTLP_PROTOCOLS = ['http/protobuf', 'http/json', 'grpc'] as const;
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];

export interface OtlpExporterOptions {
  /** Base endpoint (http: `http://host:4318`, `/v1/metrics` is appended; grpc: `http://host:4317`). */
  endpoint: string;
  protocol: OtlpProtocol;
  headers?: Readonly<Record<string, string>>;
  timeoutMs: number;
}

/** `a=1,b=two` → { a: '1', b: 'two' }; entries without `=` or with an empty key are dropped. */
export function parseOtlpHeaders(list: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of list.split(',')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    const key = part.slice(0, i).trim();
    const value = part.slice(i + 1).trim();
    if (key !== '') out[key] = decodeURIComponent(value);
  }
  return out;
}

/** The OTLP/HTTP metrics URL for a base endpoint, as the OTLP exporter spec derives it. */
export function httpMetricsUrl(endpoint: string): string {
  const base = endpoint.replace(/\/+$/, '');
  return base.endsWith('/v1/metrics') ? base : `${base}/v1/metrics`;
}

export function createOtlpExporter(o: OtlpExporterOptions): PushMetricExporter {
  const headers = { ...o.headers };
  switch (o.protocol) {
    case 'http/protobuf':
      return new ProtoExporter({ url: httpMetricsUrl(o.endpoint), headers, timeoutMillis: o.timeoutMs });
    case 'http/json':
      return new JsonExporter({ url: httpMetricsUrl(o.endpoint), headers, timeoutMillis: o.timeoutMs });
    case 'grpc': {
      const metadata = new Metadata();
      for (const [k, v] of Object.entries(headers)) metadata.set(k, v);
      return new GrpcExporter({ url: o.endpoint, metadata, timeoutMillis: o.timeoutMs });
    }
    default: {
      const never: never = o.protocol;
      throw new TypeError(`unknown OTLP protocol ${String(never)}`);
    }
  }
}
