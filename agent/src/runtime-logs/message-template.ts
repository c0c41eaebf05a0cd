// Error and failure messages leave the host as a template, never as text (docs/privacy.md).
// Runtime exceptions quote what the user typed (`ValueError: Prompt <text> could not be encoded`,
// a custom node's `KeyError: '<word>'`, `Wildcard __x/y__ not found in <text>`), so every part of
// a message that could be user text is replaced by a typed placeholder:
//   <str>    a quoted literal ('...' or "...", or an unterminated one to the end)
//   <path>   anything with a / or \ in it, wildcard names (__x__), URLs, file names with an extension
//   <num>    numbers (integers, decimals, exponents, hex), with a unit glued to them
//   <id>     identifiers: snake_case, camelCase, dotted names, words with digits, ALLCAPS
//   <words>  a run of words that are not in the error-message vocabulary below
// What stays is the vocabulary of the runtimes' own messages and punctuation, so the template still
// reads ("Prompt <words> could not be encoded") and groups: its fingerprint is the same for every
// occurrence of one error, whatever the user wrote.
import { createHash } from 'node:crypto';

export interface MessageTemplate {
  /** The message with user text replaced by placeholders (first line, at most MAX_TEMPLATE chars). */
  readonly template: string;
  /** Stable 16-hex-digit fingerprint of exception type and template. */
  readonly fingerprint: string;
}

const MAX_TEMPLATE = 300;

/**
 * Words the runtimes' and libraries' own error messages are made of (English function words and
 * the technical terms of PyTorch, CUDA and the image/video runtimes). A word not listed here may be
 * the user's and is replaced.
 */
const VOCABULARY = new Set(
  `a about above after again against all allocate allocated allocation allowed already also an and any are argument arguments as at attribute
  available be because been before being below between both but by call called cannot can can't capacity could couldn't current
  data default device devices did didn't does doesn't done down during each either else empty enabled encode encoded encoding
  error errors exceed exceeded exceeds exception expected expects failed fail fails failure false file files find for found free from
  function get given got had has has_no have having here however if in index input inputs instead into invalid is isn't it its
  key keys least less list load loaded loading longer made match matches maximum may memory might minimum missing more most
  must need needs no none not nothing now null object objects of off on once one only or other out output outputs over
  parameter parameters please prompt prompts provided range read received required requires reserved result return returned
  same see set shape shapes should size sizes so some such support supported than that the their them then there these they
  this those to too total tried true try two type types unable unexpected unknown unsupported up use used using valid value
  values was were when where which while will with within without would wrong yet you your
  add adapter attention backend batch block blocks buffer cache cached channel channels checkpoint checkpoints clip clip_l
  clip_g conditioning config context control controlnet conv convolution cpu cuda cudnn cublas decode decoder denoise
  diffusion dimension dimensions dtype embedding embeddings encoder epoch epochs float frame frames gpu grad gradient
  half height hip image images kernel latent latents layer layers lora loras matrix model models module modules mps
  node nodes noise numel operation operator optimizer pipeline precision process processing pytorch queue resolution
  sampler scheduler scale seed sequence step steps tensor tensors text token tokens tokenizer torch train training
  transformer unet vae video vram weight weights width wildcard wildcards workflow
  b bytes kb mb gb kib mib gib ms s sec seconds it/s gpus
  directory named specified indices indexing running through length multiplied header generation encountered likely
  groups errno instead result such while sure check open opened write line first last new tokenize tokenized tokenizing`.split(/\s+/),
);

/** Quoted literal, Python repr style; an unterminated quote runs to the end of the line. */
const QUOTED = /'(?:[^'\\]|\\.)*(?:'|$)|"(?:[^"\\]|\\.)*(?:"|$)/g;
/** URLs, Windows/Unix paths, wildcard names and file names with an extension. */
const PATHLIKE =
  /\b[a-z][a-z0-9+.-]*:\/\/\S+|(?:[A-Za-z]:)?[\w.~-]*[/\\][^\s,;:'"()[\]{}]*|__[\w/.-]+__|\b[\w-]+\.(?:safetensors|ckpt|pt|pth|bin|json|yaml|yml|txt|png|jpe?g|webp|gif|mp4|py|gguf|onnx)\b/g;
const NUMBER = /(?<![\w<])[-+]?(?:0x[0-9a-fA-F]+|\d+(?:[xX×]\d+)+|\d+(?:[.,]\d+)*(?:[eE][-+]?\d+)?)(?:[A-Za-z%]{1,3}\b)?(?![\w>])/g;
const WORD = /[A-Za-z_][\w.'-]*[\w]|[A-Za-z_]/g;
const PLACEHOLDER = /^<(?:str|path|num|id|words)>$/;

/** Short words that join the user words around them into one <words> run ("lighthouse at dusk"). */
const JOINERS = new Set('a an and at by for from in into of on or the to with'.split(' '));

function isIdentifier(w: string): boolean {
  return /[_.\d]/.test(w) || /[a-z][A-Z]/.test(w) || /^[A-Z]{2,}$/.test(w);
}

type Token = { readonly before: string; readonly word: string; readonly kind: 'known' | 'joiner' | 'id' | 'user' };

/** Replaces every word outside the vocabulary: identifiers by <id>, runs of other words by <words>. */
function replaceWords(s: string): string {
  const tokens: Token[] = [];
  let last = 0;
  for (const m of s.matchAll(WORD)) {
    const w = m[0];
    const placeholder = m.index > 0 && s[m.index - 1] === '<' && PLACEHOLDER.test(`<${w}>`);
    const lower = w.toLowerCase();
    const kind = placeholder ? 'known' : JOINERS.has(lower) ? 'joiner' : VOCABULARY.has(lower) ? 'known' : isIdentifier(w) ? 'id' : 'user';
    tokens.push({ before: s.slice(last, m.index), word: w, kind });
    last = m.index + w.length;
  }
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    if (t.kind === 'user') {
      // the run: user words, and joiners or separators between two user words
      let j = i;
      for (let k = i + 1; k < tokens.length; k++) {
        const u = tokens[k] as Token;
        if (!/^[\s,-]*$/.test(u.before)) break;
        if (u.kind === 'user') j = k;
        else if (u.kind !== 'joiner') break;
      }
      out.push(t.before, '<words>');
      i = j;
    } else out.push(t.before, t.kind === 'id' ? '<id>' : t.word);
  }
  out.push(s.slice(last));
  return out.join('');
}

/** The template of a message: first line, user text replaced by typed placeholders. */
export function templateOf(message: string): string {
  const nl = message.indexOf('\n');
  let s = (nl >= 0 ? message.slice(0, nl) : message).trim();
  s = s.replace(QUOTED, '<str>');
  s = s.replace(PATHLIKE, '<path>');
  s = s.replace(NUMBER, '<num>');
  s = replaceWords(s);
  // one run of user text is one <words>, whatever articles, numbers or names it held ("an aubergine, 8k")
  s = s.replace(/(?:\b(?:a|an|the|some)\s+)?<words>(?:[\s,;-]+(?:<words>|<num>|<id>))*(?![\w<])/gi, '<words>');
  s = s.replace(/\s+/g, ' ').trim();
  return s.length > MAX_TEMPLATE ? `${s.slice(0, MAX_TEMPLATE)}…` : s;
}

/** Fingerprint of an error: exception type and template, so equal errors group whatever text they quoted. */
export function fingerprintOf(errorType: string | undefined, template: string): string {
  return createHash('sha256')
    .update(`${errorType ?? ''}\u0000${template}`)
    .digest('hex')
    .slice(0, 16);
}

export function messageTemplate(errorType: string | undefined, message: string): MessageTemplate {
  const template = templateOf(message);
  return { template, fingerprint: fingerprintOf(errorType, template) };
}
