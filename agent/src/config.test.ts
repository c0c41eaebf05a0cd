import { describe, expect, it } from 'vitest';
import { parsePairs, resolveAgentConfig } from './config.js';

describe('resolveAgentConfig', () => {
  it('layers flags over env over defaults', () => {
    const r = resolveAgentConfig({ AGENT_COLLECTOR_ADDRESS: 'env-host:1', AGENT_SAMPLE_INTERVAL_MS: '500' }, { 'collector-address': 'flag-host:2' }, 'gpu-box');
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.config.AGENT_COLLECTOR_ADDRESS).toBe('flag-host:2');
      expect(r.config.AGENT_SAMPLE_INTERVAL_MS).toBe(500);
      expect(r.config.AGENT_FLUSH_INTERVAL_MS).toBe(2000);
      expect(r.config.hostname).toBe('gpu-box');
      expect(r.config.agentId).toBe('agent-gpu-box');
    }
  });

  it('reports unknown flags and bad values instead of ignoring them', () => {
    const r = resolveAgentConfig({ AGENT_SAMPLE_INTERVAL_MS: '-5' }, { 'colector-address': 'x:1' }, 'h');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.issues).toContain('unknown option --colector-address');
      expect(r.issues.some((i) => i.startsWith('AGENT_SAMPLE_INTERVAL_MS'))).toBe(true);
    }
  });

  it('parses runtime:path and role:mount lists', () => {
    expect(parsePairs('comfyui:/srv/c/comfyui.log, forge:/x/y.log')).toEqual([
      { key: 'comfyui', value: '/srv/c/comfyui.log' },
      { key: 'forge', value: '/x/y.log' },
    ]);
  });
});
