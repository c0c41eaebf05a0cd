// GPU models of the simulated fleet, with the limits recorded in the project's nvidia-smi fixtures
// (agent/test/fixtures/nvidia-smi, see its SOURCES.md): memory total, power limit, max SM clock.
export interface GpuProfile {
  name: string;
  memory_total_bytes: number;
  power_limit_watts: number;
  idle_watts: number;
  sm_clock_max_mhz: number;
  memory_clock_mhz: number;
  /** Temperature the card settles at under full load with normal cooling. */
  load_celsius: number;
}

const MiB = 1024 * 1024;

export const GPU_PROFILES: readonly GpuProfile[] = [
  {
    name: 'NVIDIA H100 80GB HBM3',
    memory_total_bytes: 81559 * MiB,
    power_limit_watts: 700,
    idle_watts: 70,
    sm_clock_max_mhz: 1980,
    memory_clock_mhz: 2619,
    load_celsius: 62,
  },
  {
    name: 'NVIDIA L40S',
    memory_total_bytes: 46068 * MiB,
    power_limit_watts: 350,
    idle_watts: 35,
    sm_clock_max_mhz: 2520,
    memory_clock_mhz: 9001,
    load_celsius: 71,
  },
  {
    name: 'NVIDIA A100-SXM4-80GB',
    memory_total_bytes: 81920 * MiB,
    power_limit_watts: 400,
    idle_watts: 55,
    sm_clock_max_mhz: 1410,
    memory_clock_mhz: 1593,
    load_celsius: 64,
  },
  {
    name: 'NVIDIA GeForce RTX 4090',
    memory_total_bytes: 24564 * MiB,
    power_limit_watts: 450,
    idle_watts: 25,
    sm_clock_max_mhz: 3120,
    memory_clock_mhz: 10501,
    load_celsius: 74,
  },
  {
    name: 'NVIDIA GeForce RTX 3090',
    memory_total_bytes: 24576 * MiB,
    power_limit_watts: 350,
    idle_watts: 30,
    sm_clock_max_mhz: 2100,
    memory_clock_mhz: 9751,
    load_celsius: 78,
  },
  {
    name: 'NVIDIA RTX A5000',
    memory_total_bytes: 24564 * MiB,
    power_limit_watts: 230,
    idle_watts: 22,
    sm_clock_max_mhz: 2100,
    memory_clock_mhz: 8001,
    load_celsius: 76,
  },
  {
    name: 'NVIDIA A10G',
    memory_total_bytes: 23028 * MiB,
    power_limit_watts: 300,
    idle_watts: 28,
    sm_clock_max_mhz: 1710,
    memory_clock_mhz: 6251,
    load_celsius: 72,
  },
  {
    name: 'Tesla T4',
    memory_total_bytes: 15360 * MiB,
    power_limit_watts: 70,
    idle_watts: 10,
    sm_clock_max_mhz: 1590,
    memory_clock_mhz: 5001,
    load_celsius: 70,
  },
];
