import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

export default defineConfig([
  {
    entry: { index: 'src/index.ts', qa: 'src/qa/node.ts' },
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
    // Everything bundled except QA's optional dependencies, loaded from node_modules when used (better-sqlite3
    // is native, pdfkit and the fonts read data files beside their modules), and vega (ESM, top-level await).
    noExternal: [/^(?!(better-sqlite3|pdfkit|svg-to-pdfkit|dejavu-fonts-ttf|pg|vega|vega-lite)$).*/],
  },
]);
