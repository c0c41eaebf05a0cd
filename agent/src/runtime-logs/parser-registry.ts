// runtime name → parser (a registry instead of a switch, docs/style.md "10. Do this, like …").
import type { RuntimeName } from '@renderwatch/schema';
import { a1111Parser } from './a1111.js';
import { aiToolkitParser } from './ai-toolkit.js';
import { comfyuiParser } from './comfyui.js';
import { diffusersParser } from './diffusers.js';
import { forgeParser } from './forge.js';
import { invokeaiParser } from './invokeai.js';
import { kohyaParser } from './kohya.js';
import type { RuntimeLogParser } from './log-record.js';
import { sdnextParser } from './sdnext.js';
import { wan2gpParser } from './wan2gp.js';

export const PARSERS: Readonly<Record<RuntimeName, RuntimeLogParser<unknown>>> = {
  comfyui: comfyuiParser,
  a1111: a1111Parser,
  forge: forgeParser,
  sdnext: sdnextParser,
  invokeai: invokeaiParser,
  wan2gp: wan2gpParser,
  diffusers: diffusersParser,
  kohya: kohyaParser,
  'ai-toolkit': aiToolkitParser,
};
