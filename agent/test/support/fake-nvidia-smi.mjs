#!/usr/bin/env node
// A stand-in nvidia-smi for tests: answers --help-query-gpu (recorded driver 590 output),
// --query-compute-apps, and --query-gpu ... -lms N (values shaped after the L40S fixture).
// FAKE_SMI_MODE: "normal" (default), "hang" (one round, then silent while alive), "exit" (one round, exit 1);
// FAKE_SMI_HELP_DELAY_MS delays the --help-query-gpu answer.
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const mode = process.env.FAKE_SMI_MODE ?? 'normal';
const gpus = Number(process.env.FAKE_SMI_GPUS ?? '2');
if (args.includes('--help-query-gpu')) {
  // FAKE_SMI_HELP_DELAY_MS: answers the discovery that late (a slow driver during the agent's start-up).
  await new Promise((resolve) => setTimeout(resolve, Number(process.env.FAKE_SMI_HELP_DELAY_MS ?? '0')));
  process.stdout.write(readFileSync(new URL('../fixtures/nvidia-smi/help-query-gpu-driver590.txt', import.meta.url)));
  process.exit(0);
}
const apps = args.find((a) => a.startsWith('--query-compute-apps='));
if (apps) {
  process.stdout.write('GPU-smi-0, 4242, python3, 4000\nGPU-smi-1, 4343, /usr/bin/comfyui, [N/A]\n');
  process.exit(0);
}
const q = args.find((a) => a.startsWith('--query-gpu='));
if (!q) process.exit(2);
const fields = q.slice('--query-gpu='.length).split(',');
const lmsAt = args.indexOf('-lms');
const every = lmsAt >= 0 ? Number(args[lmsAt + 1]) : 0;
const VALUES = {
  name: () => 'NVIDIA L40S',
  driver_version: () => '595.80',
  'pci.bus_id': (i) => `00000000:0${i + 1}:00.0`,
  'utilization.gpu': () => '9',
  'utilization.memory': () => '2',
  'memory.used': (i) => String(1235 + i),
  'memory.total': () => '46068',
  'memory.reserved': () => '609',
  'temperature.gpu': (i) => String(54 + i),
  'power.draw': () => '110.23',
  'enforced.power.limit': () => '350.00',
  'clocks.sm': () => '2520',
  'clocks.max.sm': () => '2520',
  'clocks.mem': () => '9001',
  'clocks.max.mem': () => '9001',
  'fan.speed': () => '[N/A]',
  'clocks_event_reasons.active': () => '0x0000000000000004',
  'mig.mode.current': () => '[N/A]',
  'clocks_event_reasons_counters.sw_power_cap': () => '204642816',
};
function round() {
  for (let i = 0; i < gpus; i++) {
    const row = fields.map((f) => (f === 'index' ? String(i) : f === 'uuid' ? `GPU-smi-${i}` : (VALUES[f]?.(i) ?? '[N/A]')));
    process.stdout.write(row.join(', ') + '\n');
  }
}
round();
if (mode === 'exit') process.exit(1);
if (mode === 'hang' || every === 0) {
  if (mode === 'hang') setInterval(() => {}, 1 << 30);
} else {
  setInterval(round, every);
}
