// A test agent as a process of its own, so a test can SIGKILL it. Reads its options as JSON from
// argv[2]; prints one line per fact: `resumed|spooled <seq> <gpus> <events>`, `acked <seq>`,
// and `drained` before it exits 0 (after `ticks` batches, when ticks >= 0).
import pino from 'pino';
import { createTestAgent } from './delivery-test-agent.js';

interface Args {
  agentId: string;
  hostname: string;
  address: string;
  spoolDir: string;
  ticks: number;
  intervalMs: number;
  drainMs: number;
}

const a = JSON.parse(process.argv[2] ?? '{}') as Args;
const out = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
const agent = createTestAgent({
  agentId: a.agentId,
  hostname: a.hostname,
  address: a.address,
  spoolDir: a.spoolDir,
  log: pino({ level: 'silent' }),
  onSpooled: (seq, gpus, events) => out(`spooled ${seq} ${gpus} ${events}`),
  onAcked: (seq) => out(`acked ${seq}`),
});
for (const b of agent.spool.head(1_000_000)) {
  const req = b.load();
  if (req !== undefined) out(`resumed ${b.seq} ${req.gpuSamples.length} ${req.events.length}`);
}
let done = 0;
const timer = setInterval(() => {
  if (a.ticks >= 0 && done >= a.ticks) {
    clearInterval(timer);
    void agent.drain(a.drainMs).then((ok) => {
      out(ok ? 'drained' : 'not drained');
      agent.close();
      process.exitCode = ok ? 0 : 1;
    });
    return;
  }
  agent.tick();
  done++;
}, a.intervalMs);
