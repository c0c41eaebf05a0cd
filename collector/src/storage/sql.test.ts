import { array, assert as fcAssert, constantFrom, oneof, property, string } from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dateTimeLiteral, ident, literal, quoteString, sql } from './sql.js';

/**
 * Reads a ClickHouse single-quoted literal back, the way the server's lexer does; undefined when
 * the literal is malformed (an unescaped quote would end it early).
 */
function unquote(lit: string): string | undefined {
  if (!lit.startsWith("'") || !lit.endsWith("'") || lit.length < 2) return undefined;
  const body = lit.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '\\') {
      const n = body[++i];
      out += n === 'n' ? '\n' : n === 'r' ? '\r' : n === 't' ? '\t' : n === '0' ? '\0' : (n ?? '');
    } else {
      if (c === "'") return undefined;
      out += c;
    }
  }
  return out;
}

describe('sql', () => {
  it('escapes quotes and backslashes so the literal reads back unchanged', () => {
    expect(quoteString("a'b\\c")).toBe("'a\\'b\\\\c'");
    expect(unquote(quoteString("x' OR 1=1 --"))).toBe("x' OR 1=1 --");
  });

  it('round-trips any string through a literal (property)', () => {
    const hostile = array(constantFrom("'", '\\', '\n', '\r', '\t', '\0', '"', '`', ';', '--', 'é', '😀', 'x')).map((a) => a.join(''));
    fcAssert(
      property(oneof(string({ maxLength: 64 }), hostile), (s) => unquote(quoteString(s)) === s),
      { numRuns: 500 },
    );
  });

  it('splices escaped values into a template', () => {
    const host = "evil'; DROP TABLE gpu_samples; --";
    expect(sql`SELECT 1 WHERE host = ${host} AND n = ${3}`.text).toBe("SELECT 1 WHERE host = 'evil\\'; DROP TABLE gpu_samples; --' AND n = 3");
  });

  it('formats dates, arrays, booleans and null', () => {
    expect(dateTimeLiteral(new Date('2026-11-22T01:02:03.456Z'))).toBe("toDateTime('2026-11-22 01:02:03', 'UTC')");
    expect(literal(['a', 1, true, null])).toBe("['a', 1, 1, NULL]");
  });

  it('refuses non-finite numbers and invalid identifiers', () => {
    expect(() => literal(Number.NaN)).toThrow(/finite/);
    expect(() => ident('gpu_samples; DROP')).toThrow(/identifier/);
    expect(ident('gpu_samples').text).toBe('gpu_samples');
  });
});
