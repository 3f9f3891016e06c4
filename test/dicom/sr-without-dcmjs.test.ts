// dcmjs may be an optional dependency: without it, writing a report fails with an error
// naming the package and version to install (exit 1 through the CLI); nothing else needs it.
// Any other failure while loading the writer is passed on as it is.
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../src/core/errors.js';
import { DCMJS_VERSION, loadSrWriter } from '../../src/dicom/sr-load.js';

const notFound = (what: string) => Object.assign(new Error(`Cannot find package '${what}' imported from /x/dist/sr-dcmjs.js`), { code: 'ERR_MODULE_NOT_FOUND' });

describe('without dcmjs', () => {
  it('a dcmjs that cannot be found: optional_dependency_missing naming dcmjs and its version', async () => {
    const err = await loadSrWriter(() => Promise.reject(notFound('dcmjs'))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).code).toBe('optional_dependency_missing');
    expect((err as Error).message).toContain(`npm install dcmjs@${DCMJS_VERSION}`);
    // CommonJS's code and wording too.
    const cjs = Object.assign(new Error("Cannot find module 'dcmjs'"), { code: 'MODULE_NOT_FOUND' });
    expect(((await loadSrWriter(() => Promise.reject(cjs)).catch((e: unknown) => e)) as EngineError).code).toBe('optional_dependency_missing');
  });

  it('any other failure is passed on unchanged, not reported as a missing dcmjs', async () => {
    const broken = new TypeError('dcmjs: Cannot read properties of undefined');
    await expect(loadSrWriter(() => Promise.reject(broken))).rejects.toBe(broken);
    const other = notFound('loglevel');
    await expect(loadSrWriter(() => Promise.reject(other))).rejects.toBe(other);
    const anyModule = Object.assign(new Error("Cannot find module 'dcmjs-extra'"), { code: 'MODULE_NOT_FOUND' });
    await expect(loadSrWriter(() => Promise.reject(anyModule))).rejects.toBe(anyModule);
    expect(await loadSrWriter(async () => 7)).toBe(7);
  });

  it('dcmjs is an optional peer, pinned for the tests at the version the writer is tested with', async () => {
    const pkg = await import('../../package.json', { with: { type: 'json' } });
    const p = pkg.default as unknown as { peerDependencies: Record<string, string>; peerDependenciesMeta: Record<string, { optional?: boolean }>; devDependencies: Record<string, string> };
    expect(p.devDependencies.dcmjs).toBe(DCMJS_VERSION);
    expect(p.peerDependencies.dcmjs).toBe(`^${DCMJS_VERSION}`);
    expect(p.peerDependenciesMeta.dcmjs?.optional).toBe(true);
  });
});
