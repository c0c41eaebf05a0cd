import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseSloFile, readSloFile } from './slo-file.js';

const DEFAULT_FILE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'slo', 'default-slos.yaml');

describe('readSloFile', () => {
  it('accepts the shipped default file with the docs/design.md targets', async () => {
    const r = await readSloFile(DEFAULT_FILE);
    if (!r.ok) throw new Error(r.errors.join('\n'));
    const byName = Object.fromEntries(r.file.slos.map((s) => [s.name, s]));
    expect(Object.keys(byName)).toEqual([
      'warm-start-ready',
      'cold-start-ready',
      'warm-first-image',
      'batch-job-completion',
      'batch-campaign-completion',
      'oom-rate',
      'thermal-throttle',
      'output-durability',
    ]);
    expect(byName['warm-start-ready']?.indicator).toEqual({ kind: 'warm_start', threshold: '5m' });
    expect(byName['warm-first-image']?.indicator).toEqual({ kind: 'warm_first_image', threshold: '5m' });
    expect(byName['warm-first-image']?.objective).toBe(99);
    expect(byName['cold-start-ready']?.indicator.threshold).toBe('20m');
    expect(byName['thermal-throttle']?.objective).toBe(98);
    expect(byName['output-durability']?.alerting.page.enabled).toBe(false);
    expect(byName['batch-campaign-completion']?.indicator).toEqual({ kind: 'campaign_completion' });
    expect(r.file.alerts.map((a) => a.kind)).toEqual([
      'agent_silent',
      'gpu_temperature',
      'gpu_xid',
      'disk_fill',
      'output_lost',
      'oom_storm',
      'campaign_finished',
    ]);
    expect(r.file.alerts.at(-1)?.severity).toBe('info');
  });

  it('returns an error value for a missing file', async () => {
    const r = await readSloFile('/nonexistent/slos.yaml');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]).toMatch(/^\/nonexistent\/slos.yaml: cannot read: ENOENT/);
  });
});

const GOOD = `version: renderwatch/v1
slos:
  - name: jobs
    indicator: { kind: job_success }
    objective: 99
`;

describe('parseSloFile', () => {
  it('fills defaults for window, min_events and alerting', () => {
    const r = parseSloFile(GOOD);
    if (!r.ok) throw new Error(r.errors.join('\n'));
    expect(r.file.slos[0]).toMatchObject({ window: '30d', min_events: 10, selectors: {}, alerting: { page: { enabled: true }, ticket: { enabled: true } } });
  });

  it.each([
    ['an objective above 100', GOOD.replace('objective: 99', 'objective: 120'), 'slos.yaml:5:16: slos[0].objective: Too big'],
    ['an unknown indicator kind', GOOD.replace('job_success', 'job_sucess'), 'slos.yaml:4:24: slos[0].indicator.kind: Invalid option'],
    ['a latency SLO without threshold', GOOD.replace('job_success', 'warm_start'), 'slos.yaml:4:16: slos[0].indicator.threshold: warm_start needs a threshold'],
    ['a misspelt key', GOOD.replace('objective: 99', 'objective: 99\n    windw: 7d'), 'slos.yaml:6:12: slos[0]: Unrecognized key: "windw"'],
    ['a bad duration', `${GOOD}    window: 30 days\n`, 'slos.yaml:6:13: slos[0].window: a duration like'],
    ['a wrong version', GOOD.replace('renderwatch/v1', 'openslo/v1'), 'slos.yaml:1:10: version: Invalid input: expected "renderwatch/v1"'],
    ['a YAML syntax error', GOOD.replace('{ kind: job_success }', '{ kind: job_success'), 'slos.yaml:5:5: YAML syntax'],
    [
      'a duplicate name',
      `${GOOD}  - name: jobs\n    indicator: { kind: oom_free }\n    objective: 99\n`,
      'slos.yaml:6:11: slos[1].name: duplicate SLO name jobs',
    ],
  ])('refuses %s naming the line', (_what, text, expected) => {
    const r = parseSloFile(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]).toContain(expected);
  });
});
