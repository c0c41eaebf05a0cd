// renderwatch-agent entry: dispatches to one subcommand. The only place that calls process.exit.
// Each subcommand is imported when it is asked for: the daemon (`run`) does not load the parsers and
// probes of the others (nvidia-smi XML parsing, doctor's checks), nor keep their source in memory.
import type { Command, CommandIo } from './commands/command.js';

const COMMANDS: readonly { readonly name: string; load(): Promise<Command> }[] = [
  { name: 'run', load: async () => (await import('./commands/run.js')).runCommand },
  { name: 'doctor', load: async () => (await import('./commands/doctor.js')).doctorCommand },
  { name: 'sample', load: async () => (await import('./commands/sample.js')).sampleCommand },
  { name: 'parse-nvidia-smi', load: async () => (await import('./commands/parse-nvidia-smi.js')).parseNvidiaSmiCommand },
  { name: 'parse-log', load: async () => (await import('./commands/parse-log.js')).parseLogCommand },
];

async function help(): Promise<string> {
  const commands = await Promise.all(COMMANDS.map((c) => c.load()));
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'usage: renderwatch-agent <command> [options]',
    '',
    'GPU-host agent of renderwatch: samples GPUs (NVML or nvidia-smi), the host, and the image',
    "runtimes' logs, and sends them to a collector over gRPC.",
    '',
    'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
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
    io.out(await help());
    return name === undefined ? 2 : 0;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (entry === undefined) {
    io.err(`renderwatch-agent: unknown command "${name}"\n\n${await help()}`);
    return 2;
  }
  return (await entry.load()).run(rest, io);
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
