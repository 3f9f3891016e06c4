// The test files a mutation run uses (stryker.config.mjs): the in-process tests that exercise
// the mutated files (needle, validation, targeting, uncertainty, plan, margins). Left out, so a
// static mutant (one that runs every test) costs seconds, not a minute: the simulation, browser,
// database, records and DICOM-store suites (they do not reach these files or reach them only
// through the built dist/ in child processes), and the suites run on a time budget (fuzz,
// margins/fuzz: a varying number of cases is not a stable mutant killer). A smaller test set
// can only kill fewer mutants, so the score it reports is a lower bound for the whole suite.
import { defineConfig } from 'vitest/config';

// STRYKER_TESTS=targeting (for needle, validation, targeting and uncertainty) leaves out the
// margins and kernel suites, which do not reach those files, so each static mutant runs faster.
const NOT_FOR_TARGETING = ['test/margins/reference.test.ts', 'test/margins/safety.test.ts', 'test/margins/reach.test.ts', 'test/margins/normal-search.test.ts', 'test/margins/request-validation.test.ts', 'test/margins/closed-forms.test.ts', 'test/engine/kernels.test.ts', 'test/plan/dates.test.ts', 'test/plan/localization.test.ts', 'test/plan/text-report.test.ts', 'test/plan/plan-request.test.ts', 'test/plan/mitigations.test.ts', 'test/plan/post-placement.test.ts'];

// STRYKER_TESTS=margins (for margins.ts) keeps only the suites that reach the margins code.
const FOR_MARGINS = ['test/margins/reference.test.ts', 'test/margins/safety.test.ts', 'test/margins/reach.test.ts', 'test/margins/normal-search.test.ts', 'test/margins/request-validation.test.ts', 'test/margins/closed-forms.test.ts', 'test/core/bad-input.test.ts',
  'test/cli/request-path.test.ts', 'test/schemas/published-schemas.test.ts', 'test/engine/kernels.test.ts'];

export default defineConfig({
  test: {
    include: [
      'test/core/bad-input.test.ts',
      'test/targeting/finding-limits.test.ts',
      'test/needle/request-validation.test.ts',
      'test/needle/approach-checks.test.ts',
      'test/core/validate.test.ts',
      'test/targeting/complete-check.test.ts',
      'test/targeting/fast-path.test.ts',
      'test/targeting/uncertainty.test.ts',
      'test/targeting/request-limits.test.ts',
      'test/margins/request-validation.test.ts', 'test/margins/closed-forms.test.ts',
      'test/plan/dates.test.ts',
      'test/plan/localization.test.ts',
      'test/plan/text-report.test.ts',
      'test/plan/plan-request.test.ts',
      'test/plan/mitigations.test.ts',
      'test/plan/post-placement.test.ts',
      'test/plan/planning.test.ts',
      'test/targeting/round-trip-properties.test.ts',
      'test/targeting/reference-cases.test.ts',
      'test/cli/request-path.test.ts',
      'test/targeting/tomosynthesis.test.ts',
      'test/margins/reference.test.ts',
      'test/margins/safety.test.ts',
      'test/margins/reach.test.ts',
      'test/margins/normal-search.test.ts',
      'test/schemas/published-schemas.test.ts',
      'test/engine/kernels.test.ts',
      'test/qa/phantom-analysis.test.ts',
      'test/cli/json-contract.test.ts',
      'test/dicom/tomosynthesis-frames.test.ts',
      'test/records/axillary.test.ts',
    ].filter((f) => process.env.STRYKER_TESTS !== 'targeting' || !NOT_FOR_TARGETING.includes(f))
      .filter((f) => process.env.STRYKER_TESTS !== 'margins' || FOR_MARGINS.includes(f)),
    // One module graph per worker across files: imports (mathjs, the wasm) once, not per file.
    isolate: false,
    testTimeout: 60_000,
    setupFiles: ['test/helpers/setup-seed.ts'],
  },
});
