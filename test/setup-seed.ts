// Fixed fast-check seed under StrykerJS only, so a mutation run's baseline cannot differ from run to run.
// Ordinary `npm test` runs keep fast-check's random seed.
import fc from 'fast-check';

if (process.env.STRYKER_MUTATOR_WORKER !== undefined) fc.configureGlobal({ seed: 20261123 });
