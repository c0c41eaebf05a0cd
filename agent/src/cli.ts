// renderwatch-agent entry: dispatches to one subcommand. The only place that calls process.exit.
import type { Command, CommandIo } from './commands/command.js';
import { doctorCommand } from './commands/doctor.js';
import { parseLogCommand } from './commands/parse-log.js';
import { parseNvidiaSmiCommand } from './commands/parse-nvidia-smi.js';
import { runCommand } from './commands/run.js';
import { sampleCommand } from './commands/sample.js';

const COMMANDS: readonly Command[] = [runCommand, doctorCommand, sampleCommand, parseNvidiaSmiCommand, parseLogCommand];

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'usage: renderwatch-agent <command> [options]',
    '',
    'GPU-host agent of renderwatch: samples GPUs (NVML or nvidia-smi), the host, and the image',
    "runtimes' logs, and sends them to a collector over gRPC.",
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Run `renderwatch-agent <command> --help` for a command's options.",
    '',
  ].join('\n');
}

const io: CommandIo = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
};

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(help());
    return name === undefined ? 2 : 0;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (cmd === undefined) {
    io.err(`renderwatch-agent: unknown command "${name}"\n\n${help()}`);
    return 2;
  }
  return cmd.run(rest, io);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`renderwatch-agent: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
