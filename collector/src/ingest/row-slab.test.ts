// Slab views carry exactly each text's UTF-8 bytes, and joining adjacent views gives the group's
// bytes in order: what Buffer.concat of the per-batch Buffers gave, without the copy.
import { array, assert as fcAssert, property, string } from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createByteSlab, joinAdjacent } from './row-slab.js';

describe('createByteSlab / joinAdjacent', () => {
  it('gives each text its UTF-8 bytes, and the joined views of any run of texts their concatenation', () => {
    fcAssert(
      property(array(string({ unit: 'grapheme', maxLength: 300 }), { maxLength: 40 }), (texts) => {
        const slab = createByteSlab(256); // small slabs: texts cross into new slabs often
        const views = texts.map((t) => slab.write(t));
        views.forEach((v, i) => expect(v.toString('utf8')).toBe(texts[i]));
        const joined = joinAdjacent(views);
        expect(Buffer.concat(joined).toString('utf8')).toBe(texts.join(''));
        expect(joined.every((b) => b.length > 0)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('joins consecutive texts of one slab into one view, keeps a gap (a duplicate left out) and another slab apart', () => {
    const slab = createByteSlab(8192); // over the pool size: byteOffset 0 in an ArrayBuffer of its own
    const [a, b, c, d] = ['{"a":1}\n', '{"b":"ü"}\n', '{"c":3}\n', '{"d":4}\n'].map((t) => slab.write(t));
    if (a === undefined || b === undefined || c === undefined || d === undefined) throw new Error('no views');
    expect(joinAdjacent([a, b, c, d]).map((v) => v.toString())).toEqual(['{"a":1}\n{"b":"ü"}\n{"c":3}\n{"d":4}\n']);
    expect(joinAdjacent([a, c, d]).map((v) => v.toString())).toEqual(['{"a":1}\n', '{"c":3}\n{"d":4}\n']);
    const otherSlab = createByteSlab(8192);
    const other = otherSlab.write('{"e":5}\n');
    expect(joinAdjacent([c, other, d]).map((v) => v.toString())).toEqual(['{"c":3}\n', '{"e":5}\n', '{"d":4}\n']);
    // right after `a` by offset, but in another slab
    const f = otherSlab.write('{"f":6}\n');
    expect(f.byteOffset).toBe(a.byteOffset + a.length);
    expect(joinAdjacent([a, f]).map((v) => v.toString())).toEqual(['{"a":1}\n', '{"f":6}\n']);
    // a view is not rewritten by later texts
    slab.write('x'.repeat(900));
    expect(a.toString()).toBe('{"a":1}\n');
  });
});
