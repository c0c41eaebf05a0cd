// The one place where values become SQL text. ClickHouse 18.16 has no server-side query parameters,
// so every value is escaped here and every identifier is checked here; queries are built only with
// the `sql` tag below (a test fuzzes it with hostile strings).

/** A fragment of SQL that is already safe to splice (built by `sql`, `ident` or `raw`). */
export class SqlFragment {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export type SqlValue = string | number | bigint | boolean | Date | null | readonly SqlValue[] | SqlFragment;

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A table, column or database name; throws on anything but a plain identifier. */
export function ident(name: string): SqlFragment {
  if (!IDENT.test(name)) throw new TypeError(`not a valid SQL identifier: ${JSON.stringify(name)}`);
  return new SqlFragment(name);
}

/** Trusted SQL text written in code (never user input). */
export function raw(text: string): SqlFragment {
  return new SqlFragment(text);
}

/** Escapes a string as a ClickHouse single-quoted literal (backslash and quote escapes). */
export function quoteString(s: string): string {
  let out = "'";
  for (const ch of s) {
    switch (ch) {
      case '\\':
        out += '\\\\';
        break;
      case "'":
        out += "\\'";
        break;
      case '\n':
        out += '\\n';
        break;
      case '\r':
        out += '\\r';
        break;
      case '\t':
        out += '\\t';
        break;
      case '\0':
        out += '\\0';
        break;
      default:
        out += ch;
    }
  }
  return `${out}'`;
}

/** Formats a Date as a DateTime literal in UTC (second precision). */
export function dateTimeLiteral(d: Date): string {
  if (Number.isNaN(d.getTime())) throw new TypeError('invalid date');
  const iso = d.toISOString();
  return `toDateTime(${quoteString(`${iso.slice(0, 10)} ${iso.slice(11, 19)}`)}, 'UTC')`;
}

export function literal(v: SqlValue): string {
  if (v instanceof SqlFragment) return v.text;
  if (v === null) return 'NULL';
  if (typeof v === 'string') return quoteString(v);
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new TypeError(`not a finite number: ${v}`);
    return String(v);
  }
  if (v instanceof Date) return dateTimeLiteral(v);
  if (Array.isArray(v)) return `[${v.map((x: SqlValue) => literal(x)).join(', ')}]`;
  throw new TypeError('unsupported SQL value');
}

/** Tagged template: `sql\`SELECT ... WHERE host = ${host}\`` escapes every interpolated value. */
export function sql(strings: TemplateStringsArray, ...values: SqlValue[]): SqlFragment {
  let text = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) {
    text += literal(values[i] as SqlValue) + (strings[i + 1] ?? '');
  }
  return new SqlFragment(text);
}

/** Joins fragments with a separator (for optional WHERE clauses). */
export function joinSql(parts: readonly SqlFragment[], sep: string): SqlFragment {
  return new SqlFragment(parts.map((p) => p.text).join(sep));
}
