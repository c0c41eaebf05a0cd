// Docker's default logging driver, `json-file` (`/var/lib/docker/containers/<id>/<id>-json.log`):
// one JSON object per line, `{"log":"<text>","stream":"stdout|stderr"[,"attrs":{...}],"time":"<RFC 3339 nano, UTC>"}`
// (moby daemon/logger/jsonfilelog: jsonfilelog.go `marshalMessage`, jsonlog/jsonlogbytes.go
// `MarshalJSONBuf`; docs/runtime-adapters.md "Line formats accepted"). `log` ends with `\n` for a
// whole line; docker's copier (daemon/logger/copier.go) cuts a line longer than its 16 KiB buffer
// into entries without the `\n`, all with the first one's time, the last one with it. Docker escapes
// `<`, `>`, `&`, control characters and U+2028/9 as `\u00XX`/`\u202X` and writes invalid UTF-8 as
// `\ufffd`; JSON.parse undoes all of it.
//
// An entry becomes the line containerd would have written for it, `<time> <stream> <F|P> <text>`,
// so the record assembler joins the partial entries per stream, keeps the entry's time as the
// line's (zoned) time and keeps the committed offset before a held chunk (record-assembler.ts).

/** How a followed file's lines are written: decided once per file, from its first non-empty line. */
export type LogFileFormat = 'plain' | 'docker-json';

/** The first non-empty line of a file says its format (docker writes `{"log":` first, always). */
export function detectLogFileFormat(firstNonEmptyLine: string): LogFileFormat {
  return firstNonEmptyLine.startsWith('{"log":') ? 'docker-json' : 'plain';
}

/** RFC 3339 with up to 9 fraction digits (Go's RFC3339Nano drops trailing zeros, and the dot). */
const TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:\d\d)$/;

function entryToCri(v: unknown, out: string[]): string | undefined {
  if (typeof v !== 'object' || v === null) return 'json-file line is not a JSON object';
  const o = v as { log?: unknown; stream?: unknown; time?: unknown };
  // docker leaves out an empty `log` (omitempty); its whole lines carry at least the `\n`
  const log = o.log === undefined ? '' : o.log;
  if (typeof log !== 'string') return 'json-file line without a string "log"';
  if (o.stream !== 'stdout' && o.stream !== 'stderr') return 'json-file line without "stream": stdout or stderr';
  if (typeof o.time !== 'string' || !TIME.test(o.time)) return 'json-file line without an RFC 3339 "time"';
  const head = `${o.time} ${o.stream} `;
  // docker's copier splits at every `\n`, so an entry holds at most its final one; another
  // writer's entry with several is read as several lines
  let from = 0;
  for (let nl = log.indexOf('\n'); nl >= 0; nl = log.indexOf('\n', from)) {
    out.push(`${head}F ${log.slice(from, nl)}`);
    from = nl + 1;
  }
  if (from < log.length) out.push(`${head}P ${log.slice(from)}`);
  return undefined;
}

/**
 * One physical line of a json-file log: pushes the containerd-form lines of its entry to `out` (the
 * caller reads them), and returns why the line was not read whole (the caller counts it unreadable),
 * or undefined. Not JSON (a torn write, a foreign line), or fields missing: nothing is pushed. A
 * line that starts with a NUL run (a file extended after a crash) is read from the `{` after the
 * run, and still counted once.
 */
export function dockerJsonToCri(line: string, out: string[]): string | undefined {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    const nul = line.lastIndexOf('\0');
    if (nul >= 0 && line.startsWith('{"', nul + 1)) {
      if (dockerJsonToCri(line.slice(nul + 1), out) === undefined) return 'NUL bytes before a json-file entry';
    }
    return line.includes('\0') ? 'NUL bytes in a json-file line' : 'json-file line is not JSON (torn or foreign)';
  }
  return entryToCri(v, out);
}
