export { freePort } from './free-port.js';
export { CLICKHOUSE_SERVER_BINARIES, findClickHouseBinary, startLocalClickHouse } from './local-clickhouse.js';
export type { LocalClickHouse, LocalClickHouseOptions } from './local-clickhouse.js';
export { findZooKeeper, fourLetterWord, startLocalZooKeeper, zooCfg, ZOOKEEPER_HOME, ZOOKEEPER_JAR } from './zookeeper.js';
export type { LocalZooKeeper, LocalZooKeeperOptions } from './zookeeper.js';
export { clusterConfigXml, nodeMacros, startLocalCluster } from './local-cluster.js';
export type { ClusterNodeSpec, ClusterXmlInput, LocalCluster, LocalClusterNode, LocalClusterOptions } from './local-cluster.js';
