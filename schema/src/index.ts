// Public API of @renderwatch/schema: named exports only (no `export *`).
export {
  CheckpointSavedEventSchema,
  ErrorEventSchema,
  JOB_OUTCOMES,
  JobEndEventSchema,
  JobStartEventSchema,
  MODEL_LOAD_MODES,
  MODEL_LOAD_SOURCES,
  ModelLoadEventSchema,
  ModelUnloadEventSchema,
  NodeCacheEventSchema,
  OOM_CAUSES,
  OomEventSchema,
  OutputWrittenEventSchema,
  ProgressEventSchema,
  QueueEventSchema,
  RUNTIME_EVENT_KINDS,
  RUNTIMES,
  RuntimeEventSchema,
  RuntimeNameSchema,
  RuntimeReadyEventSchema,
  RuntimeStartEventSchema,
  TrainingProgressEventSchema,
  TrainingResumedEventSchema,
} from './events.js';
export type {
  JobOutcome,
  OomCause,
  RuntimeEvent,
  RuntimeEventKind,
  RuntimeEventOf,
  RuntimeName,
} from './events.js';
export {
  CLOCK_EVENT_REASON_BITS,
  CLOCK_EVENT_REASONS,
  ClockEventReasonSchema,
  GpuProcessInfoSchema,
  GpuReadingSchema,
  POWER_REASON_MASK,
  THERMAL_REASON_MASK,
  decodeClockEventReasons,
  encodeClockEventReasons,
} from './gpu.js';
export type { ClockEventReason, GpuReading } from './gpu.js';
export {
  ApiErrorSchema,
  FleetGpuSchema,
  FleetHostSchema,
  FleetResponseSchema,
  TimeseriesQuerySchema,
  UtilizationPointSchema,
  UtilizationResponseSchema,
} from './api/fleet.js';
export type {
  ApiError,
  FleetGpu,
  FleetHost,
  FleetResponse,
  TimeseriesQuery,
  UtilizationPoint,
  UtilizationResponse,
} from './api/fleet.js';
