// A fake cloud instance-metadata server (127.0.0.1:0) answering the three preemption endpoints the
// way each provider documents them (real metadata services cannot run here):
// - GCP, "Detecting if a VM has been preempted" / metadata server docs: GET
//   /computeMetadata/v1/instance/preempted needs `Metadata-Flavor: Google` (403 without), answers
//   text/plain `FALSE`, then `TRUE` once preemption begins, with header `Metadata-Flavor: Google`.
// - AWS, "Spot Instance interruption notices" + IMDSv2: PUT /latest/api/token with
//   `X-aws-ec2-metadata-token-ttl-seconds` (1-21600, else 400) → a token; GET
//   /latest/meta-data/spot/instance-action with a valid `X-aws-ec2-metadata-token` (401 without or
//   expired) → 404 until an action is scheduled, then 200 JSON
//   `{"action": "terminate", "time": "2017-09-18T08:22:00Z"}` (the documented example).
// - Azure, "Scheduled Events for Linux VMs": GET /metadata/scheduledevents?api-version=2020-07-01
//   needs `Metadata: true` (400 without) → `{"DocumentIncarnation": n, "Events": []}`, then with a
//   Preempt event shaped as the documented example (EventId, EventStatus "Scheduled", EventType
//   "Preempt", ResourceType "VirtualMachine", Resources, NotBefore in RFC 1123, Description,
//   EventSource "Platform", DurationInSeconds -1).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeCloudMetadata {
  url: string;
  /** Requests seen, `METHOD path` (tests assert which endpoints and headers a probe used). */
  requests: string[];
  /** Schedule the provider's preemption notice. */
  preempt(): void;
  /** AWS: every token issued so far stops being accepted (401). */
  expireTokens(): void;
  /** Answer every request with this status (e.g. 500) until cleared with undefined. */
  failWith(status: number | undefined): void;
  stop(): Promise<void>;
}

export async function startFakeCloudMetadata(): Promise<FakeCloudMetadata> {
  let preempted = false;
  let failing: number | undefined;
  let tokenSeq = 0;
  const valid = new Set<string>();
  const requests: string[] = [];
  let incarnation = 1;

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const u = new URL(req.url ?? '/', 'http://x');
    requests.push(`${req.method ?? 'GET'} ${u.pathname}${u.search}`);
    const h = (name: string): string | undefined => {
      const v = req.headers[name.toLowerCase()];
      return Array.isArray(v) ? v[0] : v;
    };
    const text = (status: number, body: string, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'content-type': 'text/plain', ...headers }).end(body);
    };
    if (failing !== undefined) return text(failing, 'unavailable');
    // GCP
    if (u.pathname === '/computeMetadata/v1/instance/preempted') {
      if (req.method !== 'GET') return text(405, '');
      if (h('Metadata-Flavor') !== 'Google') return text(403, 'Missing Metadata-Flavor:Google header.');
      return text(200, preempted ? 'TRUE' : 'FALSE', { 'Metadata-Flavor': 'Google' });
    }
    // AWS IMDSv2
    if (u.pathname === '/latest/api/token') {
      if (req.method !== 'PUT') return text(405, '');
      const ttl = Number(h('X-aws-ec2-metadata-token-ttl-seconds'));
      if (!Number.isInteger(ttl) || ttl < 1 || ttl > 21600) return text(400, '');
      const t = `AQAEA-fake-token-${++tokenSeq}`;
      valid.add(t);
      return text(200, t);
    }
    if (u.pathname === '/latest/meta-data/spot/instance-action') {
      const t = h('X-aws-ec2-metadata-token');
      if (t === undefined || !valid.has(t)) return text(401, '');
      if (!preempted) return text(404, '<?xml version="1.0" encoding="iso-8859-1"?>\n<title>404 - Not Found</title>');
      res.writeHead(200, { 'content-type': 'text/plain' }).end(JSON.stringify({ action: 'terminate', time: '2017-09-18T08:22:00Z' }));
      return;
    }
    // Azure Scheduled Events
    if (u.pathname === '/metadata/scheduledevents') {
      if (h('Metadata') !== 'true') return text(400, JSON.stringify({ error: 'Bad request. Required metadata header not specified' }));
      const events = preempted
        ? [
            {
              EventId: 'f020ba2e-3bc0-4c40-a10b-86575a9eabd5',
              EventStatus: 'Scheduled',
              EventType: 'Preempt',
              ResourceType: 'VirtualMachine',
              Resources: ['render-07'],
              NotBefore: 'Mon, 07 Dec 2026 18:29:47 GMT',
              Description: '',
              EventSource: 'Platform',
              DurationInSeconds: -1,
            },
          ]
        : [];
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ DocumentIncarnation: incarnation, Events: events }));
      return;
    }
    text(404, '');
  };

  const server = createServer(handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    preempt() {
      preempted = true;
      incarnation++;
    },
    expireTokens() {
      valid.clear();
    },
    failWith(status) {
      failing = status;
    },
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
