// Public API of @renderwatch/collector for tests, the demo and benchmarks.
export { buildApp } from './app.js';
export type { App, AppDeps } from './app.js';
export { startCollector, storageOptions, waitForClickHouse } from './collector.js';
export type { RunningCollector } from './collector.js';
export { CollectorConfigSchema, parseCollectorConfig } from './config.js';
export type { CollectorConfig } from './config.js';
export { AppError, COLLECTOR_ERRORS } from './errors.js';
export { createStorage, ensureDatabase } from './storage/clickhouse.js';
export type { Storage, StorageOptions } from './storage/clickhouse.js';
export { loadMigrations, migrate } from './storage/migrate.js';
export { refreshCapacity } from './storage/capacity-rollup.js';
export { raw, sql } from './storage/sql.js';
export { verifyWebhookSignature, SIGNATURE_HEADER } from './alerts/notifiers/webhook.js';
export { ruleCandidate, sloCandidates } from './alerts/candidates.js';
export { parseSloFile } from './slo/slo-file.js';
export type { AlertEngine, TickResult } from './alerts/engine.js';
