import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fingerprintOf, messageTemplate, templateOf } from './message-template.js';
import { applyErrorMessagePolicy, errorMessageFields } from './redact.js';

describe('templateOf', () => {
  it.each([
    // user text quoted, unquoted, in a wildcard, in a path
    ['Prompt a lighthouse at dusk, oil painting could not be encoded', 'Prompt <words> could not be encoded'],
    ["'aubergine'", '<str>'],
    ['Wildcard __colors/warm__ not found in a lighthouse at dusk', 'Wildcard <path> not found in <words>'],
    ['Wildcard __lighthouse__ not found', 'Wildcard <path> not found'],
    ["[Errno 2] No such file or directory: 'C:\\\\Users\\\\bob\\\\lighthouse.txt'", '[Errno <num>] No such file or directory: <str>'],
    ['could not open /srv/comfy/input/lighthouse at dusk.png', 'could not open <path> at <path>'],
    ['expected "a lighthouse at dusk', 'expected <str>'],
    // the runtimes' own messages keep their words; numbers, identifiers and sizes go
    [
      'Token indices sequence length is longer than the specified maximum sequence length for this model (93 > 77).',
      'Token indices sequence length is longer than the specified maximum sequence length for this model (<num> > <num>).',
    ],
    ['mat1 and mat2 shapes cannot be multiplied (77x2048 and 768x320)', '<id> and <id> shapes cannot be multiplied (<num> and <num>)'],
    [
      'Input type (torch.cuda.HalfTensor) and weight type (torch.FloatTensor) should be the same',
      'Input type (<id>) and weight type (<id>) should be the same',
    ],
    [
      'Expected all tensors to be on the same device, but found at least two devices, cuda:0 and cpu!',
      'Expected all tensors to be on the same device, but found at least two devices, cuda:<num> and cpu!',
    ],
    ['Allocation on device 0 would exceed allowed memory. (out of memory)', 'Allocation on device <num> would exceed allowed memory. (out of memory)'],
    ["No module named 'xformers'", 'No module named <str>'],
    // only the first line, blanks collapsed
    ['first   line\nsecond line with lighthouse', 'first line'],
  ])('%j → %j', (message, template) => {
    expect(templateOf(message)).toBe(template);
  });

  it('cuts the template at 300 characters', () => {
    const t = templateOf(`error ${'(1) '.repeat(200)}`);
    expect(t.length).toBe(301);
    expect(t.endsWith('…')).toBe(true);
  });
});

describe('fingerprintOf', () => {
  it('is the first 16 hex digits of sha256 over type, NUL, template', () => {
    expect(fingerprintOf('KeyError', '<str>')).toBe(createHash('sha256').update('KeyError\u0000<str>').digest('hex').slice(0, 16));
    expect(fingerprintOf('KeyError', '<str>')).toBe('0568ce21771bec22');
  });

  it('groups one error whatever the user wrote, and separates different errors', () => {
    const a = messageTemplate('ValueError', 'Prompt a lighthouse at dusk could not be encoded');
    const b = messageTemplate('ValueError', 'Prompt an aubergine on a plate, 8k could not be encoded');
    expect(a).toEqual(b);
    expect(messageTemplate('KeyError', 'Prompt a lighthouse could not be encoded').fingerprint).not.toBe(a.fingerprint);
    expect(messageTemplate('ValueError', 'Prompt a lighthouse could not be decoded').fingerprint).not.toBe(a.fingerprint);
  });
});

describe('error message policy (AGENT_ERROR_MESSAGES)', () => {
  const e = { kind: 'error' as const, runtime: 'comfyui' as const, error_type: 'KeyError', ...errorMessageFields('KeyError', "'lighthouse'") };

  it('keeps the template and drops the raw line by default', () => {
    expect(e).toEqual({
      kind: 'error',
      runtime: 'comfyui',
      error_type: 'KeyError',
      message: '<str>',
      message_fingerprint: '0568ce21771bec22',
      message_raw: "'lighthouse'",
    });
    expect(applyErrorMessagePolicy(e, 'template')).toEqual({
      kind: 'error',
      runtime: 'comfyui',
      error_type: 'KeyError',
      message: '<str>',
      message_fingerprint: '0568ce21771bec22',
    });
  });

  it('sends the redacted first line instead on the raw opt-in, fingerprint unchanged', () => {
    expect(applyErrorMessagePolicy(e, 'raw')).toEqual({
      kind: 'error',
      runtime: 'comfyui',
      error_type: 'KeyError',
      message: "'lighthouse'",
      message_fingerprint: '0568ce21771bec22',
    });
  });

  it('gives an untyped error without message neither message nor fingerprint', () => {
    expect(errorMessageFields(undefined, undefined)).toEqual({});
    expect(errorMessageFields('RuntimeError', '')).toEqual({ message_fingerprint: fingerprintOf('RuntimeError', '') });
  });
});
