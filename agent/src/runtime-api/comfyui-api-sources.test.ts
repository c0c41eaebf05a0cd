import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { resolveAgentConfig } from '../config.js';
import { buildComfyuiApiSources } from './comfyui-api-sources.js';

describe('AGENT_COMFYUI_URLS', () => {
  it('accepts comma-separated http(s) URLs and defaults the poll, timeout and backoff settings', () => {
    const r = resolveAgentConfig({ AGENT_COMFYUI_URLS: 'http://127.0.0.1:8188, https://gpu-7.internal/comfy/' }, {}, 'h');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config).toMatchObject({ AGENT_COMFYUI_POLL_INTERVAL_MS: 2000, AGENT_COMFYUI_TIMEOUT_MS: 5000, AGENT_COMFYUI_RECONNECT_MAX_MS: 30_000 });
    expect(r.config.AGENT_COMFYUI_URLS).toEqual(['http://127.0.0.1:8188', 'https://gpu-7.internal/comfy']);
  });

  it('reports a value that is not a URL, naming the key', () => {
    const r = resolveAgentConfig({ AGENT_COMFYUI_URLS: '127.0.0.1:8188' }, {}, 'h');
    expect(r).toEqual({ ok: false, issues: ['AGENT_COMFYUI_URLS: "127.0.0.1:8188" — expected an http(s) URL (got "127.0.0.1:8188")'] });
  });

  it('takes the --comfyui-urls flag over the environment', () => {
    const r = resolveAgentConfig({ AGENT_COMFYUI_URLS: 'http://a:1' }, { 'comfyui-urls': 'http://b:2' }, 'h');
    expect(r.ok && r.config.AGENT_COMFYUI_URLS).toEqual(['http://b:2']);
  });
});

describe('buildComfyuiApiSources', () => {
  it('builds one event source per URL of the parsed config and none when the setting is empty', () => {
    const log = pino({ level: 'silent' });
    const base = {
      AGENT_COMFYUI_POLL_INTERVAL_MS: 2000,
      AGENT_COMFYUI_TIMEOUT_MS: 5000,
      AGENT_COMFYUI_RECONNECT_MAX_MS: 30_000,
      AGENT_STATE_DIR: '/nonexistent',
    };
    expect(buildComfyuiApiSources({ ...base, AGENT_COMFYUI_URLS: [] }, log)).toHaveLength(0);
    expect(buildComfyuiApiSources({ ...base, AGENT_COMFYUI_URLS: ['http://a:8188', 'http://b:8188'] }, log)).toHaveLength(2);
  });
});
