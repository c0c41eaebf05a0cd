// Public API of @renderwatch/proto: the generated wire types and the gRPC service definition.
// Generated code lives in ../gen and is never edited by hand (`pnpm gen` regenerates it).
export {
  CheckpointSaved,
  ExportRequest,
  ExportResponse,
  GpuProcess,
  GpuSample,
  GpuStatusEvent,
  HostIdentity,
  HostSample,
  JobEnd,
  JobStart,
  ModelLoad,
  ModelUnload,
  NodeCache,
  Oom,
  OutputWritten,
  Progress,
  Queue,
  RuntimeError,
  RuntimeEvent,
  RuntimeReady,
  RuntimeStart,
  TelemetryServiceClient,
  TelemetryServiceService,
  TrainingProgress,
  TrainingResumed,
  Volume,
} from '../gen/renderwatch/telemetry/v1/telemetry.js';
export type { TelemetryServiceServer } from '../gen/renderwatch/telemetry/v1/telemetry.js';
/** The writer the generated encode() takes (the agent subclasses it: agent/src/export/wire-writer.ts). */
export { BinaryWriter } from '@bufbuild/protobuf/wire';

/** The fully-qualified gRPC method path, for interceptors and logs. */
export const EXPORT_METHOD_PATH = '/renderwatch.telemetry.v1.TelemetryService/Export';
