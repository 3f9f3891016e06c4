import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

export default defineConfig([
  {
    entry: { index: 'src/index.ts', qa: 'src/qa/node.ts', 'qa-images': 'src/qa-images/node.ts' },
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
    // Everything bundled except QA's dependencies, loaded from node_modules: sql.js and pdfkit read their
    // own data files (.wasm, .afm fonts) beside their modules, and vega is ESM with top-level await.
    noExternal: [/^(?!(sql\.js|pdfkit|svg-to-pdfkit|pg|vega|vega-lite)$).*/],
  },
]);
