// `renderwatch-agent parse-log --runtime <name|auto> FILE`: one JSON event per line (docs/design.md "Contracts").
import { readFile } from 'node:fs/promises';
import { RUNTIMES } from '@renderwatch/schema';
import type { RuntimeName } from '@renderwatch/schema';
import { detectRuntime } from '../runtime-logs/detect-runtime.js';
import { parseLogText } from '../runtime-logs/parser-session.js';
import type { Command } from './command.js';
import { withoutLoadEvidence } from '../signals/start-tracker.js';
import { wantsHelp } from './command.js';

const USAGE = `usage: renderwatch-agent parse-log --runtime <${RUNTIMES.join('|')}|auto> FILE

Reads a runtime's console log (or a file written by ComfyUI-Manager, the ComfyUI frontend's
log export, SD.Next, InvokeAI, kohya, accelerate ...) and prints the events the agent would
send, one JSON object per line, in log order. Prompts are redacted; nothing is sent anywhere.

options:
  --runtime R   which runtime wrote the log; "auto" detects it from the first lines
  --help        this text

exit status: 0 ok, 1 the file cannot be read, 2 usage error or runtime not detected
`;

function isRuntime(v: string): v is RuntimeName {
  return (RUNTIMES as readonly string[]).includes(v);
}

export const parseLogCommand: Command = {
  name: 'parse-log',
  summary: 'print the events parsed from a runtime log file (one JSON object per line)',
  usage: USAGE,
  async run(argv, io) {
    if (wantsHelp(argv)) {
      io.out(USAGE);
      return 0;
    }
    let runtime: string | undefined;
    const files: string[] = [];
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i] ?? '';
      if (a === '--runtime') runtime = argv[++i];
      else if (a.startsWith('--runtime=')) runtime = a.slice(10);
      else if (a.startsWith('-') && a !== '-') {
        io.err(`renderwatch-agent parse-log: unknown option "${a}"\n\n${USAGE}`);
        return 2;
      } else files.push(a);
    }
    if (runtime === undefined || runtime === '') {
      io.err(`renderwatch-agent parse-log: --runtime is required\n\n${USAGE}`);
      return 2;
    }
    if (runtime !== 'auto' && !isRuntime(runtime)) {
      io.err(`renderwatch-agent parse-log: unknown runtime "${runtime}" (expected one of: ${RUNTIMES.join(', ')}, auto)\n`);
      return 2;
    }
    const [file] = files;
    if (file === undefined || files.length > 1) {
      io.err(`renderwatch-agent parse-log: expected exactly one FILE\n\n${USAGE}`);
      return 2;
    }
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err: unknown) {
      const code = err instanceof Error && 'code' in err ? String(err.code) : '';
      const why =
        code === 'ENOENT'
          ? 'no such file'
          : code === 'EISDIR'
            ? 'is a directory'
            : code === 'EACCES'
              ? 'permission denied'
              : err instanceof Error
                ? err.message
                : String(err);
      io.err(`renderwatch-agent parse-log: cannot read ${file}: ${why}\n`);
      return 1;
    }
    const rt = isRuntime(runtime) ? runtime : detectRuntime(text)?.runtime;
    if (rt === undefined) {
      io.err(`renderwatch-agent parse-log: could not detect the runtime of ${file}; pass --runtime\n`);
      return 2;
    }
    // the events as the agent sends them: a load's file path is the agent's own evidence (signals/start-tracker.ts)
    const lines = parseLogText(text, rt).map((e) => JSON.stringify(withoutLoadEvidence(e)));
    io.out(lines.length > 0 ? `${lines.join('\n')}\n` : '');
    return 0;
  },
};
