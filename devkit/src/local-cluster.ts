// A real ClickHouse cluster on loopback: one ZooKeeper and shards × replicas clickhouse-server
// processes, each on its own ports and data dir, with remote_servers (internal_replication=true),
// zookeeper and macros ({shard}, {replica}) — the configuration deploy/cluster/ ships, minus Docker.
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { startLocalClickHouse, type LocalClickHouse } from './local-clickhouse.js';
import { startLocalZooKeeper, type LocalZooKeeper } from './zookeeper.js';

export interface ClusterNodeSpec {
  /** 1-based shard and replica numbers. */
  shard: number;
  replica: number;
  httpPort: number;
  tcpPort: number;
  interserverPort: number;
}

export interface ClusterXmlInput {
  cluster: string;
  nodes: readonly ClusterNodeSpec[];
  zookeeper: { host: string; port: number };
}

/** Macro values of one node: shard `01`, replica `s1r1` (unique across the cluster). */
export function nodeMacros(n: Pick<ClusterNodeSpec, 'shard' | 'replica'>): { shard: string; replica: string } {
  return { shard: String(n.shard).padStart(2, '0'), replica: `s${n.shard}r${n.replica}` };
}

/** The XML placed inside <yandex> of one node's config.xml. Pure. */
export function clusterConfigXml(input: ClusterXmlInput, self: Pick<ClusterNodeSpec, 'shard' | 'replica'>): string {
  const shards = [...new Set(input.nodes.map((n) => n.shard))].sort((a, b) => a - b);
  const shardXml = shards
    .map((s) => {
      const replicas = input.nodes
        .filter((n) => n.shard === s)
        .sort((a, b) => a.replica - b.replica)
        .map((n) => `<replica><host>127.0.0.1</host><port>${n.tcpPort}</port></replica>`)
        .join('');
      return `<shard><internal_replication>true</internal_replication>${replicas}</shard>`;
    })
    .join('\n      ');
  const m = nodeMacros(self);
  return `<remote_servers>
    <${input.cluster}>
      ${shardXml}
    </${input.cluster}>
  </remote_servers>
  <zookeeper><node><host>${input.zookeeper.host}</host><port>${input.zookeeper.port}</port></node><session_timeout_ms>10000</session_timeout_ms></zookeeper>
  <macros><shard>${m.shard}</shard><replica>${m.replica}</replica></macros>`;
}

export interface LocalClusterOptions {
  /** Parent directory; zookeeper/ and s<N>r<M>/ are created under it. */
  dataDir: string;
  cluster?: string;
  shards: number;
  replicas: number;
  /** An already running ZooKeeper to use (otherwise one is started and owned by the cluster). */
  zookeeper?: { host: string; port: number };
}

export interface LocalClusterNode extends ClusterNodeSpec {
  readonly name: string;
  readonly url: string;
  /** The running server; replaced by restart(). */
  readonly server: LocalClickHouse;
  /** SIGKILL (a crash): the replica disappears mid-run. */
  kill(): Promise<void>;
  /** Starts the server again on the same ports and data dir. */
  restart(): Promise<void>;
}

export interface LocalCluster {
  readonly cluster: string;
  readonly nodes: readonly LocalClusterNode[];
  readonly zookeeper: { host: string; port: number; pid?: number };
  node(shard: number, replica: number): LocalClusterNode;
  /** Stops every server this cluster started (and its ZooKeeper when it started one). */
  stop(): Promise<void>;
}

/** Starts ZooKeeper (unless given) and shards × replicas servers in parallel. */
export async function startLocalCluster(opts: LocalClusterOptions): Promise<LocalCluster> {
  const cluster = opts.cluster ?? 'renderwatch';
  const specs: ClusterNodeSpec[] = [];
  for (let s = 1; s <= opts.shards; s++) {
    for (let r = 1; r <= opts.replicas; r++) {
      specs.push({ shard: s, replica: r, httpPort: await freePort(), tcpPort: await freePort(), interserverPort: await freePort() });
    }
  }
  let zk: LocalZooKeeper | undefined;
  const zkAddr = opts.zookeeper ?? (zk = await startLocalZooKeeper({ dataDir: join(opts.dataDir, 'zookeeper') }));
  const xmlInput: ClusterXmlInput = { cluster, nodes: specs, zookeeper: { host: zkAddr.host, port: zkAddr.port } };
  const started: LocalClusterNode[] = [];
  const boot = (spec: ClusterNodeSpec): Promise<LocalClickHouse> =>
    startLocalClickHouse({
      dataDir: join(opts.dataDir, nodeMacros(spec).replica),
      httpPort: spec.httpPort,
      tcpPort: spec.tcpPort,
      interserverPort: spec.interserverPort,
      extraConfigXml: clusterConfigXml(xmlInput, spec),
      startTimeoutMs: 60_000,
    });
  try {
    const servers = await Promise.all(specs.map(boot));
    for (const [i, spec] of specs.entries()) {
      let server = servers[i];
      if (server === undefined) throw new Error('cluster node did not start');
      const node: LocalClusterNode = {
        ...spec,
        name: nodeMacros(spec).replica,
        url: server.url,
        get server() {
          if (server === undefined) throw new Error('cluster node has no server');
          return server;
        },
        kill: async () => {
          await server?.kill();
        },
        restart: async () => {
          await server?.stop(3000);
          server = await boot(spec);
        },
      };
      started.push(node);
    }
  } catch (err: unknown) {
    await Promise.all(started.map((n) => n.server.stop(2000)));
    await zk?.stop();
    throw err;
  }
  return {
    cluster,
    nodes: started,
    zookeeper: { host: zkAddr.host, port: zkAddr.port, ...(zk === undefined ? {} : { pid: zk.pid }) },
    node(shard, replica) {
      const n = started.find((x) => x.shard === shard && x.replica === replica);
      if (n === undefined) throw new Error(`no node s${shard}r${replica}`);
      return n;
    },
    async stop() {
      await Promise.all(started.map((n) => n.server.stop(3000)));
      await zk?.stop();
    },
  };
}
