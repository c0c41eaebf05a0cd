// Expands the grafana-clickhouse-datasource macros and Grafana template variables the way the
// plugin does (docs: observability-anchors §4), so panel SQL can run against a real ClickHouse in
// tests. $__timeInterval expands to toStartOfInterval, as in the plugin, so a panel using it fails
// on ClickHouse 18.16 exactly as it would in Grafana against that server.

export interface GrafanaQueryContext {
  fromS: number;
  toS: number;
  intervalS: number;
  /** Template variables: their selected values, or 'All'. */
  vars: Readonly<Record<string, readonly string[] | 'All'>>;
  /** Every value of each variable (what "All" stands for when a format needs the list). */
  allValues?: Readonly<Record<string, readonly string[]>>;
}

const quote = (v: string): string => `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** Finds `name(` calls and hands their raw argument text (balanced parentheses) to `fn`. */
function replaceCalls(sql: string, name: string, fn: (args: string) => string): string {
  let out = '';
  let i = 0;
  for (;;) {
    const at = sql.indexOf(`${name}(`, i);
    if (at < 0) return out + sql.slice(i);
    let depth = 0;
    let j = at + name.length;
    for (; j < sql.length; j += 1) {
      if (sql[j] === '(') depth += 1;
      else if (sql[j] === ')') {
        depth -= 1;
        if (depth === 0) break;
      }
    }
    if (depth !== 0) throw new Error(`unbalanced ${name}( in: ${sql.slice(at, at + 80)}`);
    out += sql.slice(i, at) + fn(sql.slice(at + name.length + 1, j));
    i = j + 1;
  }
}

function splitTopLevelComma(args: string): [string, string] {
  let depth = 0;
  for (let k = args.length - 1; k >= 0; k -= 1) {
    const c = args[k];
    if (c === ')') depth += 1;
    else if (c === '(') depth -= 1;
    else if (c === ',' && depth === 0) return [args.slice(0, k).trim(), args.slice(k + 1).trim()];
  }
  throw new Error(`expected two arguments: ${args}`);
}

function values(ctx: GrafanaQueryContext, name: string): readonly string[] {
  const v = ctx.vars[name];
  if (v === undefined) throw new Error(`template variable $${name} is not defined`);
  return v === 'All' ? (ctx.allValues?.[name] ?? []) : v;
}

function formatVar(ctx: GrafanaQueryContext, name: string, format: string | undefined): string {
  const vs = values(ctx, name);
  switch (format) {
    case 'singlequote':
    case 'sqlstring':
      return vs.length === 0 ? "''" : vs.map(quote).join(',');
    case 'csv':
    case undefined:
      return vs.join(',');
    default:
      throw new Error(`unsupported variable format ${format}`);
  }
}

export function expandGrafanaSql(sql: string, ctx: GrafanaQueryContext): string {
  const from = `toDateTime(${Math.floor(ctx.fromS)})`;
  const to = `toDateTime(${Math.floor(ctx.toS)})`;
  let s = replaceCalls(sql, '$__conditionalAll', (args) => {
    const [cond, v] = splitTopLevelComma(args);
    const name = v.replace(/^\$\{?|\}$/g, '');
    return ctx.vars[name] === 'All' ? '1=1' : cond;
  });
  s = replaceCalls(s, '$__timeFilter', (col) => `${col.trim()} >= ${from} AND ${col.trim()} <= ${to}`);
  s = replaceCalls(s, '$__dateFilter', (col) => `${col.trim()} >= toDate(${from}) AND ${col.trim()} <= toDate(${to})`);
  s = replaceCalls(s, '$__timeInterval', (col) => `toStartOfInterval(toDateTime(${col.trim()}), INTERVAL ${ctx.intervalS} second)`);
  s = s
    .replace(/\$__fromTime\b/g, from)
    .replace(/\$__toTime\b/g, to)
    .replace(/\$__interval_s\b/g, String(ctx.intervalS));
  s = s.replace(/\$\{(\w+)(?::(\w+))?\}/g, (_m, name: string, format: string | undefined) => formatVar(ctx, name, format));
  s = s.replace(/\$(\w+)\b/g, (_m, name: string) => formatVar(ctx, name, undefined));
  if (s.includes('$')) throw new Error(`unexpanded macro or variable in: ${s}`);
  return s;
}
