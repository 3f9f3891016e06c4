// dcmjs may be an optional dependency: without it, writing a report fails with an error
// naming the package and version to install (exit 1 through the CLI); nothing else needs it.
import { describe, expect, it, vi } from 'vitest';
import { EngineError } from '../../src/core/errors.js';

vi.mock('dcmjs', () => {
  throw new Error("Cannot find package 'dcmjs'");
});

describe('without dcmjs', () => {
  it('writeSecondOpinionSR rejects with optional_dependency_missing naming dcmjs and its version', async () => {
    const { writeSecondOpinionSR, DCMJS_VERSION } = await import('../../src/dicom/sr-load.js');
    const err = await writeSecondOpinionSR([], []).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).code).toBe('optional_dependency_missing');
    expect((err as Error).message).toContain(`npm install dcmjs@${DCMJS_VERSION}`);
    const pkg = await import('../../package.json', { with: { type: 'json' } });
    // An optional peer for users, pinned for the tests at the version the writer is tested with.
    const pkg2 = pkg.default as unknown as { peerDependencies: Record<string, string>; peerDependenciesMeta: Record<string, { optional?: boolean }>; devDependencies: Record<string, string> };
    expect(pkg2.devDependencies.dcmjs).toBe(DCMJS_VERSION);
    expect(pkg2.peerDependencies.dcmjs).toBe(`^${DCMJS_VERSION}`);
    expect(pkg2.peerDependenciesMeta.dcmjs?.optional).toBe(true);
  });
});
