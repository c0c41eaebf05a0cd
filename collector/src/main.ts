// renderwatch-collector entry: config → start → signals. The only place that exits the process.
import pino from 'pino';
import { hashToken, newToken } from './auth/agent-tokens.js';
import { clusterTarget, startCollector, storageOptions, waitForClickHouse } from './collector.js';
import { loadCollectorConfig } from './config.js';
import { isAppError } from './errors.js';
import { createStorage, ensureDatabase } from './storage/clickhouse.js';
import { migrate } from './storage/migrate.js';
import { applyRetention, formatPlan, planRetention, retentionDays, retentionTarget } from './retention/retention.js';

const USAGE = `usage: renderwatch-collector [serve|migrate|hash-token [--new]|--help]

  serve       (default) apply migrations, then serve gRPC ingest, the HTTP API and the dashboard
  migrate     apply pending ClickHouse migrations and exit
  hash-token  read an agent token on stdin, print its sha256 for COLLECTOR_AGENT_TOKENS_FILE;
              with --new, make a random token and print "token<TAB>sha256"

Configuration comes from the environment (see docs/config.md), e.g.
  COLLECTOR_CLICKHOUSE_URL=http://127.0.0.1:8123 COLLECTOR_HTTP_PORT=8470 COLLECTOR_GRPC_PORT=8471
`;

async function hashTokenCommand(args: string[]): Promise<number> {
  if (args[0] === '--new') {
    const token = newToken();
    process.stdout.write(`${token}\t${hashToken(token)}\n`);
    return 0;
  }
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  const token = Buffer.concat(chunks).toString('utf8').trim();
  if (token === '') {
    process.stderr.write('renderwatch-collector hash-token: no token on stdin\n');
    return 2;
  }
  process.stdout.write(`${hashToken(token)}\n`);
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const cmd = argv[0] ?? 'serve';
  if (cmd === '--help' || cmd === '-h' || cmd === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (cmd === 'hash-token') return hashTokenCommand(argv.slice(1));
  if (cmd !== 'serve' && cmd !== 'migrate' && cmd !== 'retention') {
    process.stderr.write(`renderwatch-collector: unknown command "${cmd}"\n\n${USAGE}`);
    return 2;
  }
  const parsed = loadCollectorConfig();
  if (!parsed.ok) {
    process.stderr.write(`renderwatch-collector: invalid configuration:\n${parsed.issues.map((i) => `  - ${i}`).join('\n')}\n`);
    return 1;
  }
  const cfg = parsed.config;
  const log = pino({ level: cfg.COLLECTOR_LOG_LEVEL, redact: ['req.headers.authorization', 'password', 'token'] });
  process.on('unhandledRejection', (err) => {
    log.fatal({ err }, 'unhandled rejection');
    process.exit(1);
  });
  try {
    if (cmd === 'migrate') {
      await waitForClickHouse(cfg, cfg.COLLECTOR_START_TIMEOUT_MS);
      await ensureDatabase(storageOptions(cfg));
      const storage = createStorage(storageOptions(cfg));
      const cluster = clusterTarget(cfg);
      const r = await migrate(storage, undefined, cluster === undefined ? {} : { cluster });
      await storage.close();
      process.stdout.write(
        `applied: ${r.applied.join(', ') || '(none)'}; repaired: ${r.repaired.join(', ') || '(none)'}; already applied: ${r.alreadyApplied.length}\n`,
      );
      return 0;
    }
    if (cmd === 'retention') {
      const dryRun = argv.includes('--dry-run');
      await waitForClickHouse(cfg, cfg.COLLECTOR_START_TIMEOUT_MS);
      const storage = createStorage(storageOptions(cfg));
      const plan = await planRetention(storage, retentionDays(cfg), Date.now(), retentionTarget(cfg));
      if (!dryRun) await applyRetention(storage, plan, log, retentionTarget(cfg));
      await storage.close();
      process.stdout.write(formatPlan(plan, dryRun));
      return 0;
    }
    const running = await startCollector(cfg, log);
    process.stdout.write(`renderwatch collector: http://127.0.0.1:${running.httpPort} (API, dashboard), gRPC 127.0.0.1:${running.grpcPort}\n`);
    await new Promise<void>((resolve) => {
      const stop = (signal: string): void => {
        log.info({ signal }, 'stopping');
        const timer = setTimeout(() => {
          log.fatal('stop deadline passed');
          process.exit(1);
        }, 10_000);
        running.stop().then(
          () => {
            clearTimeout(timer);
            resolve();
          },
          (err: unknown) => {
            log.error({ err }, 'stop failed');
            resolve();
          },
        );
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
    return 0;
  } catch (err: unknown) {
    if (isAppError(err)) {
      process.stderr.write(`renderwatch-collector: ${err.message} [${err.code}]\n`);
      return 1;
    }
    throw err;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`renderwatch-collector: unexpected failure: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
