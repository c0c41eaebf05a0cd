import { describe, expect, it } from 'vitest';
import { parseKeyValues, resolveAgentConfig } from './config.js';

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
});

/** The parsed config of one env, or its issues. */
function parse(env: Record<string, string>) {
  const r = resolveAgentConfig(env, {}, 'h');
  return r.ok ? r.config : r.issues;
}

describe('list keys are parsed once, in config.ts, to their types', () => {
  it('defaults every list to its empty value and the compat modes to native', () => {
    expect(parse({})).toMatchObject({
      AGENT_REPLAY_FILES: [],
      AGENT_RUNTIME_LOGS: [],
      AGENT_COMFYUI_URLS: [],
      AGENT_VOLUMES: {},
      AGENT_METRICS_COMPAT: ['native'],
      AGENT_OTLP_HEADERS: {},
    });
  });

  it('AGENT_RUNTIME_LOGS: runtime:path pairs, the path may hold colons; an unknown runtime is an issue', () => {
    expect(parse({ AGENT_RUNTIME_LOGS: ' comfyui:/srv/c/comfyui.log, forge:C:/x/y.log,, ' })).toMatchObject({
      AGENT_RUNTIME_LOGS: [
        { runtime: 'comfyui', path: '/srv/c/comfyui.log' },
        { runtime: 'forge', path: 'C:/x/y.log' },
      ],
    });
    const bad = parse({ AGENT_RUNTIME_LOGS: 'comfyui:/a.log,nosuchruntime:/x,comfyui:,/no-runtime.log' });
    expect(bad).toHaveLength(3);
    expect((bad as string[])[0]).toMatch(/^AGENT_RUNTIME_LOGS: "nosuchruntime:\/x" — the runtime must be one of comfyui, a1111, /);
    expect((bad as string[])[1]).toMatch(/^AGENT_RUNTIME_LOGS: "comfyui:" — /);
    expect((bad as string[])[2]).toMatch(/^AGENT_RUNTIME_LOGS: "\/no-runtime.log" — /);
  });

  it('AGENT_VOLUMES: role:mount pairs to one path per role, aliases folded; an unknown role is an issue', () => {
    expect(parse({ AGENT_VOLUMES: 'model:/host/models, output:/host/out,cache:/c' })).toMatchObject({
      AGENT_VOLUMES: { models: '/host/models', outputs: '/host/out', cache: '/c' },
    });
    expect(parse({ AGENT_VOLUMES: 'models:/m,outputs:/o' })).toMatchObject({ AGENT_VOLUMES: { models: '/m', outputs: '/o' } });
    expect(parse({ AGENT_VOLUMES: 'scratch:/tmp' })).toEqual([
      'AGENT_VOLUMES: "scratch:/tmp" — the role must be one of model, models, cache, output, outputs, then :mount (got "scratch:/tmp")',
    ]);
  });

  it('AGENT_COMFYUI_URLS: URLs without trailing slashes, each once', () => {
    expect(parse({ AGENT_COMFYUI_URLS: 'http://a:8188,http://a:8188/, https://b/comfy//' })).toMatchObject({
      AGENT_COMFYUI_URLS: ['http://a:8188', 'https://b/comfy'],
    });
  });

  it('AGENT_METRICS_COMPAT: known modes, each once, in the order given', () => {
    expect(parse({ AGENT_METRICS_COMPAT: ' dcgm, nvidia_gpu_exporter,dcgm' })).toMatchObject({ AGENT_METRICS_COMPAT: ['dcgm', 'nvidia_gpu_exporter'] });
    expect(parse({ AGENT_METRICS_COMPAT: 'dcgm,prometheus' })).toEqual([
      'AGENT_METRICS_COMPAT: "prometheus" — one of native, dcgm, nvidia_gpu_exporter (got "dcgm,prometheus")',
    ]);
  });

  it('AGENT_REPLAY_FILES: paths trimmed, empty items dropped', () => {
    expect(parse({ AGENT_REPLAY_FILES: ' /a.csv,,/b.csv ' })).toMatchObject({ AGENT_REPLAY_FILES: ['/a.csv', '/b.csv'] });
  });

  it('AGENT_OTLP_HEADERS: key=value pairs with URL-encoded values; an entry without a key or with a bad encoding is an issue', () => {
    expect(parse({ AGENT_OTLP_HEADERS: 'authorization=Bearer%20abc, x-scope = team-1 ' })).toMatchObject({
      AGENT_OTLP_HEADERS: { authorization: 'Bearer abc', 'x-scope': 'team-1' },
    });
    expect(parse({ AGENT_OTLP_HEADERS: 'novalue,=x,k=%zz' })).toEqual([
      'AGENT_OTLP_HEADERS: "novalue" — expected key=value, the value URL-encoded (got "novalue,=x,k=%zz")',
      'AGENT_OTLP_HEADERS: "=x" — expected key=value, the value URL-encoded (got "novalue,=x,k=%zz")',
      'AGENT_OTLP_HEADERS: "k=%zz" — expected key=value, the value URL-encoded (got "novalue,=x,k=%zz")',
    ]);
    expect(parseKeyValues('a=1,b=%41')).toEqual({ pairs: { a: '1', b: 'A' }, bad: [] });
  });
});
