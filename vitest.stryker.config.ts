// The test files a mutation run uses (stryker.config.mjs): those that exercise src/ in-process.
// package.test.ts runs the built dist/ in child processes, which Stryker does not mutate.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // fuzz.test.ts runs on a time budget (a varying number of cases): not a stable mutant killer.
    exclude: ['test/package.test.ts', 'test/batch.test.ts', 'test/fuzz.test.ts', '**/node_modules/**'],
    testTimeout: 60_000,
    setupFiles: ['test/setup-seed.ts'],
  },
});
