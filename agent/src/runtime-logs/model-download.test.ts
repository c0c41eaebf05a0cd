// Model downloads from recorded wget / huggingface_hub (tqdm) output and the shared ComfyUI and
// ai-toolkit fixtures (agent/test/fixtures/runtime-logs/downloads/SOURCES.md).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RuntimeEventSchema, type RuntimeName } from '@renderwatch/schema';
import { describe, expect, it } from 'vitest';
import { createDownloadState, scanDownload, sourceOfUrl } from './model-download.js';
import { createParserSession, parseLogText } from './parser-session.js';
import { createRecordAssembler } from './record-assembler.js';
import type { LogRecord } from './log-record.js';

const ROOT = join(import.meta.dirname, '../../test/fixtures/runtime-logs');
const read = (f: string): string => readFileSync(join(ROOT, f), 'utf8');

/** Downloads and parse errors of a whole file through a real session (as the agent's log source runs it). */
function run(file: string, runtime: RuntimeName = 'comfyui'): { downloads: unknown[]; errors: number } {
  const session = createParserSession(runtime);
  const asm = createRecordAssembler();
  const recs: LogRecord[] = [];
  const out: unknown[] = [];
  for (const line of read(file).split('\n')) asm.push(line, 0, recs);
  asm.flush(recs);
  for (const r of recs) for (const e of session.record(r)) if (e.kind === 'model_download') out.push(RuntimeEventSchema.parse(e));
  return { downloads: out, errors: session.parseErrors.count };
}

describe('model downloads', () => {
  it('wget bar progress: bytes from `saved [n/n]`, seconds from `in 4.9s`, throughput = bytes / seconds', () => {
    // 41943040 B / 4.9 s = 8559804.08 B/s
    expect(run('downloads/wget-1.21.3-bar-local-url.log')).toEqual({
      downloads: [
        { kind: 'model_download', runtime: 'comfyui', source: 'url', model: 'out.safetensors', bytes: 41943040, duration_s: 4.9, bytes_per_s: 8559804 },
      ],
      errors: 0,
    });
  });

  it('wget dot progress: seconds from `100%  277M=4.9s`', () => {
    const r = run('downloads/wget-1.21.3-dot-local-url.log');
    expect(r.downloads).toEqual([
      expect.objectContaining({ model: 'out2.safetensors', bytes: 41943040, duration_s: 4.9, bytes_per_s: 8559804, source: 'url' }),
    ]);
  });

  it('a civitai.com URL names the source civitai', () => {
    expect(run('downloads/wget-1.21.3-bar-civitai-url-edited.log').downloads).toEqual([
      expect.objectContaining({ source: 'civitai', model: 'dreamshaper_8.safetensors', bytes: 41943040 }),
    ]);
  });

  it('huggingface_hub tqdm bars: one event per finished file (the close redraw is not a second download), SI units', () => {
    // 335M = 335e6 B over 00:02 = 167.5e6 B/s; 167M over 00:01
    expect(run('downloads/tqdm-4.64.1-hf-hub-byte-bars.log')).toEqual({
      downloads: [
        { kind: 'model_download', runtime: 'comfyui', source: 'hf', model: '_xl_vae.safetensors', bytes: 335e6, duration_s: 2, bytes_per_s: 167.5e6 },
        {
          kind: 'model_download',
          runtime: 'comfyui',
          source: 'hf',
          model: 'diffusion_pytorch_model.safetensors',
          bytes: 167e6,
          duration_s: 1,
          bytes_per_s: 167e6,
        },
      ],
      errors: 0,
    });
  });

  it('a runtime message `Downloading model to:` then `Fetching 11 files` (shared ComfyUI ROCm fixture): a download of 40 s, size unknown', () => {
    expect(run('comfyui/hip-oom-rocm-cogvideo-2024-09.log')).toEqual({
      downloads: [{ kind: 'model_download', runtime: 'comfyui', source: 'hf', model: 'CogVideo2B', duration_s: 40 }],
      errors: 0,
    });
  });

  it('hf_xet `Download complete: : 0.00B` and `Fetching 3 files ... [00:00<?]` (everything cached) is no download', () => {
    expect(run('ai-toolkit/wan22-job-start-quantize-two-transformers-2026-06.log', 'ai-toolkit')).toEqual({ downloads: [], errors: 0 });
  });

  it('absurd sizes are counted parse errors, not events', () => {
    expect(run('downloads/wget-absurd-size-edited.log')).toEqual({ downloads: [], errors: 1 });
    // the 9.99 EB bar and its close redraw are one error; the 167 MB file after it still counts
    expect(run('downloads/tqdm-absurd-size-edited.log')).toEqual({
      downloads: [expect.objectContaining({ model: 'diffusion_pytorch_model.safetensors', bytes: 167e6 })],
      errors: 1,
    });
    const s = createDownloadState();
    expect(scanDownload('comfyui', s, 'x.safetensors: 100%|██████████| 5.00G/5.00G [00:00<00:00, 5.00GB/s]')).toEqual({
      event: expect.objectContaining({ bytes: 5e9, bytes_per_s: 5e9 }),
    });
    // 5 TB at 100%: beyond any model file
    expect(scanDownload('comfyui', s, 'y.safetensors: 100%|██████████| 5.00T/5.00T [00:10<00:00, 500GB/s]')).toEqual({
      error: expect.stringContaining('beyond any model file'),
    });
    // 400 GB in 1 s: beyond any link
    expect(scanDownload('comfyui', s, 'z.safetensors: 100%|██████████| 400G/400G [00:01<00:00, 400GB/s]')).toEqual({
      error: expect.stringContaining('beyond any link'),
    });
    // a bar at 100% whose count is not its total
    expect(scanDownload('comfyui', s, 'w.safetensors: 100%|██████████| 1.00G/9.00G [00:10<00:00, 100MB/s]')).toEqual({ error: expect.any(String) });
  });

  it('Colab shows byte bars without |glyphs| (camenduru/MagicAnimate-colab#9): each finished file once, tiny files at the shown rate', () => {
    // 335M over 00:04 = 83.75e6 B/s; 335M over 00:06 = 55833333.3 B/s; 1.79k in 00:00: the bar's own 9.48MB/s
    expect(run('downloads/colab-hf-hub-byte-bars-without-glyphs-magicanimate.log')).toEqual({
      downloads: [
        {
          kind: 'model_download',
          runtime: 'comfyui',
          source: 'hf',
          model: 'diffusion_pytorch_model.safetensors',
          bytes: 335e6,
          duration_s: 4,
          bytes_per_s: 83.75e6,
        },
        { kind: 'model_download', runtime: 'comfyui', source: 'hf', model: 'diffusion_pytorch_model.bin', bytes: 335e6, duration_s: 6, bytes_per_s: 55833333 },
        { kind: 'model_download', runtime: 'comfyui', source: 'hf', model: 'appearance_encoder/config.json', bytes: 1790, duration_s: 0, bytes_per_s: 9.48e6 },
        { kind: 'model_download', runtime: 'comfyui', source: 'hf', model: '.gitattributes', bytes: 1520, duration_s: 0, bytes_per_s: 8.05e6 },
      ],
      errors: 0,
    });
  });

  it('huggingface_hub >= 0.17 names cut to `(…)<tail>` and k sizes (huggingface/diffusers#10371)', () => {
    expect(run('downloads/hf-hub-truncated-names-k-sizes-diffusers-pr10371.log').downloads).toEqual([
      expect.objectContaining({ model: 'diffusion_pytorch_model.safetensors', bytes: 19500, duration_s: 0, bytes_per_s: 105e6 }),
      expect.objectContaining({ model: 'ion_pytorch_model.safetensors.index.json', bytes: 6340, bytes_per_s: 40.6e6 }),
      expect.objectContaining({ model: 'pytorch_model-00001-of-00002.safetensors', bytes: 190e3, bytes_per_s: 28.6e6 }),
      expect.objectContaining({ model: 'pytorch_model-00002-of-00002.safetensors', bytes: 90.5e3, bytes_per_s: 14.4e6 }),
    ]);
  });

  it('unfinished bars (Colab, syslog-escaped `#015`) and retry messages are no download and no error', () => {
    for (const f of [
      'colab-hf-hub-0.16-partial-bars-diffusers-pr254.log',
      'sagemaker-syslog-escaped-cr-hf-hub-bars.log',
      'kohya-gui-download-timeouts-2024-01.log',
    ])
      expect(run(`downloads/${f}`), f).toEqual({ downloads: [], errors: 0 });
  });

  it('`Downloading model to:` then a Colab `Fetching N files: 100% N/N` (lines of the ROCm and MagicAnimate excerpts)', () => {
    const s = createDownloadState();
    expect(scanDownload('comfyui', s, 'Downloading model to: /home/musclez/ComfyUI/models/CogVideo/CogVideo2B')).toBeUndefined();
    expect(scanDownload('comfyui', s, 'Fetching 5 files: 100% 5/5 [00:06<00:00,  1.39s/it]')).toEqual({
      event: { kind: 'model_download', runtime: 'comfyui', source: 'hf', model: 'CogVideo2B', duration_s: 6 },
    });
  });

  it('a ComfyUI node fetching weights at its first prompt, under docker compose (chaojie/ComfyUI-Open-Sora-Plan#3): 2.12 GB in 51 s', () => {
    // 2.12e9 B / 51 s = 41568627.5 B/s: "slow because the model was downloading at 41.6 MB/s"
    expect(run('downloads/comfyui-compose-node-autodownload-open-sora-plan-2024-04.log')).toEqual({
      downloads: [
        { kind: 'model_download', runtime: 'comfyui', source: 'hf', model: '17x256x256/config.json', bytes: 795, duration_s: 0, bytes_per_s: 5.86e6 },
        {
          kind: 'model_download',
          runtime: 'comfyui',
          source: 'hf',
          model: 'x256/diffusion_pytorch_model.safetensors',
          bytes: 2.12e9,
          duration_s: 51,
          bytes_per_s: 41568627,
        },
      ],
      errors: 0,
    });
  });

  it('aria2c finding every file already complete (frefrik/comfyui-flux#1, `0B/s`) is no download', () => {
    expect(run('downloads/aria2c-download-results-already-complete-comfyui-flux-2024-08.log')).toEqual({ downloads: [], errors: 0 });
  });

  it('torch.hub / A1111 `Downloading: "URL" to PATH` then a bar in binary units (torch 1.13 recorded): 40.0M is 40 MiB', () => {
    // 40.0M with unit_divisor=1024 = 41943040 B; over 00:05 = 8388608 B/s; the name from the path, the source from the URL
    expect(run('downloads/torch-hub-1.13-load-state-dict-url-local.log', 'a1111')).toEqual({
      downloads: [
        { kind: 'model_download', runtime: 'a1111', source: 'url', model: 'RealESRGAN_x4plus.pth', bytes: 41943040, duration_s: 5, bytes_per_s: 8388608 },
      ],
      errors: 0,
    });
    // a described bar after the message is huggingface_hub's, in SI units (lines of two recordings)
    const s = createDownloadState();
    const hubLine = read('downloads/torch-hub-1.13-load-state-dict-url-local.log').split('\n')[0] ?? '';
    expect(scanDownload('a1111', s, hubLine)).toBeUndefined();
    expect(scanDownload('a1111', s, 'diffusion_pytorch_model.safetensors: 100%|██████████| 167M/167M [00:01<00:00, 150MB/s]')).toEqual({
      event: expect.objectContaining({ model: 'diffusion_pytorch_model.safetensors', bytes: 167e6 }),
    });
  });

  it('an unfinished bar is not a download', () => {
    expect(scanDownload('comfyui', createDownloadState(), 'model.safetensors:  88%|████████▊ | 147M/167M [00:00<00:00, 140MB/s]')).toBeUndefined();
  });

  it('source by host', () => {
    expect(sourceOfUrl('https://huggingface.co/stabilityai/x/resolve/main/a.safetensors')).toBe('hf');
    expect(sourceOfUrl('https://cdn-lfs.hf.co/repos/x')).toBe('hf');
    expect(sourceOfUrl('https://civitai.com/api/download/models/1')).toBe('civitai');
    expect(sourceOfUrl('https://example.com/civitai.com/a')).toBe('url');
    expect(sourceOfUrl(undefined)).toBe('url');
  });

  it('parseLogText (parse-log) leaves downloads out unless asked', () => {
    const text = read('downloads/wget-1.21.3-bar-local-url.log');
    expect(parseLogText(text, 'comfyui').filter((e) => e.kind === 'model_download')).toEqual([]);
    expect(parseLogText(text, 'comfyui', { downloads: true }).filter((e) => e.kind === 'model_download')).toHaveLength(1);
  });
});
