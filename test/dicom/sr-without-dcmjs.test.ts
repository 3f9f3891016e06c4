// dcmjs may be an optional dependency: without it, writing a report fails with an error
// naming the package and version to install (exit 1 through the CLI); nothing else needs it.
import { describe, expect, it, vi } from 'vitest';
import { EngineError } from '../../src/core/errors.js';

vi.mock('dcmjs', () => {
  throw new Error("Cannot find package 'dcmjs'");
});

describe('without dcmjs', () => {
  it('writeSecondOpinionSR rejects with missing_dependency naming dcmjs and its version', async () => {
    const { writeSecondOpinionSR, DCMJS_VERSION } = await import('../../src/dicom/sr-load.js');
    const err = await writeSecondOpinionSR([], []).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).code).toBe('missing_dependency');
    expect((err as Error).message).toContain(`npm install dcmjs@${DCMJS_VERSION}`);
    const pkg = await import('../../package.json', { with: { type: 'json' } });
    const all = { ...pkg.default.dependencies, ...(pkg.default as { optionalDependencies?: Record<string, string> }).optionalDependencies, ...(pkg.default as { peerDependencies?: Record<string, string> }).peerDependencies };
    expect(all.dcmjs).toBe(DCMJS_VERSION);
  });
});
