import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLogCommand } from './parse-log.js';

const FIX = join(import.meta.dirname, '../../test/fixtures/runtime-logs');

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await parseLogCommand.run(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

describe('parse-log command', () => {
  it('prints one JSON event per line, in order', async () => {
    const r = await run(['--runtime', 'comfyui', join(FIX, 'comfyui/oom-cudamallocasync-full-message-2024-04.log')]);
    expect(r.code).toBe(0);
    const evs = r.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind: string; duration_s?: number });
    expect(evs.map((e) => e.kind)).toEqual(['oom', 'job_end']);
    expect(evs[1]?.duration_s).toBe(188.48);
  });

  it('prints loads without the file path the parser read: the agent keeps it for its cold/warm evidence (contract fields only)', async () => {
    const file = join(FIX, 'a1111/v1.0-cold-start-model-loaded-startup-time.log');
    const r = await run(['--runtime', 'a1111', file]);
    const loads = r.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((e) => e.kind === 'model_load');
    expect(loads.length).toBeGreaterThan(0);
    for (const l of loads)
      expect(
        Object.keys(l).filter(
          (k) => !['kind', 'runtime', 'ts', 'model', 'model_hash', 'source', 'duration_s', 'loaded_mb', 'offloaded_mb', 'mode'].includes(k),
        ),
      ).toEqual([]);
    // the parser itself did read the path (the tracker needs it)
    const { parseLogText } = await import('../runtime-logs/parser-session.js');
    const { readFileSync } = await import('node:fs');
    expect(parseLogText(readFileSync(file, 'utf8'), 'a1111').some((e) => e.kind === 'model_load' && typeof e.path === 'string')).toBe(true);
  });

  it('detects the runtime with --runtime auto', async () => {
    const r = await run(['--runtime=auto', join(FIX, 'invokeai/graph-stats-flux-cache-hits-2025-01.log')]);
    expect(r.out).toBe('{"kind":"job_end","runtime":"invokeai","duration_s":168.455,"outcome":"ok"}\n');
  });

  it.each([
    [['--runtime', 'nope', 'x.log'], 2, 'unknown runtime "nope"'],
    [['x.log'], 2, '--runtime is required'],
    [['--runtime', 'comfyui'], 2, 'expected exactly one FILE'],
    [['--runtime', 'comfyui', '/definitely/missing.log'], 1, 'cannot read /definitely/missing.log: no such file'],
    [['--runtime', 'auto', join(FIX, 'wan2gp/oom-new-format-no-process-info-2025-08.log')], 2, 'could not detect the runtime'],
  ])('fails readably for %j', async (argv, code, msg) => {
    const r = await run(argv);
    expect(r.code).toBe(code);
    expect(r.err).toContain(msg);
  });

  it('has a --help that names every runtime', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('comfyui|a1111|forge|sdnext|invokeai|wan2gp|diffusers|kohya|ai-toolkit|auto');
  });
});
