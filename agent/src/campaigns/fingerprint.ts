// A ComfyUI prompt graph (API format: node id → {class_type, inputs}) reduced to two hashes. Pure.
// - The workflow fingerprint: node ids, their class_type and the links between them (an input that
//   is `[source node id, output slot]`), never an input's value. Two prompts of the same workflow
//   with other seeds, prompts or sizes have the same fingerprint; another node or link changes it.
// - The job key: the whole graph, values included, hashed with the agent's own random salt, so the
//   same work submitted twice has the same key (a redone job) while the key says nothing about the
//   prompt text (no dictionary attack without the salt, which never leaves the host).
import { createHash } from 'node:crypto';

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** `[node id, slot]`: a link to another node's output. */
function linkOf(v: unknown): string | undefined {
  if (!Array.isArray(v) || v.length !== 2) return undefined;
  const [src, slot] = v as unknown[];
  if ((typeof src !== 'string' && typeof src !== 'number') || typeof slot !== 'number' || !Number.isInteger(slot)) return undefined;
  return `${String(src)}:${slot}`;
}

const hex16 = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 16);

/** The workflow's shape as text: `id=class_type(input<-src:slot,...)` per node, sorted. Undefined for no graph. */
export function workflowShape(graph: unknown): string | undefined {
  if (!isRecord(graph)) return undefined;
  const nodes: string[] = [];
  for (const id of Object.keys(graph).sort()) {
    const node = graph[id];
    if (!isRecord(node)) continue;
    const type = typeof node['class_type'] === 'string' ? node['class_type'] : '?';
    const inputs = isRecord(node['inputs']) ? node['inputs'] : {};
    const links: string[] = [];
    for (const name of Object.keys(inputs).sort()) {
      const l = linkOf(inputs[name]);
      if (l !== undefined) links.push(`${name}<-${l}`);
    }
    nodes.push(`${id}=${type}(${links.join(',')})`);
  }
  return nodes.length === 0 ? undefined : nodes.join(';');
}

/** 16 hex digits of sha256 over the workflow's shape; undefined when the graph has no nodes. */
export function workflowFingerprint(graph: unknown): string | undefined {
  const shape = workflowShape(graph);
  return shape === undefined ? undefined : hex16(shape);
}

/** JSON with object keys sorted at every depth (the same graph always gives the same text). */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isRecord(v))
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

/** 16 hex digits of sha256(salt, whole graph); undefined when the graph has no nodes. */
export function jobKey(graph: unknown, salt: string): string | undefined {
  if (workflowShape(graph) === undefined) return undefined;
  return hex16(`${salt}\u0000${canonical(graph)}`);
}
