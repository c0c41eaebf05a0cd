// The vitest config Stryker runs (scripts/mutation.mjs): unit tests only, and only the files the
// module under mutation names (RW_MUTATION_TESTS, comma-separated), so each mutant runs a narrow set.
import { defineConfig } from 'vitest/config';

const include = (process.env['RW_MUTATION_TESTS'] ?? '').split(',').filter((t) => t !== '');

export default defineConfig({
  test: {
    environment: 'node',
    include: include.length > 0 ? include : ['__no_tests_named__'],
    pool: 'forks',
    maxWorkers: 1,
  },
});
