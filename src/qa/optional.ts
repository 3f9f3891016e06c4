/**
 * The QA store and the PDF report need packages that most embedders never use
 * (better-sqlite3, pg, pdfkit, svg-to-pdfkit, dejavu-fonts-ttf): they are optional
 * peer dependencies, loaded only when `--db` or `--pdf` asks for them. A missing one
 * is an error that names the package to install, never a stack trace.
 */
import { createRequire } from 'node:module';
import { EngineError } from '../core/errors.js';
import { isMissingPackage } from '../core/optional.js';

/** The versions this stereotax is tested with (package.json devDependencies). */
export const OPTIONAL_PACKAGES = {
  'better-sqlite3': { version: '12.11.1', for: 'the SQLite QA history (--db FILE)' },
  pg: { version: '8.23.1', for: 'the PostgreSQL QA history (--db postgres://...)' },
  pdfkit: { version: '0.20.2', for: 'the PDF report (--pdf)' },
  'svg-to-pdfkit': { version: '0.1.8', for: 'the figures of the PDF report (--pdf)' },
  'dejavu-fonts-ttf': { version: '2.37.3', for: 'the fonts embedded in the PDF report (--pdf)' },
} as const;
export type OptionalPackage = keyof typeof OPTIONAL_PACKAGES;

export function missingPackage(name: OptionalPackage, cause?: unknown): EngineError {
  const p = OPTIONAL_PACKAGES[name];
  const why = cause instanceof Error ? ` (${cause.message.split('\n')[0]})` : '';
  return new EngineError('optional_dependency_missing',
    `${p.for} needs the optional package ${name}, which is not installed${why}: install it with \`npm install ${name}@${p.version}\``);
}


/** `import(name)`, its default export when it has one; a missing package is `optional_dependency_missing`. */
export async function loadOptional<T>(name: OptionalPackage): Promise<T> {
  try {
    const m = (await import(name)) as { default?: unknown };
    return (m.default ?? m) as T;
  } catch (err) {
    if (isMissingPackage(err, [name])) throw missingPackage(name, err);
    throw err;
  }
}

/** The path of a file inside an optional package (fonts), resolved from here. */
export function optionalFile(name: OptionalPackage, file: string): string {
  // The CLI is a CommonJS bundle (no import.meta there); the library builds are ES modules too.
  const require = createRequire(typeof __filename === 'string' ? __filename : import.meta.url);
  try {
    return require.resolve(`${name}/${file}`);
  } catch (err) {
    if (isMissingPackage(err, [name])) throw missingPackage(name, err);
    throw err;
  }
}
