/** mathjs for the browser build (see mathjs-host.ts): bundled, created on first use. */
import { create, unitDependencies } from 'mathjs';

export function loadMathjs(): Pick<typeof import('mathjs'), 'create' | 'unitDependencies'> {
  return { create, unitDependencies };
}
