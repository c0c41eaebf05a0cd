// A tiny node:http server for Prometheus: GET /metrics (text format 0.0.4, or OpenMetrics when the
// Accept header asks for it) and GET /healthz. No framework: two routes do not need one.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { OPENMETRICS_CONTENT_TYPE, wantsOpenMetrics } from './openmetrics.js';
import { TextRegistry } from './text-registry.js';

export interface MetricsServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** The registry's families (agent-metrics.ts `registry`), written first. */
  registry: Pick<TextRegistry, 'chunks'>;
  log?: Logger;
  /** Answers /healthz; default: always healthy. */
  healthy?: () => boolean;
  /** Pre-rendered families appended to the registry's (the per-sample ones); true = OpenMetrics lines. */
  extra?: (openMetrics: boolean) => string | Buffer | readonly Buffer[];
  /** Called on each scrape with the format served (for logs, self-metrics and tests). */
  onScrape?: (format: 'openmetrics' | 'text') => void;
}

export interface MetricsServer {
  readonly host: string;
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

const EOF = Buffer.from('# EOF\n');

async function handle(o: MetricsServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
    return;
  }
  if (path === '/metrics') {
    const open = wantsOpenMetrics(req.headers.accept);
    o.onScrape?.(open ? 'openmetrics' : 'text');
    // The kept bytes of each part, copied once into the response body (no string is built per scrape).
    const chunks = o.registry.chunks(open);
    const extra = o.extra?.(open);
    if (typeof extra === 'string') chunks.push(Buffer.from(extra));
    else if (Array.isArray(extra)) for (const b of extra as readonly Buffer[]) chunks.push(b);
    else if (extra !== undefined) chunks.push(extra as Buffer);
    if (open) chunks.push(EOF);
    const body = Buffer.concat(chunks);
    res.writeHead(200, {
      'content-type': open ? OPENMETRICS_CONTENT_TYPE : TextRegistry.CONTENT_TYPE,
      'content-length': body.length,
      'cache-control': 'no-store',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
    return;
  }
  if (path === '/healthz') {
    const ok = o.healthy?.() ?? true;
    res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'ok\n' : 'unhealthy\n');
    return;
  }
  res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics or /healthz\n');
}

export function startMetricsServer(o: MetricsServerOptions): Promise<MetricsServer> {
  const log = o.log?.child({ module: 'metrics.server' });
  const server = createServer((req, res) => {
    handle(o, req, res).catch((err: unknown) => {
      log?.warn({ err }, 'metrics scrape failed');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('scrape failed\n');
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      const addr = server.address() as AddressInfo;
      const shown = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
      log?.info({ host: addr.address, port: addr.port }, 'metrics server listening');
      resolve({
        host: addr.address,
        port: addr.port,
        url: `http://${shown}:${addr.port}`,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((err) => (err ? fail(err) : done()));
            server.closeAllConnections();
          }),
      });
    });
  });
}
