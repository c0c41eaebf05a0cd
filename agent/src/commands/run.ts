import type { Command } from './command.js';

// Placeholder until the owning issue lands: answers with a clear "not built yet" and exit 3.
export const runCommand: Command = {
  name: 'run',
  summary: '(not built yet)',
  usage: 'renderwatch-agent run',
  run(_argv, io) {
    io.err('renderwatch-agent run: not built yet\n');
    return Promise.resolve(3);
  },
};
