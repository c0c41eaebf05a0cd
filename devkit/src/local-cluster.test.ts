import { describe, expect, it } from 'vitest';
import { clusterConfigXml, nodeMacros, type ClusterNodeSpec } from './local-cluster.js';
import { zooCfg } from './zookeeper.js';

const node = (shard: number, replica: number, tcpPort: number): ClusterNodeSpec => ({
  shard,
  replica,
  tcpPort,
  httpPort: tcpPort + 1,
  interserverPort: tcpPort + 2,
});
const nodes = [node(2, 1, 9300), node(1, 2, 9200), node(1, 1, 9100), node(2, 2, 9400)];

describe('clusterConfigXml', () => {
  it('lists shards in order, each with internal replication and its replicas in order', () => {
    const xml = clusterConfigXml({ cluster: 'rw', nodes, zookeeper: { host: '127.0.0.1', port: 2181 } }, { shard: 1, replica: 2 });
    const shards = [...xml.matchAll(/<shard><internal_replication>(.*?)<\/shard>/g)].map((m) =>
      [...(m[1] ?? '').matchAll(/<port>(\d+)<\/port>/g)].map((p) => Number(p[1])),
    );
    expect(shards).toEqual([
      [9100, 9200],
      [9300, 9400],
    ]);
    expect(xml.match(/<internal_replication>true<\/internal_replication>/g)).toHaveLength(2);
    expect(xml).toContain('<rw>');
    expect(xml).toContain('<zookeeper><node><host>127.0.0.1</host><port>2181</port></node>');
    expect(xml).toContain('<macros><shard>01</shard><replica>s1r2</replica></macros>');
  });

  it.each([
    [1, 1, { shard: '01', replica: 's1r1' }],
    [2, 1, { shard: '02', replica: 's2r1' }],
    [12, 3, { shard: '12', replica: 's12r3' }],
  ])('names shard %i replica %i', (shard, replica, want) => {
    expect(nodeMacros({ shard, replica })).toEqual(want);
  });
});

describe('zooCfg', () => {
  it('binds the client port to loopback and turns the admin server (port 8080) off', () => {
    const cfg = zooCfg('/tmp/zk', 41234);
    expect(cfg.split('\n')).toEqual(expect.arrayContaining(['clientPort=41234', 'clientPortAddress=127.0.0.1', 'admin.enableServer=false', 'dataDir=/tmp/zk']));
    expect(cfg).toMatch(/4lw\.commands\.whitelist=.*stat/);
  });
});
