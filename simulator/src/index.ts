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
