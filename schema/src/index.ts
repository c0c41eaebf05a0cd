// Public API of @renderwatch/schema: named exports only (no `export *`).
export {
  CampaignEventSchema,
  CheckpointSavedEventSchema,
  COLD_LABELS,
  DOWNLOAD_SOURCES,
  ErrorEventSchema,
  FirstImageEventSchema,
  INTERRUPTION_KINDS,
  JOB_OUTCOMES,
  JobEndEventSchema,
  JobStartEventSchema,
  MODEL_LOAD_MODES,
  MODEL_LOAD_SOURCES,
  ModelDownloadEventSchema,
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
  ColdLabel,
  DownloadSource,
  JobOutcome,
  ModelLoadSource,
  OomCause,
  RuntimeEvent,
  RuntimeEventKind,
  RuntimeEventOf,
  RuntimeName,
} from './events.js';
export { OOM_ADVICE, OOM_CAUSE_LABELS, oomAdviceFor, oomCauseLabel } from './oom-advice.js';
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
  FleetSummaryQuerySchema,
  FleetSummaryResponseSchema,
  HeatmapQuerySchema,
  HeatmapResponseSchema,
  TimeseriesQuerySchema,
  UtilizationQuerySchema,
  UtilizationResponseSchema,
} from './api/fleet.js';
export type {
  ApiError,
  FleetGpu,
  FleetHost,
  FleetResponse,
  FleetSummaryQuery,
  FleetSummaryResponse,
  HeatmapQuery,
  HeatmapResponse,
  TimeseriesQuery,
  UtilizationQuery,
  UtilizationResponse,
} from './api/fleet.js';
export {
  ALERT_RULE_KINDS,
  AlertRuleKindSchema,
  AlertRuleSpecSchema,
  BurnWindowSchema,
  DurationSchema,
  SLI_KINDS,
  SLO_STATUSES,
  SliKindSchema,
  SloAlertSpecSchema,
  SloDetailResponseSchema,
  SloFileSchema,
  SloListResponseSchema,
  SloPointSchema,
  SloSelectorsSchema,
  SloSeriesQuerySchema,
  SloSpecSchema,
  SloStatusSchema,
  SloStatusValueSchema,
} from './api/slos.js';
export type {
  AlertRuleKind,
  AlertRuleSpec,
  BurnWindow,
  SliKind,
  SloAlertSpec,
  SloDetailResponse,
  SloFile,
  SloListResponse,
  SloPoint,
  SloSelectors,
  SloSeriesQuery,
  SloSpec,
  SloSpecInput,
  SloStatus,
  SloStatusValue,
} from './api/slos.js';
export {
  ALERT_SOURCES,
  ALERT_STATES,
  AlertAckRequestSchema,
  AlertAckResponseSchema,
  AlertHistoryResponseSchema,
  AlertListQuerySchema,
  AlertListResponseSchema,
  AlertSchema,
  AlertSourceSchema,
  AlertStateSchema,
  AlertTransitionSchema,
} from './api/alerts.js';
export type {
  Alert,
  AlertAckRequest,
  AlertAckResponse,
  AlertHistoryResponse,
  AlertListQuery,
  AlertListResponse,
  AlertSource,
  AlertState,
  AlertTransition,
} from './api/alerts.js';
export { AnsweredRangeSchema, CountByKeySchema, FilterValueSchema, GPU_TIERS_GB, RESOLUTIONS, RangeQuerySchema, ResolutionSchema } from './api/range.js';
export type { AnsweredRange, CountByKey, RangeQuery, Resolution } from './api/range.js';
export {
  EventMarkerSchema,
  fromSeriesColumns,
  GPU_SERIES_FIELDS,
  GpuProcessRowSchema,
  GpuSeriesColumnsSchema,
  GpuSeriesPointSchema,
  GpuSeriesSchema,
  HOST_SERIES_FIELDS,
  HostParamsSchema,
  HostSeriesColumnsSchema,
  HostSeriesPointSchema,
  HostSeriesQuerySchema,
  HostSeriesResponseSchema,
  seriesTimes,
  THROTTLE_BAND_REASONS,
  ThrottleBandSchema,
  toSeriesColumns,
} from './api/hosts.js';
export type {
  EventMarker,
  GpuProcessRow,
  GpuSeries,
  GpuSeriesColumns,
  GpuSeriesPoint,
  HostParams,
  HostSeriesColumns,
  HostSeriesPoint,
  HostSeriesQuery,
  HostSeriesResponse,
  ThrottleBand,
} from './api/hosts.js';
export { EventFieldValueSchema, EventListQuerySchema, EventListResponseSchema, EventRowSchema } from './api/event-list.js';
export type { EventListQuery, EventListResponse, EventRow } from './api/event-list.js';
export { OomAdviceSchema, OomQuerySchema, OomResponseSchema, OomRowSchema } from './api/ooms.js';
export type { OomAdvice, OomQuery, OomResponse, OomRow } from './api/ooms.js';
export {
  SLOWDOWN_REASONS,
  SlowdownHostSchema,
  SlowdownQuerySchema,
  SlowdownReasonSchema,
  SlowdownResponseSchema,
  SlowdownWindowSchema,
} from './api/slowdowns.js';
export type { SlowdownHost, SlowdownQuery, SlowdownReason, SlowdownResponse, SlowdownWindow } from './api/slowdowns.js';
export { CapacityGpuModelSchema, CapacityQuerySchema, CapacityResponseSchema, CapacityWorkloadSchema } from './api/capacity.js';
export type { CapacityGpuModel, CapacityQuery, CapacityResponse, CapacityWorkload } from './api/capacity.js';
export {
  API_ROLES,
  ApiKeyIdParamsSchema,
  ApiKeyInfoSchema,
  ApiKeyListResponseSchema,
  ApiRoleSchema,
  CreateApiKeyRequestSchema,
  CreateApiKeyResponseSchema,
  WhoAmIResponseSchema,
} from './api/keys.js';
export type { ApiKeyInfo, ApiKeyListResponse, ApiRole, CreateApiKeyRequest, CreateApiKeyResponse, WhoAmIResponse } from './api/keys.js';
export { JobStatsQuerySchema, JobStatsResponseSchema, JobStatsRowSchema } from './api/jobs.js';
export {
  CAMPAIGN_COST_UNKNOWN,
  CAMPAIGN_LABEL_MAX,
  CAMPAIGN_PATHS,
  CAMPAIGN_SOURCES,
  CAMPAIGN_STATUSES,
  CampaignDetailCostSchema,
  CampaignDetailSchema,
  CampaignIdParamsSchema,
  CampaignInterruptionSchema,
  CampaignSourceSchema,
  CampaignStatusSchema,
  CampaignSummarySchema,
  CampaignsQuerySchema,
  CampaignsResponseSchema,
  InterruptionKindSchema,
  WorkflowCacheQuerySchema,
  WorkflowCacheResponseSchema,
  WorkflowCacheRowSchema,
} from './api/campaigns.js';
export type {
  CampaignDetail,
  CampaignDetailCost,
  CampaignIdParams,
  CampaignInterruption,
  CampaignSource,
  CampaignStatus,
  CampaignSummary,
  CampaignsQuery,
  CampaignsResponse,
  InterruptionKind,
  WorkflowCacheQuery,
  WorkflowCacheResponse,
  WorkflowCacheRow,
} from './api/campaigns.js';
export type { JobStatsQuery, JobStatsResponse, JobStatsRow } from './api/jobs.js';
export {
  StartDistributionSchema,
  StartReadyDistributionSchema,
  StartsGroupSchema,
  StartsHostSchema,
  StartsQuerySchema,
  StartsResponseSchema,
} from './api/starts.js';
export type { StartDistribution, StartReadyDistribution, StartsGroup, StartsHost, StartsQuery, StartsResponse } from './api/starts.js';
export { ColdLabelSchema, FirstImagesGroupSchema, FirstImageStartSchema, FirstImagesQuerySchema, FirstImagesResponseSchema } from './api/first-images.js';
export type { FirstImagesGroup, FirstImageStart, FirstImagesQuery, FirstImagesResponse } from './api/first-images.js';
export {
  COST_GROUPINGS,
  CostCampaignSchema,
  emptyCostTotals,
  CostGpuModelSchema,
  CostHostSchema,
  CostQuerySchema,
  CostResponseSchema,
  CostTotalsSchema,
} from './api/cost.js';
export type { CostCampaign, CostGpuModel, CostHost, CostQuery, CostResponse, CostTotals } from './api/cost.js';
export { ModelHashSeenSchema, VersionPeriodSchema, VersionsHostSchema, VersionsQuerySchema, VersionsResponseSchema } from './api/versions.js';
export type { ModelHashSeen, VersionPeriod, VersionsHost, VersionsQuery, VersionsResponse } from './api/versions.js';
export {
  ALERT_SEVERITIES,
  AlertSeveritySchema,
  DEFAULT_DISK_FILL_ROLES,
  LEGACY_SEVERITIES,
  normalizeVolumeRole,
  SLO_BURN_SEVERITY,
  VOLUME_ROLES,
  VolumeRoleInputSchema,
  VolumeRoleSchema,
} from './vocabulary.js';
export type { AlertSeverity, VolumeRole } from './vocabulary.js';
