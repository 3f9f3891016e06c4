// src/interchange.generated.ts (the request and result types) is what scripts/schema-types.mjs
// makes of schema/*.schema.json: a schema changed without `npm run schema-types` fails here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error  a plain .mjs script without declarations
import { generate } from '../../scripts/schema-types.mjs';

const root = join(import.meta.dirname, '..', '..');

describe('interchange types', () => {
  it('are generated from the committed schemas', () => {
    expect(readFileSync(join(root, 'src', 'interchange.generated.ts'), 'utf8')).toBe((generate as (dir: string) => string)(join(root, 'schema')));
  });

  it('every request schema has its exported type', () => {
    const text = readFileSync(join(root, 'src', 'interchange.generated.ts'), 'utf8');
    for (const name of ['TargetingRequest', 'PlanRequest', 'MarginsRequest', 'SimulationScenario', 'QASessionRequest', 'UnitProfileRequest']) {
      expect(text).toMatch(new RegExp(`^export type ${name} = `, 'm'));
    }
  });
});
