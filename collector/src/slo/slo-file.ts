// Reads the SLO file: YAML → zod-checked SloFile. Every problem is reported with the line and
// column it comes from (`slos.yaml:12:5: slos[1].objective: ...`), so an operator can fix it.
import { readFile } from 'node:fs/promises';
import { SloFileSchema, type SloFile } from '@renderwatch/schema';
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';

export type SloFileResult = { ok: true; file: SloFile } | { ok: false; errors: string[] };

type PathKey = string | number;

function formatPath(path: readonly PathKey[]): string {
  let out = '';
  for (const k of path) out += typeof k === 'number' ? `[${k}]` : out === '' ? k : `.${k}`;
  return out === '' ? '(root)' : out;
}

/** Start offset of the deepest node on `path` that exists in the document. */
function offsetOf(doc: Document, path: readonly PathKey[]): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node: unknown = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range !== undefined && node.range !== null) return node.range[0];
  }
  return undefined;
}

/** Parses and validates SLO file text; `source` names the file in messages. */
export function parseSloFile(text: string, source = 'slos.yaml'): SloFileResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const where = (offset: number | undefined): string => {
    if (offset === undefined) return source;
    const p = lineCounter.linePos(offset);
    return `${source}:${p.line}:${p.col}`;
  };
  if (doc.errors.length > 0) {
    return { ok: false, errors: doc.errors.map((e) => `${where(e.pos[0])}: YAML syntax: ${e.message.split('\n')[0] ?? e.message}`) };
  }
  const parsed = SloFileSchema.safeParse(doc.toJS());
  if (parsed.success) return { ok: true, file: parsed.data };
  const errors = parsed.error.issues.map((issue) => {
    const path = issue.path.filter((k): k is PathKey => typeof k === 'string' || typeof k === 'number');
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
    const at = keys[0] === undefined ? path : [...path, keys[0]];
    return `${where(offsetOf(doc, at))}: ${formatPath(path)}: ${issue.message}`;
  });
  return { ok: false, errors };
}

/** Reads and parses the file at `path`; an unreadable file is an error value too. */
export async function readSloFile(path: string): Promise<SloFileResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err: unknown) {
    return { ok: false, errors: [`${path}: cannot read: ${err instanceof Error ? err.message : String(err)}`] };
  }
  return parseSloFile(text, path);
}
