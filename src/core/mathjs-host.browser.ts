/**
 * mathjs in the browser build (see mathjs-host.ts): never imported here, so a bundler has
 * nothing to resolve; `useMathjsUnits(mathjs)` hands it in for units beyond mm, cm, m, deg, rad.
 */
import type { MathjsUnits } from './mathjs-units.js';

export function loadMathjs(): MathjsUnits | undefined {
  return undefined;
}

export const MATHJS_HINT = "pass mathjs in: import * as mathjs from 'mathjs'; useMathjsUnits(mathjs)";
