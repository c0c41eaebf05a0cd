// Prompts never leave the host (docs/design.md "Privacy"). Every free-text value a parser emits goes
// through `redactMessage`; prompt-bearing records (A1111 `*** Arguments:`, ComfyUI `invalid prompt`
// dumps, WebSocket payloads) are never copied at all, only counted or mined for numbers.
// Exception messages are not copied either: what leaves the host is their template and its
// fingerprint (message-template.ts); the redacted first line is sent only on the agent's explicit
// opt-in AGENT_ERROR_MESSAGES=raw (docs/privacy.md).
import type { RuntimeEvent } from '@renderwatch/schema';
import { messageTemplate } from './message-template.js';

const MAX_MESSAGE = 300;
/** Quoted literals: '...' or "..." (Python repr quoting, backslash escapes). */
const QUOTED = /'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"/g;
/** A quoted literal that is clearly an identifier, path or number, not free text. */
const SAFE_LITERAL = /^['"][\w.:/\\@+-]{0,80}['"]$/;
const PROMPT_KEY = /\b(?:prompt|negative_prompt|text|positive|negative|caption)\b['"]?\s*[:=]/i;

export const REDACTED = '<redacted>';

/** First line of a message, with anything that could be user text replaced by `<redacted>`. */
export function redactMessage(message: string): string {
  let s = message;
  const nl = s.indexOf('\n');
  if (nl >= 0) s = s.slice(0, nl);
  s = s.trim();
  // `key: <text>` / `key=<text>` for prompt-like keys: drop everything after the key.
  const pk = PROMPT_KEY.exec(s);
  if (pk !== null) s = `${s.slice(0, pk.index + pk[0].length)} ${REDACTED}`;
  s = s.replace(QUOTED, (lit) => (SAFE_LITERAL.test(lit) ? lit : `'${REDACTED}'`));
  // a dangling unterminated quote (message cut mid-literal) hides the rest
  const dangling = /(^|[\s(:=[{,])(['"])(?![^'"]*\2)/.exec(s);
  if (dangling !== null) s = `${s.slice(0, dangling.index + (dangling[1] ?? '').length)}'${REDACTED}'`;
  if (s.length > MAX_MESSAGE) s = `${s.slice(0, MAX_MESSAGE)}…`;
  return s;
}

/** The message fields of an `error` event: template and fingerprint always, the redacted raw line for the opt-in. */
export function errorMessageFields(
  errorType: string | undefined,
  message: string | undefined,
): { message?: string; message_fingerprint?: string; message_raw?: string } {
  const t = messageTemplate(errorType, message ?? '');
  if (message === undefined || message === '') return errorType === undefined ? {} : { message_fingerprint: t.fingerprint };
  return { message: t.template, message_fingerprint: t.fingerprint, message_raw: redactMessage(message) };
}

/** AGENT_ERROR_MESSAGES: `template` (default) sends templates only; `raw` sends the redacted first line instead. */
export type ErrorMessageMode = 'template' | 'raw';

/** The event as it may leave the host: `message_raw` is dropped, or becomes `message` on the raw opt-in. */
export function applyErrorMessagePolicy(e: RuntimeEvent, mode: ErrorMessageMode): RuntimeEvent {
  if (e.kind !== 'error' || e.message_raw === undefined) return e;
  const { message_raw: rawLine, ...rest } = e;
  return mode === 'raw' ? { ...rest, message: rawLine } : rest;
}
