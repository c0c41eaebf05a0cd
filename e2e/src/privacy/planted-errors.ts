// Runtime logs whose exceptions quote the user's prompt, one per runtime, written in the formats of
// the real recorded logs in agent/test/fixtures/runtime-logs (see SOURCES.md there): ComfyUI's
// `!!! Exception during processing !!!` + traceback, A1111/Forge's `*** Error completing request`
// block, SD.Next's rich ERROR + traceback, InvokeAI's and Wan2GP's tracebacks, and the trainers'
// (kohya, ai-toolkit, diffusers) tracebacks and bare exception lines. The exceptions are the kinds
// users report: a prompt that cannot be encoded, a custom node's KeyError on a word of the prompt,
// a missing wildcard, a tokenizer quoting the prompt. Every planted word is distinctive and is in
// no runtime's own vocabulary, so finding one in storage means user text leaked.
import type { RuntimeName } from '@renderwatch/schema';

/** Words planted in the exception messages (each appears in at least one log below). */
export const PLANTED_WORDS = [
  'lighthouse',
  'aubergine',
  'marmalade',
  'zeppelin',
  'tangerine',
  'quokka',
  'saxophone',
  'origami',
  'gondolier',
  'bioluminescent',
  'harpsichord',
  'kumquat',
] as const;

const tb = (frames: string, last: string): string => `Traceback (most recent call last):\n${frames}${last}\n`;

const COMFY_FRAMES =
  '  File "/srv/ComfyUI/execution.py", line 316, in execute\n    output_data, output_ui, has_subgraph = get_output_data(obj, input_data_all, execution_block_cb=execution_block_cb, pre_execute_cb=pre_execute_cb)\n' +
  '  File "/srv/ComfyUI/custom_nodes/ComfyUI-Impact-Pack/modules/impact/wildcards.py", line 402, in process\n    raise ValueError(msg)\n';

export const PLANTED_LOGS: Readonly<Record<RuntimeName, string>> = {
  comfyui:
    'got prompt\n' +
    '!!! Exception during processing !!! Prompt a lighthouse on a marmalade sea could not be encoded\n' +
    tb(COMFY_FRAMES, 'ValueError: Prompt a lighthouse on a marmalade sea could not be encoded') +
    '\nPrompt executed in 0.84 seconds\n' +
    'got prompt\n' +
    "!!! Exception during processing !!! 'aubergine'\n" +
    tb('  File "/srv/ComfyUI/custom_nodes/comfyui-prompt-styler/styler.py", line 88, in apply\n    style = STYLES[name]\n', "KeyError: 'aubergine'") +
    '\nPrompt executed in 0.12 seconds\n' +
    'got prompt\n' +
    '!!! Exception during processing !!! Wildcard __animals/zeppelin__ not found in quokka playing saxophone\n' +
    tb(COMFY_FRAMES, 'Exception: Wildcard __animals/zeppelin__ not found in quokka playing saxophone') +
    '\nPrompt executed in 0.05 seconds\n',
  a1111:
    '  0%|          | 0/20 [00:00<?, ?it/s]\n' +
    '*** Error completing request\n' +
    "*** Arguments: ('task(p9q8r7s6t5u4v3w)', 'tangerine origami crane', '', [], 20, 'DPM++ 2M Karras', 1, 1, 7, 512, 512, False, 0.7, 2, 'Latent', 0, 0, 0, 'Use same checkpoint', 'Use same sampler', '', '', [], <gradio.routes.Request object at 0x000001FE8218E2C0>, 0, False, '', 0.8, -1, False, -1, 0, 0, 0) {}\n" +
    '    Traceback (most recent call last):\n' +
    '      File "C:\\sd.webui\\webui\\modules\\call_queue.py", line 57, in f\n        res = list(func(*args, **kwargs))\n' +
    '      File "C:\\sd.webui\\webui\\modules\\sd_hijack_clip.py", line 229, in tokenize_line\n        raise ValueError(f"Could not tokenize {line!r}")\n' +
    "    ValueError: Could not tokenize 'tangerine origami crane'\n" +
    '\n---\n',
  forge:
    '*** Error completing request\n' +
    "*** Arguments: ('task(a1b2c3d4e5f6g7h)', 'gondolier', '', [], 20, 'Euler a', 1, 1, 7, 512, 512) {}\n" +
    '    Traceback (most recent call last):\n' +
    '      File "D:\\webui_forge\\webui\\modules\\call_queue.py", line 57, in f\n        res = list(func(*args, **kwargs))\n' +
    '      File "D:\\webui_forge\\webui\\extensions\\sd-dynamic-prompts\\sd_dynamic_prompts\\dynamic_prompting.py", line 480, in process\n        raise KeyError(word)\n' +
    "    KeyError: 'gondolier'\n" +
    '\n---\n',
  sdnext:
    '12:44:20-271091 INFO     Base: class=StableDiffusionXLPipeline\n' +
    '12:44:31-102344 ERROR    Processing: args={} Prompt bioluminescent harpsichord could not be encoded\n' +
    tb(
      '  File "/app/modules/processing_diffusers.py", line 121, in process_base\n    output = shared.sd_model(**base_args)\n',
      'ValueError: Prompt bioluminescent harpsichord could not be encoded',
    ),
  invokeai:
    '[2025-02-10 21:49:31,102]::[InvokeAI]::ERROR --> Error while invoking session 18f998d3-635e-40cf-add0-eb500c4af8e3, invocation 4b0c (compel): Wildcard __fruit/kumquat__ not found in kumquat lighthouse\n' +
    tb(
      '  File "/home/invoke/.venv/lib/python3.11/site-packages/invokeai/app/services/session_processor/session_processor_default.py", line 129, in run_node\n    output = invocation.invoke_internal(context=context, services=self._services)\n',
      'Exception: Wildcard __fruit/kumquat__ not found in kumquat lighthouse',
    ),
  wan2gp: tb(
    '  File "D:\\Wan2GP\\gradio_server.py", line 975, in generate_video\n    samples = wan_model.generate(\n',
    'ValueError: Prompt quokka marmalade saxophone could not be encoded',
  ),
  kohya: tb('  File "D:\\KohyaSS\\sd-scripts\\train_network.py", line 773, in <module>\n    train(args)\n', "KeyError: 'tangerine'"),
  'ai-toolkit': tb(
    '  File "/app/ai-toolkit/toolkit/prompt_utils.py", line 212, in encode_prompt\n    raise ValueError(f"Prompt {prompt} could not be encoded")\n',
    'ValueError: Prompt zeppelin origami harpsichord could not be encoded',
  ),
  diffusers: 'ValueError: Could not tokenize "aubergine gondolier at dusk"\n',
};
