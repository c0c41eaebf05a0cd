// docs/config.md and docs/errors.md are generated from the schemas and registries, so the docs
// cannot drift: `node --import tsx e2e/src/docs/write-docs.ts` rewrites them, and a test fails when
// the committed files differ from what would be generated.
import { AGENT_ERRORS, AgentConfigSchema } from '@renderwatch/agent/harness';
import { COLLECTOR_ERRORS, CollectorConfigSchema } from '@renderwatch/collector';
import type { z } from 'zod';

function defaultOf(s: z.ZodType): string {
  const r = s.safeParse(undefined);
  if (!r.success) return '(required)';
  return r.data === undefined ? '(unset)' : `\`${JSON.stringify(r.data)}\``;
}

/** Internal tuning knobs are marked in config.ts with `tuning()` (zod metadata `{ tuning: true }`). */
function isTuning(s: z.ZodType): boolean {
  return (s.meta() as { tuning?: boolean } | undefined)?.tuning === true;
}

function table(schema: z.ZodObject, tuning = false): string {
  const rows = Object.entries(schema.shape)
    .filter(([, s]) => isTuning(s as z.ZodType) === tuning)
    .map(([key, s]) => {
      const t = s as z.ZodType;
      return `| \`${key}\` | ${(t.description ?? '').replace(/\|/g, '\\|')} | ${defaultOf(t)} |`;
    });
  return ['| key | meaning | default |', '| --- | --- | --- |', ...rows].join('\n');
}

export function tuningDoc(): string {
  return `# Tuning keys (internal)

Generated from the zod schemas in \`collector/src/config.ts\` and \`agent/src/config.ts\`
(\`node --import tsx e2e/src/docs/write-docs.ts\`); a test fails when this file is stale.
Knobs whose defaults were measured in \`bench/\` (see \`bench/README.md\`) and that an operator should
not need to change; they are read like any other key but are not part of docs/config.md. Change one
only with a benchmark run that shows why.

## Collector

${table(CollectorConfigSchema, true)}

## Agent

${table(AgentConfigSchema, true)}
`;
}

export function configDoc(): string {
  return `# Configuration

Generated from the zod schemas in \`collector/src/config.ts\` and \`agent/src/config.ts\`
(\`node --import tsx e2e/src/docs/write-docs.ts\`); a test fails when this file is stale.
Each service reads its environment once at start, prints every invalid key (key, expected, got) and
exits 1. List keys are comma-separated. Internal tuning knobs are in docs/tuning.md. Agent keys can also be given as flags: \`--collector-address\` is \`AGENT_COLLECTOR_ADDRESS\`;
flags win over the environment.

## Collector

${table(CollectorConfigSchema)}

## Agent

${table(AgentConfigSchema)}
`;
}

interface Spec {
  message: string;
  httpStatus?: number;
  grpcCode?: number;
  retired?: string;
}

export function errorsDoc(): string {
  const section = (reg: Record<string, Spec>): string =>
    Object.entries(reg)
      .map(([code, s]) => {
        const extra = [s.httpStatus === undefined ? '' : `HTTP ${s.httpStatus}`, s.grpcCode === undefined ? '' : `gRPC code ${s.grpcCode}`]
          .filter((x) => x !== '')
          .join(', ');
        const retired = s.retired === undefined ? '' : `\n\nRetired: ${s.retired}.`;
        return `### ${code}\n\n${s.message}.${extra === '' ? '' : ` (${extra})`}${retired}\n`;
      })
      .join('\n');
  return `# Error codes

Generated from \`collector/src/errors.ts\` and \`agent/src/errors.ts\`
(\`node --import tsx e2e/src/docs/write-docs.ts\`); a test fails when this file is stale.
Every expected failure has a stable code, never reused. The collector answers HTTP errors as
\`{ "code": "...", "message": "..." }\` and gRPC errors with the code in the
\`x-renderwatch-error-code\` trailer; the message says what happened and what to do.

## Collector

${section(COLLECTOR_ERRORS)}
## Agent

${section(AGENT_ERRORS as Record<string, Spec>)}`;
}
