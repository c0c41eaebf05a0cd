// Typed ClickHouse errors, from the server's numeric error code (ClickHouse's ErrorCodes.cpp). The
// client's own parser reads the `(TYPE)` suffix of current servers and hands their answer over as its
// ClickHouseError (the numeric code in `code`, the text without its `Code: N.` prefix); an 18.16
// answer it hands over as a plain Error whose message this module parses:
//   `Code: 60, e.displayText() = DB::Exception: <text>, e.what() = DB::Exception` (18.16)
//   `Code: 60. DB::Exception: <text>. (UNKNOWN_TABLE) (version 24.x)` (current, when unparsed)
// and a cluster-wrapped error (`... error on [host]: Code: 57. DB::Exception: ...`) at its innermost
// code. Callers branch on `type` (or, for a failed connection, on the system error code), never on
// message text.

import { ClickHouseError } from '@clickhouse/client';

/** The server error codes the collector branches on, by their ClickHouse names. */
export const CLICKHOUSE_ERROR_CODES = {
  DUPLICATE_COLUMN: 15, // current servers: ALTER ... ADD COLUMN of a column that exists
  ILLEGAL_COLUMN: 44, // 18.16: the same
  UNKNOWN_IDENTIFIER: 47,
  TABLE_ALREADY_EXISTS: 57,
  UNKNOWN_TABLE: 60,
  SYNTAX_ERROR: 62,
  UNKNOWN_DATABASE: 81,
  TIMEOUT_EXCEEDED: 159,
  TOO_MANY_SIMULTANEOUS_QUERIES: 202,
  MEMORY_LIMIT_EXCEEDED: 241,
} as const;

export type ClickHouseErrorType = keyof typeof CLICKHOUSE_ERROR_CODES | 'OTHER';

const TYPE_OF_CODE = new Map<number, ClickHouseErrorType>(Object.entries(CLICKHOUSE_ERROR_CODES).map(([type, code]) => [code, type as ClickHouseErrorType]));

/** An error the ClickHouse server answered with. `message` is the server's text without the code prefix. */
export class ClickHouseServerError extends Error {
  readonly code: number;
  readonly type: ClickHouseErrorType;
  constructor(code: number, message: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'ClickHouseServerError';
    this.code = code;
    this.type = TYPE_OF_CODE.get(code) ?? 'OTHER';
  }
}

const CODE = /Code: (\d+)[.,]/g;
const EXCEPTION = 'DB::Exception: ';
const TYPE_MARKER = /\s\((?=[A-Z0-9_]*[A-Z]{3})[A-Z0-9_]+\)/;

function parse(message: string, cause: Error): ClickHouseServerError | undefined {
  const last = [...message.matchAll(CODE)].at(-1);
  if (last?.[1] === undefined) return undefined;
  const rest = message.slice((last.index ?? 0) + last[0].length);
  const at = rest.indexOf(EXCEPTION);
  if (at < 0) return undefined;
  const body = rest.slice(at + EXCEPTION.length).replace(/, e\.what\(\) = DB::Exception\s*$/, '');
  // A current server ends the text at its ` (TYPE)` marker (then the version).
  const marker = TYPE_MARKER.exec(body);
  const text = (marker === null ? body : body.slice(0, marker.index)).trim();
  return new ClickHouseServerError(Number(last[1]), text, cause);
}

/** The server error in `err` (or in its cause chain), or undefined when ClickHouse did not answer one. */
export function clickHouseErrorOf(err: unknown): ClickHouseServerError | undefined {
  for (let e = err, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if (e instanceof ClickHouseServerError) return e;
    const parsed = parse(e.message, e);
    if (parsed !== undefined) return parsed;
    // the client's ClickHouseError of a current server: the code it parsed, the message without it
    if (e instanceof ClickHouseError && /^\d+$/.test(e.code)) return new ClickHouseServerError(Number(e.code), e.message, e);
  }
  return undefined;
}

/** Whether `err` is (or was caused by) a ClickHouse server error of one of `types`. */
export function isClickHouseError(err: unknown, ...types: ClickHouseErrorType[]): boolean {
  const ch = clickHouseErrorOf(err);
  return ch !== undefined && types.includes(ch.type);
}

/** Node's codes for a connection that failed or broke (the request never got a server answer). */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'UND_ERR_SOCKET']);

/** Whether `err` (or its cause chain) is a network failure reaching ClickHouse, by the system error code. */
export function isNetworkError(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
  }
  return false;
}
