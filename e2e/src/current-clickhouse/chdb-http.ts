// ClickHouse's HTTP interface, the part the collector's client (@clickhouse/client) speaks, in front of
// chDB: the ClickHouse engine of a current release (26.x) as a library, from npm (`chdb`, with the
// platform package `@chdb/lib-linux-x64-gnu`). Debian's ClickHouse is 18.16; this lets the tests run
// the collector's migrations and queries on a current ClickHouse too (docs/storage.md "ClickHouse versions").
//
// Run as its own process (chDB keeps one engine per process): `node --import tsx/esm chdb-http.ts DIR`
// prints `{"port":N,"version":"26.…"}` on its first line and serves until SIGTERM.
//   GET  /ping          → `Ok.`
//   POST /?query=…      → the `query` parameter, then the body (statement or data), as ClickHouse does
//   ?database=D         → `USE D` first; other parameters that are settings → `SET k = v` first, and
//                         `SET k = DEFAULT` after (the session is shared; settings are per request)
// Errors answer 500 with ClickHouse's own `Code: N. DB::Exception: …` text and the
// X-ClickHouse-Exception-Code header, as the server does. Queries run one at a time.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';

interface ChdbResult {
  text(): string;
}
interface ChdbSession {
  queryAsync(query: string, opts?: { format?: string }): Promise<ChdbResult>;
  cleanup(): void;
}
interface ChdbError extends Error {
  clickhouseCode?: number;
}

/** URL parameters of the HTTP interface that are not settings. */
const NOT_SETTINGS = new Set([
  'query',
  'database',
  'query_id',
  'default_format',
  'user',
  'password',
  'session_id',
  'session_timeout',
  'compress',
  'decompress',
]);
const SETTING = /^[a-z_][a-z0-9_]*$/;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

/** What the HTTP interface would run: settings and database first, then query + body; `reset` undoes the settings. */
export function statementOf(params: URLSearchParams, text: string): { stmt: string; reset: string | undefined } {
  const pre: string[] = [];
  const set: string[] = [];
  const db = params.get('database');
  if (db !== null && SETTING.test(db.toLowerCase())) pre.push(`USE ${db}`);
  for (const [k, v] of params) {
    if (NOT_SETTINGS.has(k) || k.startsWith('param_') || !SETTING.test(k)) continue;
    pre.push(`SET ${k} = ${/^-?\d+(\.\d+)?$/.test(v) ? v : `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`}`);
    set.push(k);
  }
  const q = params.get('query');
  const statement = q === null ? text : text === '' ? q : `${q}\n${text}`;
  return { stmt: [...pre, statement].join(';\n'), reset: set.length === 0 ? undefined : set.map((k) => `SET ${k} = DEFAULT`).join(';\n') };
}

async function main(): Promise<void> {
  const dir = process.argv[2];
  if (dir === undefined) throw new Error('usage: chdb-http.ts DIR (the chDB session directory)');
  const require = createRequire(import.meta.url);
  const { Session } = require('chdb') as { Session: new (path: string) => ChdbSession };
  const session = new Session(dir);
  const version = (await session.queryAsync('SELECT version()', { format: 'TSV' })).text().trim();
  let queue: Promise<unknown> = Promise.resolve();
  const run = ({ stmt, reset }: { stmt: string; reset: string | undefined }): Promise<string> => {
    const next = queue.then(async () => {
      try {
        return (await session.queryAsync(stmt)).text();
      } finally {
        if (reset !== undefined) await session.queryAsync(reset);
      }
    });
    queue = next.catch(() => undefined);
    return next;
  };
  const answer = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/ping') {
      res.end('Ok.\n');
      return;
    }
    const stmt = statementOf(url.searchParams, await readBody(req));
    try {
      const out = await run(stmt);
      res.setHeader('X-ClickHouse-Summary', '{}');
      res.end(out);
    } catch (err: unknown) {
      const e = err as ChdbError;
      const text = e.message.replace(/^Query failed: /, '');
      res.statusCode = 500;
      res.setHeader('X-ClickHouse-Exception-Code', String(e.clickhouseCode ?? /Code: (\d+)/.exec(text)?.[1] ?? 1000));
      res.end(`${text}\n`);
    }
  };
  const server = createServer((req, res) => {
    answer(req, res).catch((err: unknown) => {
      res.statusCode = 500;
      res.end(`Code: 1000. DB::Exception: ${String(err)}\n`);
    });
  });
  server.listen(0, '127.0.0.1', () => {
    const addr = server.address();
    process.stdout.write(`${JSON.stringify({ port: typeof addr === 'object' && addr !== null ? addr.port : 0, version })}\n`);
  });
  process.on('SIGTERM', () => {
    server.close();
    session.cleanup();
    process.exit(0);
  });
}

if (process.argv[1]?.endsWith('chdb-http.ts') === true) {
  main().catch((err: unknown) => {
    process.stderr.write(`chdb-http: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
