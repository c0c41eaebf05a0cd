import type { Command } from './command.js';

// Placeholder until the owning issue lands: answers with a clear "not built yet" and exit 3.
export const parseLogCommand: Command = {
  name: 'parse-log',
  summary: '(not built yet)',
  usage: 'renderwatch-agent parse-log',
  run(_argv, io) {
    io.err('renderwatch-agent parse-log: not built yet\n');
    return Promise.resolve(3);
  },
};
