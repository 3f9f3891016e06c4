/**
 * Optional peer dependencies (plots, PDF reports, databases, progress bars) are not
 * installed with stereotax: a vendor embedding the engine does not ship them. A feature
 * that needs one loads it on use; when it is missing the caller gets EngineError
 * `optional_dependency_missing` naming the packages to install, never a resolver's trace.
 */
import { EngineError } from './errors.js';

/** True when `err` says that one of `packages` (or a file inside one) could not be found. */
export function isMissingPackage(err: unknown, packages: readonly string[]): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  if (!e || (e.code !== 'ERR_MODULE_NOT_FOUND' && e.code !== 'MODULE_NOT_FOUND')) return false;
  const message = String(e.message ?? '');
  // The package itself ('pkg'), a file asked for inside it ('pkg/ttf/x.ttf') or a path through it (/pkg/).
  return packages.some((p) => message.includes(`'${p}'`) || message.includes(`"${p}"`) || message.includes(`'${p}/`) || message.includes(`/${p}/`));
}

/**
 * Runs `load` (the feature's own `import()` calls, kept literal so bundlers see them) and
 * turns "cannot find package" into an error that says what to install and what for.
 */
export async function loadOptional<T>(packages: readonly string[], purpose: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (err) {
    if (!isMissingPackage(err, packages)) throw err;
    throw new EngineError('optional_dependency_missing',
      `${purpose} needs the optional package${packages.length > 1 ? 's' : ''} ${packages.join(', ')}, not installed: npm install ${packages.join(' ')}`);
  }
}
