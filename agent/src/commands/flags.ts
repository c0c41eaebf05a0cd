/** Parsed command line: `--name value`, `--name=value`, bare `--switch` (→ "true"), positionals. */
export interface ParsedArgs {
  flags: Record<string, string>;
  positionals: string[];
}

/** Splits argv; `switches` names flags that take no value. */
export function parseArgs(argv: readonly string[], switches: readonly string[] = []): ParsedArgs {
  const flags: Record<string, string> = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('--') || a === '--') {
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    if (eq > 0) {
      flags[a.slice(2, eq)] = a.slice(eq + 1);
      continue;
    }
    const name = a.slice(2);
    const next = argv[i + 1];
    if (switches.includes(name) || next === undefined || next.startsWith('--')) flags[name] = 'true';
    else {
      flags[name] = next;
      i++;
    }
  }
  return { flags, positionals };
}
