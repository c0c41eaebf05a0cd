import type { RuntimeEvent } from '@renderwatch/schema';
import { describe, expect, it } from 'vitest';
import type { AgentObserver } from '../agent.js';
import type { GpuSnapshot } from '../sampling/sampler.js';
import { createAgentMetrics } from './agent-metrics.js';
import { PROCESS_METRIC_NAMES } from './process-metrics.js';

const GPU0: GpuSnapshot = {
  ts_unix_ms: 1_700_000_000_000,
  index: 0,
  uuid: 'GPU-aaaa',
  name: 'NVIDIA GeForce RTX 4090',
  driver_version: '590.44',
  utilization_gpu_ratio: 0.87,
  memory_used_bytes: 20_000_000_000,
  memory_total_bytes: 25_757_220_864,
  temperature_celsius: 71,
  power_draw_watts: 412.5,
  power_limit_watts: 450,
  sm_clock_mhz: 2520,
  sm_clock_max_mhz: 3105,
  clock_event_reasons_mask: 0x4 | 0x20,
  energy_joules: 1000,
  clock_event_reason_counters_us: { sw_thermal_slowdown: 2_500_000 },
  processes: [{ pid: 10, used_memory_bytes: 1 }],
};
const L = 'host="h1",gpu_index="0",gpu_uuid="GPU-aaaa",gpu_name="NVIDIA GeForce RTX 4090"';

async function text(m: ReturnType<typeof createAgentMetrics>): Promise<string> {
  return m.text(false);
}

describe('createAgentMetrics', () => {
  it.each([
    [`renderwatch_gpu_utilization_ratio{${L}} 0.87`],
    [`renderwatch_gpu_memory_used_bytes{${L}} 20000000000`],
    [`renderwatch_gpu_memory_total_bytes{${L}} 25757220864`],
    [`renderwatch_gpu_temperature_celsius{${L}} 71`],
    [`renderwatch_gpu_power_draw_watts{${L}} 412.5`],
    [`renderwatch_gpu_sm_clock_hertz{${L}} 2520000000`],
    [`renderwatch_gpu_clock_event_reason_active{${L},reason="sw_power_cap"} 1`],
    [`renderwatch_gpu_clock_event_reason_active{${L},reason="sw_thermal_slowdown"} 1`],
    [`renderwatch_gpu_clock_event_reason_active{${L},reason="hw_slowdown"} 0`],
    [`renderwatch_gpu_clock_event_seconds_total{${L},reason="sw_thermal_slowdown"} 2.5`],
    [`renderwatch_gpu_energy_joules_total{${L}} 1000`],
    [`renderwatch_gpu_processes{${L}} 1`],
    [`renderwatch_gpu_info{${L},driver_version="590.44",cuda_version=""} 1`],
  ])('exposes %s when a snapshot is observed', async (line) => {
    const m = createAgentMetrics({ host: 'h1', processMetrics: false });
    m.observeGpus([GPU0]);
    expect((await text(m)).split('\n')).toContain(line);
  });

  it('omits a series whose reading is absent instead of reporting zero', async () => {
    const m = createAgentMetrics({ host: 'h1', processMetrics: false });
    m.observeGpus([GPU0]);
    m.observeGpus([{ ...GPU0, utilization_gpu_ratio: undefined }]);
    const out = await text(m);
    expect(out).not.toContain('renderwatch_gpu_utilization_ratio{');
    expect(out).toContain(`renderwatch_gpu_temperature_celsius{${L}} 71`);
  });

  it('drops every series of a GPU that is missing from the next sample', async () => {
    const m = createAgentMetrics({ host: 'h1', processMetrics: false });
    m.observeGpus([GPU0, { ...GPU0, index: 1, uuid: 'GPU-bbbb' }]);
    m.observeGpus([GPU0]);
    const out = await text(m);
    expect(out).not.toContain('GPU-bbbb');
    expect(out).toContain('GPU-aaaa');
  });

  it('adds only the growth of a driver total and restarts the counter when the total falls', async () => {
    const m = createAgentMetrics({ host: 'h1', processMetrics: false });
    m.observeGpus([{ ...GPU0, energy_joules: 1000 }]);
    m.observeGpus([{ ...GPU0, energy_joules: 1600 }]);
    expect(await text(m)).toContain(`renderwatch_gpu_energy_joules_total{${L}} 1600`);
    m.observeGpus([{ ...GPU0, energy_joules: 40 }]);
    expect(await text(m)).toContain(`renderwatch_gpu_energy_joules_total{${L}} 40`);
  });

  it('counts XIDs per code and records when the last one happened', async () => {
    const m = createAgentMetrics({ host: 'h1', processMetrics: false });
    const xid = { ts_unix_ms: 1_700_000_123_000, gpu_index: 0, gpu_uuid: 'GPU-aaaa', status: 'xid' as const, xid: 79, detail: 'fallen off the bus' };
    m.observeGpuStatus([xid, xid, { ...xid, xid: 123456 }]);
    const out = await text(m);
    expect(out).toContain('renderwatch_gpu_xid_errors_total{host="h1",gpu_index="0",gpu_uuid="GPU-aaaa",xid="79"} 2');
    expect(out).toContain('renderwatch_gpu_xid_errors_total{host="h1",gpu_index="0",gpu_uuid="GPU-aaaa",xid="other"} 1');
    expect(out).toContain('renderwatch_gpu_xid_last_timestamp_seconds{host="h1",gpu_index="0",gpu_uuid="GPU-aaaa",xid="79"} 1700000123');
  });

  const events: [RuntimeEvent, string][] = [
    [{ kind: 'job_end', runtime: 'comfyui', outcome: 'ok', images: 4, duration_s: 12 }, 'renderwatch_jobs_total{host="h1",runtime="comfyui",outcome="ok"} 1'],
    [{ kind: 'job_end', runtime: 'comfyui', outcome: 'ok', images: 4, duration_s: 12 }, 'renderwatch_images_total{host="h1",runtime="comfyui"} 4'],
    [
      { kind: 'job_end', runtime: 'comfyui', duration_s: 12 },
      'renderwatch_job_duration_seconds_bucket{le="20",host="h1",runtime="comfyui",outcome="unknown"} 1',
    ],
    [{ kind: 'oom', runtime: 'forge', cause: 'resolution' }, 'renderwatch_oom_total{host="h1",runtime="forge",cause="resolution"} 1'],
    [{ kind: 'oom', runtime: 'my-fork-of-comfy' }, 'renderwatch_oom_total{host="h1",runtime="other",cause="unknown"} 1'],
    [{ kind: 'model_load', runtime: 'comfyui', source: 'disk', duration_s: 3 }, 'renderwatch_model_loads_total{host="h1",runtime="comfyui",source="disk"} 1'],
    [{ kind: 'queue', runtime: 'comfyui', pending: 7, running: 1 }, 'renderwatch_queue_pending_jobs{host="h1",runtime="comfyui"} 7'],
    [{ kind: 'error', runtime: 'a1111', error_type: 'RuntimeError', message: 'x' }, 'renderwatch_runtime_errors_total{host="h1",runtime="a1111"} 1'],
    [{ kind: 'output_written', runtime: 'comfyui', images: 2, bytes: 2048 }, 'renderwatch_output_written_bytes_total{host="h1",runtime="comfyui"} 2048'],
    [{ kind: 'training_progress', runtime: 'kohya', step: 300, loss: 0.12 }, 'renderwatch_training_loss{host="h1",runtime="kohya"} 0.12'],
  ];
  it.each(events)('counts runtime event %j as %s', async (e, line) => {
    const m = createAgentMetrics({ host: 'h1', processMetrics: false });
    m.observeEvent(e);
    expect((await text(m)).split('\n')).toContain(line);
  });

  it('keeps job ids, models and messages out of labels', async () => {
    const m = createAgentMetrics({ host: 'h1', processMetrics: false });
    m.observeEvent({ kind: 'job_end', runtime: 'comfyui', job_id: 'secret-job-42', model: 'flux1-dev.safetensors', outcome: 'oom' });
    m.observeEvent({ kind: 'error', runtime: 'comfyui', message: 'a cat wearing a hat' });
    const out = await text(m);
    expect(out).not.toMatch(/secret-job-42|flux1-dev|a cat wearing/);
  });

  it('counts sample errors per bounded source and export outcomes', async () => {
    const m = createAgentMetrics({ host: 'h1', processMetrics: false });
    m.sampleError('nvml');
    m.sampleError('nvml');
    m.observeSend('retryable', 10);
    m.observeSend('ok', 250);
    m.setQueuedBatches(3);
    const out = (await text(m)).split('\n');
    expect(out).toContain('renderwatch_agent_sample_errors_total{host="h1",source="nvml"} 2');
    expect(out).toContain('renderwatch_agent_sample_errors_total{host="h1",source="nvidia-smi"} 0');
    expect(out).toContain('renderwatch_agent_export_failures_total{host="h1",kind="retryable"} 1');
    expect(out).toContain('renderwatch_agent_exported_rows_total{host="h1"} 250');
    expect(out).toContain('renderwatch_agent_queued_batches{host="h1"} 3');
  });

  it('reports host memory and volumes', async () => {
    const m = createAgentMetrics({ host: 'h1', processMetrics: false });
    m.observeHost({ ts_unix_ms: 0, memory_used_bytes: 5e9, volumes: [{ mount: '/models', role: 'model', size_bytes: 100, free_bytes: 7 }] });
    const out = (await text(m)).split('\n');
    expect(out).toContain('renderwatch_host_memory_used_bytes{host="h1"} 5000000000');
    expect(out).toContain('renderwatch_host_volume_free_bytes{host="h1",role="model",mount="/models"} 7');
  });
});

describe('createAgentMetrics process metrics', () => {
  it('serves the lean process set under prom-client names: CPU total = user + system, resident memory, start time', async () => {
    const m = createAgentMetrics({ host: 'h1' });
    const out = (await m.text(false)).split('\n');
    const value = (name: string): number => Number(out.find((l) => l.startsWith(`${name} `))?.split(' ')[1]);
    for (const name of PROCESS_METRIC_NAMES) expect(out.some((l) => l.startsWith(`# HELP ${name} `))).toBe(true);
    expect(value('process_cpu_seconds_total')).toBeCloseTo(value('process_cpu_user_seconds_total') + value('process_cpu_system_seconds_total'), 9);
    expect(value('process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(value('process_resident_memory_bytes')).toBeGreaterThan(10 * 1024 * 1024);
    expect(Math.abs(value('process_start_time_seconds') - (Date.now() / 1000 - process.uptime()))).toBeLessThanOrEqual(1);
    expect(out).toContain(
      `nodejs_version_info{version="${process.version}",major="${process.versions.node.split('.')[0]}",minor="${process.versions.node.split('.')[1]}",patch="${process.versions.node.split('.')[2]}"} 1`,
    );
    expect(out.some((l) => l.startsWith('nodejs_gc_duration_seconds') || l.startsWith('nodejs_eventloop_lag'))).toBe(false);
  });
});

describe('createAgentMetrics as an AgentObserver', () => {
  it('takes single status changes and free-form sample-error sources, bounding unknown ones', async () => {
    const m = createAgentMetrics({ host: 'h1', processMetrics: false });
    const observer: AgentObserver = m; // createAgent({ observers: [metrics] }) type-checks
    expect(observer.observeGpus).toBeTypeOf('function');
    m.observeStatus({ ts_unix_ms: 1_000, gpu_index: 2, gpu_uuid: 'GPU-c', status: 'lost', detail: 'fallen off the bus' });
    m.observeSampleError('nvml');
    m.observeSampleError('some-new-source');
    const out = (await m.text(false)).split('\n');
    expect(out).toContain('renderwatch_gpu_status_changes_total{host="h1",gpu_index="2",gpu_uuid="GPU-c",status="lost"} 1');
    expect(out).toContain('renderwatch_agent_sample_errors_total{host="h1",source="nvml"} 1');
    expect(out).toContain('renderwatch_agent_sample_errors_total{host="h1",source="other"} 1');
  });
});
