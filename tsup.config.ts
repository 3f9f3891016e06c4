import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

export default defineConfig([
  {
    entry: { index: 'src/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    // 'neutral' keeps the inlined wasm free of Node's Buffer, so browsers and bundlers load it too.
    platform: 'neutral',
    target: 'es2022',
    external: [/^node:/],
    removeNodeProtocol: false,
    shims: true,
  },
  {
    entry: { cli: 'src/cli/bin.ts' },
    format: ['cjs'],
    platform: 'node',
    target: 'node20',
    removeNodeProtocol: false,
    banner: { js: '#!/usr/bin/env node' },
    define: { __STEREOTAX_VERSION__: JSON.stringify(version) },
    noExternal: [/^(?!vega$|vega-lite$).*/],
    // vega's ESM uses top-level await: loaded at run time (dependencies) for --plots only.
    external: ['vega', 'vega-lite'],
  },
]);
