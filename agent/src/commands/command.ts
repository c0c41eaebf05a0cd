/** One `renderwatch-agent <name>` subcommand. `run` returns the process exit code. */
export interface Command {
  readonly name: string;
  /** One line for `--help`. */
  readonly summary: string;
  /** Full usage text, printed by `<name> --help`. */
  readonly usage: string;
  run(argv: readonly string[], io: CommandIo): Promise<number>;
}

/** Where a command writes; tests pass buffers, the CLI passes process.stdout/stderr. */
export interface CommandIo {
  out(text: string): void;
  err(text: string): void;
}

export function wantsHelp(argv: readonly string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}
