import { describe, expect, it } from 'vitest';
import { HISTORY_OWNED_KINDS, pairComfyui } from './comfyui-pairing.js';

const comfy = (path: string) => ({ runtime: 'comfyui' as const, path });

describe('pairComfyui', () => {
  it('pairs the one ComfyUI log with the one ComfyUI API of a host', () => {
    expect(pairComfyui([{ runtime: 'kohya', path: '/t.log' }, comfy('/c.log')], ['http://127.0.0.1:8188'])).toEqual({
      rule: 'single_instance',
      logPath: '/c.log',
      url: 'http://127.0.0.1:8188',
    });
  });

  it('pairs nothing when ComfyUI is watched one way only', () => {
    expect(pairComfyui([comfy('/c.log')], [])).toEqual({ rule: 'one_way' });
    expect(pairComfyui([{ runtime: 'forge', path: '/f.log' }], ['http://127.0.0.1:8188'])).toEqual({ rule: 'one_way' });
  });

  it('pairs nothing with several of either, and says what to do', () => {
    const p = pairComfyui([comfy('/a.log'), comfy('/b.log')], ['http://127.0.0.1:8188']);
    expect(p.rule).toBe('ambiguous');
    expect(p.logPath).toBeUndefined();
    expect(p.url).toBeUndefined();
    expect(p.warning).toContain('2 ComfyUI log file(s) and 1 ComfyUI API URL(s)');
    expect(p.warning).toContain('either by its API (AGENT_COMFYUI_URLS) or by its log file (AGENT_RUNTIME_LOGS)');
    expect(pairComfyui([comfy('/a.log')], ['http://a:1', 'http://b:2']).rule).toBe('ambiguous');
  });

  it('leaves jobs and node-cache hits to /history, and nothing else', () => {
    expect([...HISTORY_OWNED_KINDS].sort()).toEqual(['job_end', 'job_start', 'node_cache']);
  });
});
