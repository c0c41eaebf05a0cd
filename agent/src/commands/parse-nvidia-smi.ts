import type { Command } from './command.js';

// Placeholder until the owning issue lands: answers with a clear "not built yet" and exit 3.
export const parseNvidiaSmiCommand: Command = {
  name: 'parse-nvidia-smi',
  summary: '(not built yet)',
  usage: 'renderwatch-agent parse-nvidia-smi',
  run(_argv, io) {
    io.err('renderwatch-agent parse-nvidia-smi: not built yet\n');
    return Promise.resolve(3);
  },
};
