// renderwatch_model_download_parse_errors_total: the download lines with impossible values the
// agent's log followers skipped, on /metrics (Prometheus text and OpenMetrics), by runtime.
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseLogText } from '../runtime-logs/parser-session.js';
import { createRuntimeLogSource } from '../runtime-logs/runtime-log-source.js';
import { createAgentMetrics } from './agent-metrics.js';

const FIX = join(import.meta.dirname, '../../test/fixtures/runtime-logs/downloads');
const fixture = (name: string): string => readFileSync(join(FIX, name), 'utf8');
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rw-dlpe-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const series = (text: string): string[] => text.split('\n').filter((l) => l.startsWith('renderwatch_model_download_parse_errors_total'));

describe('renderwatch_model_download_parse_errors_total', () => {
  it('counts each refused download line by runtime; good downloads and other lines count nothing', async () => {
    const m = createAgentMetrics({ host: 'gpu-7', processMetrics: false });
    // No refused line yet: the family is served without series.
    expect(series(await m.text(false))).toEqual([]);
    expect(await m.text(false)).toContain('# TYPE renderwatch_model_download_parse_errors_total counter');

    // ComfyUI's log through the agent's follower: a good wget download, then the edited one with a
    // 99999999999999999999-byte save twice (2 refused), then another good one.
    const path = join(dir, 'comfyui.log');
    writeFileSync(path, fixture('wget-1.21.3-bar-local-url.log'));
    const s = createRuntimeLogSource({ runtime: 'comfyui', path, stateDir: join(dir, 'state'), log: { warn: () => undefined }, onEvent: () => undefined });
    s.pollOnce();
    appendFileSync(path, fixture('wget-absurd-size-edited.log'));
    s.pollOnce();
    appendFileSync(path, fixture('wget-absurd-size-edited.log'));
    s.pollOnce();
    appendFileSync(path, fixture('wget-1.21.3-dot-local-url.log'));
    s.stop();
    expect(s.parseErrors()).toBe(2);
    // Forge's output with the edited tqdm bar (1 refused, as model-download.test.ts counts it) and a good hf bar log.
    parseLogText(fixture('tqdm-absurd-size-edited.log'), 'forge', { downloads: true });
    parseLogText(fixture('tqdm-4.64.1-hf-hub-byte-bars.log'), 'forge', { downloads: true });

    expect(series(await m.text(false))).toEqual([
      'renderwatch_model_download_parse_errors_total{host="gpu-7",runtime="comfyui"} 2',
      'renderwatch_model_download_parse_errors_total{host="gpu-7",runtime="forge"} 1',
    ]);
    // A second scrape reads the same totals (not added again).
    expect(series(await m.text(true))).toEqual([
      'renderwatch_model_download_parse_errors_total{host="gpu-7",runtime="comfyui"} 2',
      'renderwatch_model_download_parse_errors_total{host="gpu-7",runtime="forge"} 1',
    ]);
    expect(m.familyNames()).toContain('renderwatch_model_download_parse_errors_total');
  });
});
