import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import type {} from 'vitest';
import { startLocalClickHouse, type LocalClickHouse } from '@renderwatch/devkit';

declare module 'vitest' {
  export interface ProvidedContext {
    /** HTTP URL of the test ClickHouse; each test file creates its own database in it. */
    clickhouseUrl: string;
  }
}

let server: LocalClickHouse | undefined;
let dir: string | undefined;

/**
 * Starts one real ClickHouse (the OS package's binary, own ports, temp data dir) for the whole
 * integration run, or uses RENDERWATCH_TEST_CLICKHOUSE_URL when set. Stops exactly the pid it started.
 */
export async function setup(project: TestProject): Promise<void> {
  const external = process.env['RENDERWATCH_TEST_CLICKHOUSE_URL'];
  if (external !== undefined && external !== '') {
    project.provide('clickhouseUrl', external);
    return;
  }
  dir = await mkdtemp(join(tmpdir(), 'rw-test-ch-'));
  server = await startLocalClickHouse({ dataDir: dir });
  project.provide('clickhouseUrl', server.url);
}

export async function teardown(): Promise<void> {
  await server?.stop(3000);
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
}
