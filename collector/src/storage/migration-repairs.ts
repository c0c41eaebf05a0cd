// Migrations that were edited after they shipped, by the checksum a database recorded for the
// version it ran, and the repair that brings such a database to the migration as it is today.
// migrate() (./migrate.ts) accepts these old checksums, runs the repair once and records today's
// checksum; any other mismatch refuses to start (COL_ERR_MIGRATION_EDITED). Never add to this list
// by editing a shipped migration: add a new migration instead (CONTRIBUTING.md "Add a migration").
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Migration } from './migrate.js';

export interface SupersededMigration {
  /** file name without `.sql`, e.g. `0012_gpu_cost` */
  readonly name: string;
  /** the checksum recorded by databases that ran this version */
  readonly checksum: string;
  /** the commit that shipped this version */
  readonly commit: string;
}

/** Every shipped version of a migration that differs from today's file (`git log -p collector/src/storage/migrations/`). */
export const SUPERSEDED_MIGRATIONS: readonly SupersededMigration[] = [
  { name: '0007_oom_context', checksum: '1543467d1f95b4a1', commit: '295f637' },
  { name: '0012_gpu_cost', checksum: '432ecd2367afccd1', commit: '909e05b' },
  { name: '0012_gpu_cost', checksum: 'b55da37dedb90f1c', commit: '8796c5e' },
  { name: '0028_seconds_per_image', checksum: 'c2ba2c5c071d136d', commit: 'c50ef93' },
];

export function findSuperseded(name: string, checksum: string): SupersededMigration | undefined {
  return SUPERSEDED_MIGRATIONS.find((s) => s.name === name && s.checksum === checksum);
}

/** The repair file of a superseded version: `<migrations dir>/repairs/<name>.<checksum>.sql`. */
export async function loadRepair(dir: string, s: SupersededMigration, split: (text: string) => string[]): Promise<Migration> {
  const text = await readFile(join(dir, 'repairs', `${s.name}.${s.checksum}.sql`), 'utf8');
  return { version: Number(s.name.slice(0, 4)), name: `${s.name} (repair of ${s.checksum})`, checksum: s.checksum, statements: split(text) };
}
