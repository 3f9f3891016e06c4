/**
 * Where mathjs comes from, for unit strings the exact reader in units.ts does not read
 * (inches, micrometres, arc minutes, ...). mathjs is an optional peer dependency: in Node
 * it is required on first use only, when installed, so `import('stereotax')` never pays
 * its start-up (about 0.6 s here). The browser build takes mathjs-host.browser.ts, which
 * never names mathjs (a bundler would have to resolve it); a page that wants every unit
 * passes mathjs in with useMathjsUnits.
 */
import { createRequire } from 'node:module';

import type { MathjsUnits } from './mathjs-units.js';

/** mathjs when it is installed beside stereotax; undefined when it is not. */
export function loadMathjs(): MathjsUnits | undefined {
  try {
    return createRequire(import.meta.url)('mathjs') as MathjsUnits;
  } catch (err) {
    if ((err as { code?: string }).code === 'MODULE_NOT_FOUND') return undefined;
    throw err;
  }
}

export const MATHJS_HINT = 'install the optional package mathjs (npm install mathjs)';
