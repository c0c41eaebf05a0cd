// Builds the OTLP metric exporter for the configured transport; the exporters come from the
// OpenTelemetry SDK. An option left undefined is read by the SDK from OTEL_EXPORTER_OTLP_* (otlp-plan.ts).
// Loaded only when OTLP is configured (otlp-from-config.ts imports it dynamically).
import { Metadata } from '@grpc/grpc-js';
import { OTLPMetricExporter as GrpcExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPMetricExporter as JsonExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';

import type { OtlpProtocol } from './otlp-plan.js';

export interface OtlpExporterOptions {
  /** Base endpoint (http: `http://host:4318`, `/v1/metrics` is appended; grpc: `http://host:4317`); undefined = from the environment. */
  endpoint?: string;
  protocol: OtlpProtocol;
  /** undefined = from OTEL_EXPORTER_OTLP_(METRICS_)HEADERS. */
  headers?: Readonly<Record<string, string>>;
  /** undefined = from OTEL_EXPORTER_OTLP_(METRICS_)TIMEOUT. */
  timeoutMs?: number;
}

/** The OTLP/HTTP metrics URL for a base endpoint, as the OTLP exporter spec derives it. */
export function httpMetricsUrl(endpoint: string): string {
  const base = endpoint.replace(/\/+$/, '');
  return base.endsWith('/v1/metrics') ? base : `${base}/v1/metrics`;
}

export function createOtlpExporter(o: OtlpExporterOptions): PushMetricExporter {
  const http = {
    ...(o.endpoint === undefined ? {} : { url: httpMetricsUrl(o.endpoint) }),
    ...(o.headers === undefined ? {} : { headers: { ...o.headers } }),
    ...(o.timeoutMs === undefined ? {} : { timeoutMillis: o.timeoutMs }),
  };
  switch (o.protocol) {
    case 'http/protobuf':
      return new ProtoExporter(http);
    case 'http/json':
      return new JsonExporter(http);
    case 'grpc': {
      let metadata: Metadata | undefined;
      if (o.headers !== undefined) {
        metadata = new Metadata();
        for (const [k, v] of Object.entries(o.headers)) metadata.set(k, v);
      }
      return new GrpcExporter({
        ...(o.endpoint === undefined ? {} : { url: o.endpoint }),
        ...(metadata === undefined ? {} : { metadata }),
        ...(o.timeoutMs === undefined ? {} : { timeoutMillis: o.timeoutMs }),
      });
    }
    default: {
      const never: never = o.protocol;
      throw new TypeError(`unknown OTLP protocol ${String(never)}`);
    }
  }
}
