// Under Stryker (its workers set STRYKER_MUTATOR_WORKER; `STRYKER=1` does the same by hand)
// fast-check runs with a fixed seed, so a mutation run's baseline is stable.
import fc from 'fast-check';

if (process.env.STRYKER || process.env.STRYKER_MUTATOR_WORKER) fc.configureGlobal({ seed: Number(process.env.STRYKER_SEED ?? 20261123) });
