import { collectDefaultMetrics, Counter, Registry } from 'prom-client';

/** The collector's own health metrics, served at /metrics. Labels are bounded enums. */
export interface CollectorMetrics {
  readonly registry: Registry;
  readonly exports: Counter<'outcome'>;
  readonly rows: Counter;
  /** gRPC calls refused by the gate before their message was read (grpc/export-gate.ts). */
  readonly grpcRefused: Counter<'reason'>;
  /** gRPC calls (and connections, `no_preface`) refused by grpc-js itself, by reason (grpc/transport-refusals.ts). */
  readonly grpcTransportRefused: Counter<'reason'>;
  /** Bytes of gRPC messages decoded (after the gate let their call in). */
  readonly grpcDecodedBytes: Counter;
  /** Ingested values rejected by their physical range (ingest/validate.ts), by field and reason. */
  readonly valuesRejected: Counter<'field' | 'reason'>;
}

export function createCollectorMetrics(): CollectorMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'renderwatch_collector_' });
  // prom-client's active-handle gauges end in _total and fail `promtool check metrics` (docs/toolchain.md).
  for (const name of ['active_handles_total', 'active_requests_total', 'active_resources_total']) {
    registry.removeSingleMetric(`renderwatch_collector_nodejs_${name}`);
  }
  return {
    registry,
    exports: new Counter({
      name: 'renderwatch_collector_exports_total',
      help: 'Export calls by outcome (ok, duplicate, rejected, failed)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    rows: new Counter({ name: 'renderwatch_collector_rows_ingested_total', help: 'Rows written to ClickHouse', registers: [registry] }),
    grpcRefused: new Counter({
      name: 'renderwatch_collector_grpc_refused_before_read_total',
      help: 'gRPC calls refused before their message was read or decoded, by reason (unauthenticated, connection_bytes, global_bytes)',
      labelNames: ['reason'],
      registers: [registry],
    }),
    grpcTransportRefused: new Counter({
      name: 'renderwatch_collector_grpc_transport_refused_total',
      help: 'gRPC calls refused below the service by reason (too_large, inflated_too_large, bad_compression, unsupported_encoding, incomplete_message, extra_message, bad_timeout, deadline) and connections closed without an HTTP/2 preface (no_preface) or for resetting too many streams (rapid_reset)',
      labelNames: ['reason'],
      registers: [registry],
    }),
    valuesRejected: new Counter({
      name: 'renderwatch_collector_ingest_values_rejected_total',
      help: 'Ingested values (or rows, for an impossible GPU index or uuid) rejected by field and reason (out_of_range, not_finite, too_long, over_limit); docs/ingest-limits.md',
      labelNames: ['field', 'reason'],
      registers: [registry],
    }),
    grpcDecodedBytes: new Counter({
      name: 'renderwatch_collector_grpc_decoded_bytes_total',
      help: 'Bytes of gRPC messages decoded (only calls that passed the token check are read)',
      registers: [registry],
    }),
  };
}
