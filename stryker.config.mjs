// Mutation testing of the safety-critical code: `npm run mutate` (not part of `npm test`; it takes
// most of an hour on a 2-core machine). One file group at a time, as measured for the README:
//   npx stryker run --mutate 'src/plan/**/*.ts'
//   STRYKER_TESTS=targeting npx stryker run --mutate 'src/needle/*.ts,src/targeting/uncertainty.ts'
//   STRYKER_TESTS=targeting npx stryker run --mutate 'src/core/validate.ts,src/targeting/{targeting,request,fast-path,compute,findings}.ts'
//   STRYKER_TESTS=margins npx stryker run --mutate 'src/margins/{margins,request,named-margins,compute,findings}.ts'
// The test files it runs are in vitest.stryker.config.ts (STRYKER_TESTS=targeting leaves out the
// margins and kernel suites). fast-check properties run with a fixed seed under Stryker
// (test/helpers/setup-seed.ts), so the baseline is stable.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  vitest: { configFile: 'vitest.stryker.config.ts' },
  coverageAnalysis: 'perTest',
  mutate: [
    'src/needle/**/*.ts',
    'src/core/validate.ts',
    // targeting.ts and margins.ts re-export the names their role files define.
    'src/targeting/{targeting,request,fast-path,compute,findings}.ts',
    'src/targeting/uncertainty.ts',
    'src/plan/**/*.ts',
    'src/margins/{margins,request,named-margins,compute,findings}.ts',
  ],
  concurrency: 2,
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  thresholds: { high: 90, low: 80, break: null },
  timeoutMS: 60000,
};
