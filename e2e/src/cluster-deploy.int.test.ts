// Structural check of deploy/cluster/ (Docker does not run here): the compose file, the
// remote_servers, zookeeper and macros files agree with each other and with what the collector's
// cluster mode needs (internal_replication, one {shard}/{replica} pair per node, the cluster name).
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCollectorConfig } from '@renderwatch/collector';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const DIR = fileURLToPath(new URL('../../deploy/cluster/', import.meta.url));

interface Service {
  image?: string;
  hostname?: string;
  volumes?: string[];
  environment?: Record<string, string>;
  depends_on?: unknown;
}

const read = (p: string): Promise<string> => readFile(join(DIR, p), 'utf8');
const all = (xml: string, tag: string): string[] => [...xml.matchAll(new RegExp(`<${tag}>([^<]*)</${tag}>`, 'g'))].map((m) => m[1] ?? '');

describe('deploy/cluster', () => {
  it('lists 2 shards × 2 replicas with internal replication, each replica a compose service', async () => {
    const xml = await read('clickhouse/remote-servers.xml');
    const compose = parse(await read('compose.yaml'), { merge: true }) as { services: Record<string, Service> };
    const shards = [...xml.matchAll(/<shard>([\s\S]*?)<\/shard>/g)].map((m) => m[1] ?? '');
    expect(shards).toHaveLength(2);
    for (const s of shards) {
      expect(all(s, 'internal_replication')).toEqual(['true']);
      expect(all(s, 'host')).toHaveLength(2);
    }
    const hosts = shards.flatMap((s) => all(s, 'host'));
    expect(hosts).toEqual(['ch-s1r1', 'ch-s1r2', 'ch-s2r1', 'ch-s2r2']);
    for (const h of hosts) expect(compose.services[h]?.hostname, h).toBe(h);
    expect(xml).toMatch(/<distributed_ddl>\s*<path>\/clickhouse\/task_queue\/ddl<\/path>/);
  });

  it('gives every node the shared files and its own macros: shard from its shard, replica unique', async () => {
    const compose = parse(await read('compose.yaml'), { merge: true }) as { services: Record<string, Service> };
    const macroFiles = (await readdir(join(DIR, 'clickhouse/macros'))).sort();
    expect(macroFiles).toEqual(['s1r1.xml', 's1r2.xml', 's2r1.xml', 's2r2.xml']);
    const replicas = new Set<string>();
    for (const f of macroFiles) {
      const name = f.replace('.xml', '');
      const svc = compose.services[`ch-${name}`];
      expect(svc?.volumes, name).toEqual(
        expect.arrayContaining([
          './clickhouse/remote-servers.xml:/etc/clickhouse-server/config.d/remote-servers.xml:ro',
          './clickhouse/zookeeper.xml:/etc/clickhouse-server/config.d/zookeeper.xml:ro',
          `./clickhouse/macros/${f}:/etc/clickhouse-server/config.d/macros.xml:ro`,
        ]),
      );
      const xml = await read(`clickhouse/macros/${f}`);
      expect(all(xml, 'shard'), f).toEqual([`0${name[1]}`]);
      replicas.add(all(xml, 'replica')[0] ?? '');
      expect(all(xml, 'interserver_http_host')).toEqual([`ch-${name}`]);
    }
    expect(replicas.size).toBe(4);
    const zk = await read('clickhouse/zookeeper.xml');
    expect(all(zk, 'host')).toEqual(['zookeeper']);
    expect(compose.services['zookeeper']?.image).toMatch(/^zookeeper:/);
  });

  it('runs two collectors in cluster mode with a valid config, each on a different node', async () => {
    const xml = await read('clickhouse/remote-servers.xml');
    const clusterName = /<remote_servers>\s*<(\w+)>/.exec(xml)?.[1];
    const compose = parse(await read('compose.yaml'), { merge: true }) as { services: Record<string, Service> };
    const collectors = Object.entries(compose.services).filter(([n]) => n.startsWith('collector-'));
    expect(collectors).toHaveLength(2);
    const urls = new Set<string>();
    for (const [name, svc] of collectors) {
      const env = svc.environment ?? {};
      expect(env['COLLECTOR_CLICKHOUSE_CLUSTER'], name).toBe(clusterName);
      const parsed = parseCollectorConfig(env);
      expect(parsed.ok, name).toBe(true);
      urls.add(env['COLLECTOR_CLICKHOUSE_URL'] ?? '');
    }
    expect(urls.size).toBe(2);
  });

  it('points Kubernetes users at the ClickHouse operator', async () => {
    const note = await read('kubernetes.md');
    expect(note).toMatch(/github\.com\/Altinity\/clickhouse-operator/);
    expect(note).toMatch(/shardsCount: 2\s+replicasCount: 2/);
  });
});
