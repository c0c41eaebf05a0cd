import { defineConfig } from 'vitest/config';

// One root config, three projects: pure unit tests, dashboard components (happy-dom), and
// integration/e2e tests that get a real ClickHouse from test/global-clickhouse.ts.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          environment: 'node',
          include: ['{agent,collector,schema,proto,simulator,devkit}/{src,test}/**/*.test.ts', 'scripts/**/*.test.ts', 'e2e/src/docs/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/node_modules/**', '**/.stryker-tmp/**'],
        },
      },
      {
        test: {
          name: 'dashboard',
          environment: 'happy-dom',
          include: ['dashboard/src/**/*.test.{ts,tsx}'],
        },
      },
      {
        test: {
          name: 'integration',
          environment: 'node',
          include: ['**/*.int.test.ts', 'e2e/**/*.e2e.test.ts'],
          exclude: ['**/node_modules/**', '**/.stryker-tmp/**'],
          globalSetup: ['./tooling/global-clickhouse.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
