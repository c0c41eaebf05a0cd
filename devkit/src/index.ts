export { freePort } from './free-port.js';
export { CLICKHOUSE_SERVER_BINARIES, findClickHouseBinary, startLocalClickHouse } from './local-clickhouse.js';
export type { LocalClickHouse, LocalClickHouseOptions } from './local-clickhouse.js';
