import type { Command } from './command.js';

// Placeholder until the owning issue lands: answers with a clear "not built yet" and exit 3.
export const sampleCommand: Command = {
  name: 'sample',
  summary: '(not built yet)',
  usage: 'renderwatch-agent sample',
  run(_argv, io) {
    io.err('renderwatch-agent sample: not built yet\n');
    return Promise.resolve(3);
  },
};
