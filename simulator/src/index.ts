// Public API of @renderwatch/simulator.
export { createSimulatedFleet, fleetSpecs } from './fleet.js';
export type { FleetStats, SimulatedFleet, SimulatedFleetOptions } from './fleet.js';
export { GPU_PROFILES } from './gpu-profiles.js';
export type { GpuProfile } from './gpu-profiles.js';
export { createRng } from './rng.js';
export { createVirtualHost } from './virtual-host.js';
export type { HostTick, VirtualHost, VirtualHostSpec } from './virtual-host.js';
export { WORKLOADS } from './workloads.js';
export type { Workload } from './workloads.js';
export { demoFleetSpecs, demoLiveSpecs, RTX_5090, storyAt } from './demo-fleet.js';
export type { DemoHostSpec, HostStory, ModelSwap, Upgrade } from './demo-fleet.js';
export { generateChunk } from './history.js';
export type { ChunkRequest, HistoryChunk, HistorySample } from './history.js';
export { fillHistory } from './history-fill.js';
export type { HistoryFillOptions, HistoryProgress } from './history-fill.js';
export { OOM_SHAPES, oomEvent } from './history-ooms.js';
