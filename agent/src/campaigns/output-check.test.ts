import { describe, expect, it } from 'vitest';
import type { OutputFileRef } from './comfyui-campaigns.js';
import { missingOutputs } from './output-check.js';

const f = (name: string): OutputFileRef => ({ filename: name, subfolder: '', type: 'output' });

describe('missingOutputs', () => {
  it('counts the files the runtime no longer serves per campaign; a campaign with an unanswered file is left out', async () => {
    const answers: Record<string, boolean | undefined> = {
      'a1.png': true,
      'a2.png': false,
      'a3.png': false,
      'b1.png': true,
      'b2.png': undefined,
      'c1.png': true,
    };
    const asked: string[] = [];
    const r = await missingOutputs(
      new Map([
        ['camp-a', [f('a1.png'), f('a2.png'), f('a3.png')]],
        ['camp-b', [f('b1.png'), f('b2.png')]],
        ['camp-c', [f('c1.png')]],
      ]),
      async (x) => {
        asked.push(x.filename);
        return answers[x.filename];
      },
    );
    expect(r).toEqual(
      new Map([
        ['camp-a', 2],
        ['camp-c', 0],
      ]),
    );
    expect(asked).toEqual(['a1.png', 'a2.png', 'a3.png', 'b1.png', 'b2.png', 'c1.png']);
  });
});
