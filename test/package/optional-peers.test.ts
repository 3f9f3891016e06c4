// Optional peer dependencies load on use: a missing one is EngineError
// optional_dependency_missing naming the packages to install; any other failure of the
// loader is passed on as it was.
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../src/core/errors.js';
import { isMissingPackage, loadOptional } from '../../src/core/optional.js';

describe('loadOptional', () => {
  it('a package that is not installed: a typed error naming it and the install command', async () => {
    const err = await loadOptional(['no-such-package-for-stereotax'], 'the test feature', () => import('no-such-package-for-stereotax' as string)).catch((e) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect(err.code).toBe('optional_dependency_missing');
    expect(err.message).toMatch(/the test feature needs the optional package no-such-package-for-stereotax, not installed: npm install no-such-package-for-stereotax/);
  });

  it('two packages are both named', async () => {
    const missing = Object.assign(new Error("Cannot find package 'vega-lite' imported from x"), { code: 'ERR_MODULE_NOT_FOUND' });
    const err = await loadOptional(['vega', 'vega-lite'], 'the plots', () => Promise.reject(missing)).catch((e) => e);
    expect(err.message).toMatch(/needs the optional packages vega, vega-lite, not installed: npm install vega vega-lite$/);
  });

  it('another error, or another missing package, is passed on unchanged', async () => {
    const other = new TypeError('broken inside the package');
    await expect(loadOptional(['vega'], 'x', () => Promise.reject(other))).rejects.toBe(other);
    const elsewhere = Object.assign(new Error("Cannot find package 'left-pad' imported from vega"), { code: 'ERR_MODULE_NOT_FOUND' });
    await expect(loadOptional(['vega'], 'x', () => Promise.reject(elsewhere))).rejects.toBe(elsewhere);
    expect(await loadOptional(['vega'], 'x', async () => 42)).toBe(42);
  });

  it('isMissingPackage reads both module systems\' codes and nothing else', () => {
    expect(isMissingPackage({ code: 'MODULE_NOT_FOUND', message: "Cannot find module 'pg'" }, ['pg'])).toBe(true);
    expect(isMissingPackage({ code: 'ERR_MODULE_NOT_FOUND', message: "Cannot find package '/x/node_modules/pg/' " }, ['pg'])).toBe(true);
    expect(isMissingPackage({ code: 'ENOENT', message: "'pg'" }, ['pg'])).toBe(false);
    expect(isMissingPackage({ code: 'MODULE_NOT_FOUND', message: "Cannot find module 'pgx'" }, ['pg'])).toBe(false);
    // A file inside the package (the PDF's fonts are resolved so), and not one of a package with a longer name.
    expect(isMissingPackage({ code: 'MODULE_NOT_FOUND', message: "Cannot find module 'dejavu-fonts-ttf/ttf/DejaVuSans.ttf'" }, ['dejavu-fonts-ttf'])).toBe(true);
    expect(isMissingPackage({ code: 'MODULE_NOT_FOUND', message: "Cannot find module 'pgx/lib/x.js'" }, ['pg'])).toBe(false);
    expect(isMissingPackage(null, ['pg'])).toBe(false);
  });
});
