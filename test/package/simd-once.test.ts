// simdSupported() validates the SIMD build once per process (WebAssembly.validate of ~100 KB
// is not free) and remembers the answer, which cannot change; loadEngine() reuses it.
import { describe, expect, it, vi } from 'vitest';

describe('simdSupported', () => {
  it('calls WebAssembly.validate at most once, however often it and loadEngine are called', async () => {
    const validate = vi.spyOn(WebAssembly, 'validate');
    vi.resetModules();
    const { simdSupported, loadEngine, createEngine } = await import('../../src/engine/engine.js');
    const first = simdSupported();
    for (let i = 0; i < 100; i++) expect(simdSupported()).toBe(first);
    await loadEngine();
    await loadEngine({ kernel: 'auto' });
    await createEngine();
    expect(validate.mock.calls.length).toBe(1);
    // The remembered answer is the real one here.
    validate.mockRestore();
    expect(first).toBe(true); // Node 20's V8 runs wasm SIMD
  });
});
