// Mutation testing of the safety-critical code: `npm run mutate` (not part of `npm test`; it takes minutes).
// A narrower run (this shared 2-core machine: one file group at a time):
//   npx stryker run --mutate 'src/needle/*.ts,src/targeting/uncertainty.ts' --concurrency 1
// fast-check properties run with a fixed seed under Stryker (see test/setup-seed.ts), so the baseline is stable.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  vitest: { configFile: 'vitest.stryker.config.ts' },
  coverageAnalysis: 'perTest',
  mutate: [
    'src/needle/**/*.ts',
    'src/core/validate.ts',
    'src/targeting/targeting.ts',
    'src/targeting/uncertainty.ts',
    'src/plan/**/*.ts',
    'src/margins/margins.ts',
  ],
  concurrency: 2,
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  thresholds: { high: 90, low: 80, break: null },
  timeoutMS: 60000,
};
