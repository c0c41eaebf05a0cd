import { describe, expect, it } from 'vitest';
import { loadMigrations, splitStatements } from './migrate.js';

describe('migrations', () => {
  it('splits statements at a semicolon ending a line and drops comments', () => {
    expect(splitStatements('-- c\nCREATE TABLE a (x UInt8)\nENGINE = Memory;\n\nCREATE TABLE b (s String) ENGINE = Memory;\n')).toEqual([
      'CREATE TABLE a (x UInt8)\nENGINE = Memory',
      'CREATE TABLE b (s String) ENGINE = Memory',
    ]);
  });

  it('loads the shipped migrations in version order, every CREATE with IF NOT EXISTS (running them twice: migrate-upgrade.int.test.ts), none with 18.16-unsupported syntax', async () => {
    const ms = await loadMigrations();
    expect(ms[0]?.name).toBe('0001_core');
    const versions = ms.map((m) => m.version);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(new Set(versions).size).toBe(versions.length);
    for (const m of ms) {
      for (const s of m.statements) {
        if (/^CREATE /i.test(s)) expect(s, m.name).toMatch(/IF NOT EXISTS/i);
        expect(s, m.name).not.toMatch(/DateTime64|\bTTL\b|CODEC\(|toStartOfInterval|WITH FILL/);
      }
    }
  });
});
