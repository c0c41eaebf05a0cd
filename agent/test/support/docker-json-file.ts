// A json-file encoder written the way docker writes `<id>-json.log`, for tests (no docker daemon
// runs here: the docker CLI is installed but cannot record a container's log, so the files the
// tests read are made by this encoder from the recorded runtime logs). Mirrored from moby
// (github.com/moby/moby), the files read and the commits of the versions read:
// - daemon/logger/copier.go (ab0dccf80174fa5eef4583a0235b0bf57bdff8df): lines are cut at `\n`; a
//   line that fills the 16 KiB buffer without one is logged as partial messages of exactly 16384
//   bytes, all with the first one's time (`partialTS`), the last one ended by the `\n`; at EOF the
//   rest is a partial message with nothing after it. Times are `time.Now().UTC()`.
// - daemon/logger/jsonfilelog/jsonfilelog.go (4be37b158b4037df0f1006d7bdc1f1b996e3b4e6)
//   `marshalMessage`: `\n` appended to whole lines and to the last partial; one JSON object and `\n`.
// - daemon/logger/jsonfilelog/jsonlog/jsonlogbytes.go (46cf8cecc85763b9bef9aa20e9b1f8eba2e88822)
//   `MarshalJSONBuf`: `{"log":...,"stream":...,"attrs":{...},"time":...}` in that order, `log`
//   left out when empty; `ffjsonWriteJSONBytesAsString`: `\\`, `\"`, `\n`, `\r` escaped as such,
//   other bytes < 0x20 and `<`, `>`, `&` as `\u00XX` (lower-case hex), an invalid UTF-8 byte as
//   `\ufffd` (Go's utf8.DecodeRune: one per byte), U+2028/U+2029 as `\u2028`/`\u2029`.
// - daemon/logger/jsonfilelog/jsonlog/time_marshalling.go (6f435f5e9c761b221e21baf5ef82ea5ccd6b9cfa):
//   time.RFC3339Nano (trailing zeros of the fraction dropped, the dot too when it is all zeros).

/** Docker's copier buffer: a longer line is cut into partial messages of this many bytes. */
export const DOCKER_BUF_SIZE = 16 * 1024;

const HEX = '0123456789abcdef';

/** Length of the valid UTF-8 sequence at `i` (Go's utf8.DecodeRune), or 0 when it is invalid. */
function runeLen(b: Uint8Array, i: number): number {
  const c = b[i] ?? 0;
  const cont = (j: number, lo = 0x80, hi = 0xbf): boolean => {
    const x = b[i + j];
    return x !== undefined && x >= lo && x <= hi;
  };
  if (c < 0x80) return 1;
  if (c < 0xc2) return 0;
  if (c < 0xe0) return cont(1) ? 2 : 0;
  if (c < 0xf0) return cont(1, c === 0xe0 ? 0xa0 : 0x80, c === 0xed ? 0x9f : 0xbf) && cont(2) ? 3 : 0;
  if (c < 0xf5) return cont(1, c === 0xf0 ? 0x90 : 0x80, c === 0xf4 ? 0x8f : 0xbf) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

/** `ffjsonWriteJSONBytesAsString`: the JSON string of raw bytes, as docker writes it. */
export function goJsonString(b: Uint8Array): Buffer {
  const out: number[] = [0x22];
  const ascii = (s: string): void => {
    for (let k = 0; k < s.length; k++) out.push(s.charCodeAt(k));
  };
  for (let i = 0; i < b.length;) {
    const c = b[i] as number;
    if (c < 0x80) {
      if (c >= 0x20 && c !== 0x5c && c !== 0x22 && c !== 0x3c && c !== 0x3e && c !== 0x26) out.push(c);
      else if (c === 0x5c || c === 0x22) out.push(0x5c, c);
      else if (c === 0x0a) ascii('\\n');
      else if (c === 0x0d) ascii('\\r');
      else ascii(`\\u00${HEX[c >> 4]}${HEX[c & 15]}`);
      i++;
      continue;
    }
    const n = runeLen(b, i);
    if (n === 0) {
      ascii('\\ufffd');
      i++;
      continue;
    }
    // U+2028 / U+2029: E2 80 A8 / E2 80 A9
    if (n === 3 && c === 0xe2 && b[i + 1] === 0x80 && (b[i + 2] === 0xa8 || b[i + 2] === 0xa9)) ascii(`\\u202${b[i + 2] === 0xa8 ? '8' : '9'}`);
    else for (let k = 0; k < n; k++) out.push(b[i + k] as number);
    i += n;
  }
  out.push(0x22);
  return Buffer.from(out);
}

/** Go's `time.RFC3339Nano` of a UTC time in nanoseconds since the epoch. */
export function rfc3339Nano(ns: bigint): string {
  const ms = Number(ns / 1_000_000n);
  const frac = String(ns % 1_000_000_000n)
    .padStart(9, '0')
    .replace(/0+$/, '');
  return `${new Date(ms).toISOString().slice(0, 19)}${frac === '' ? '' : `.${frac}`}Z`;
}

/** One message as docker's json-file driver writes it (a line of the file, with its `\n`). */
export function jsonFileEntry(line: Uint8Array, stream: 'stdout' | 'stderr', timeNs: bigint, attrs?: string): Buffer {
  const parts: Buffer[] = [];
  parts.push(Buffer.from('{'));
  if (line.length > 0) parts.push(Buffer.from('"log":'), goJsonString(line), Buffer.from(','));
  parts.push(Buffer.from('"stream":'), goJsonString(Buffer.from(stream)));
  if (attrs !== undefined) parts.push(Buffer.from(`,"attrs":${attrs}`));
  parts.push(Buffer.from(`,"time":"${rfc3339Nano(timeNs)}"}\n`));
  return Buffer.concat(parts);
}

export interface EncodeOptions {
  /** Time of the first line, ns since the epoch; each next line is `stepNs` later. */
  readonly t0Ns: bigint;
  readonly stepNs?: bigint;
  /** Stream of the i-th line (default stdout). */
  readonly stream?: (i: number) => 'stdout' | 'stderr';
  /** Partial messages of this many bytes (default docker's 16 KiB). */
  readonly bufSize?: number;
  /** Cut partials only between UTF-8 sequences (docker does not: a split character becomes `\ufffd`). */
  readonly keepCharacters?: boolean;
  /** Raw JSON of the `attrs` object (labels, env, tag). */
  readonly attrs?: string;
}

export interface Encoded {
  readonly file: Buffer;
  /** Per line of the input: its (first message's) time, as written. */
  readonly times: string[];
}

/** The json-file docker writes for a container whose output is `raw` (what a plain log file holds). */
export function encodeJsonFile(raw: Uint8Array | string, o: EncodeOptions): Encoded {
  const bytes = typeof raw === 'string' ? Buffer.from(raw) : Buffer.from(raw);
  const size = o.bufSize ?? DOCKER_BUF_SIZE;
  const out: Buffer[] = [];
  const times: string[] = [];
  let from = 0;
  for (let i = 0; from < bytes.length; i++) {
    const nl = bytes.indexOf(10, from);
    const end = nl < 0 ? bytes.length : nl;
    const t = o.t0Ns + BigInt(i) * (o.stepNs ?? 1_000_123n);
    const stream = o.stream?.(i) ?? 'stdout';
    times.push(rfc3339Nano(t));
    let at = from;
    // partial messages while the rest of the line fills the buffer
    while (end - at >= size) {
      let cut = at + size;
      if (o.keepCharacters === true) while (cut > at && ((bytes[cut] ?? 0) & 0xc0) === 0x80) cut--;
      out.push(jsonFileEntry(bytes.subarray(at, cut), stream, t, o.attrs));
      at = cut;
    }
    if (nl < 0) {
      if (at < end) out.push(jsonFileEntry(bytes.subarray(at, end), stream, t, o.attrs)); // EOF: a partial with nothing after
    } else out.push(jsonFileEntry(bytes.subarray(at, end + 1), stream, t, o.attrs));
    from = end + 1;
  }
  return { file: Buffer.concat(out), times };
}
