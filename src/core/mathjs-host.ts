/**
 * Where mathjs comes from, for unit strings the exact parser in units.ts does not read
 * (inches, micrometres, arc minutes, ...). In Node it is required on first use only, so
 * `import('stereotax')` does not pay mathjs's start-up (about 0.6 s here) for requests in
 * mm, cm, m, deg or rad. The browser build takes mathjs-host.browser.ts instead (a static
 * import a bundler can tree-shake; `create` still runs on first use only).
 */
import { createRequire } from 'node:module';

type MathjsUnits = Pick<typeof import('mathjs'), 'create' | 'unitDependencies'>;

export function loadMathjs(): MathjsUnits {
  return createRequire(import.meta.url)('mathjs') as MathjsUnits;
}
