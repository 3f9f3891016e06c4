import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'tsup';
import type { Plugin } from 'esbuild';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

/**
 * The browser build (`browser` export condition, and the default for bundlers that use
 * neither `node` nor `browser`): the same source with its Node-only parts swapped for
 * browser ones, so esbuild, webpack, rollup and Vite bundle it with no flags.
 *   - src/workers/index.ts -> index.browser.ts (no worker script; createPool rejects);
 *   - src/core/mathjs-host.ts -> mathjs-host.browser.ts (never names mathjs: useMathjsUnits hands it in);
 *   - any other `node:*` import (only ever dynamic, inside a try) -> a module that throws when loaded;
 *   - dicom-parser bundled in; its package.json's `browser` field gives its require("zlib") an empty module.
 */
const browserParts: Plugin = {
  name: 'stereotax-browser-parts',
  setup(build) {
    build.onResolve({ filter: /(^|\/)(workers\/index|core\/mathjs-host|mathjs-host)\.js$/ }, (args) => ({
      path: resolve(args.resolveDir, args.path.replace(/\.js$/, '.browser.ts')),
    }));
    build.onResolve({ filter: /^node:/ }, (args) => ({ path: args.path, namespace: 'node-only' }));
    build.onLoad({ filter: /.*/, namespace: 'node-only' }, (args) => ({
      contents: `throw new Error(${JSON.stringify(`${args.path} is not available in a browser`)});`,
      loader: 'js',
    }));
  },
};

/**
 * The Node builds load dicom-parser on first use (it is a third of a cold `import('stereotax')`
 * here, and most embedders never read a DICOM file): `import ... from 'dicom-parser'` becomes
 * a module whose default export forwards to dicom-parser, required the first time a function
 * of it is called. Only the default export is read (src/dicom/read.ts takes `.default`).
 */
const lazyDicomParser: Plugin = {
  name: 'stereotax-lazy-dicom-parser',
  setup(build) {
    build.onResolve({ filter: /^dicom-parser$/ }, () => ({ path: 'dicom-parser', namespace: 'lazy-dicom-parser' }));
    build.onLoad({ filter: /.*/, namespace: 'lazy-dicom-parser' }, () => ({
      loader: 'js',
      contents: [
        "import { createRequire } from 'node:module';",
        'let parser;',
        "const load = () => (parser ??= createRequire(import.meta.url)('dicom-parser'));",
        'export default new Proxy({}, { get: (_, key) => load()[key], has: (_, key) => key in load() });',
      ].join('\n'),
    }));
  },
};

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
    // Not external: the plugin below turns it into a lazy require of the installed package.
    noExternal: ['dicom-parser'],
    esbuildPlugins: [lazyDicomParser],
  },
  {
    entry: { browser: 'src/index.ts' },
    format: ['esm'],
    // One file: the worker stand-in's dynamic import is inlined, nothing for a bundler to split.
    splitting: false,
    sourcemap: true,
    platform: 'browser',
    target: 'es2022',
    removeNodeProtocol: false,
    // Self-contained: dicom-parser is bundled in with its `zlib` (deflated transfer syntaxes, refused
    // anyway) mapped to nothing, so the file has no imports left for a consumer's bundler to resolve.
    noExternal: ['dicom-parser'],
    esbuildPlugins: [browserParts],
  },
  {
    entry: { cli: 'src/cli/bin.ts' },
    format: ['cjs'],
    platform: 'node',
    target: 'node20',
    removeNodeProtocol: false,
    shims: true,
    banner: { js: '#!/usr/bin/env node' },
    define: { __STEREOTAX_VERSION__: JSON.stringify(version) },
    // Everything bundled except the optional peers (loaded from node_modules when a command needs them:
    // sql.js and pdfkit read their own data files beside their modules, and vega is ESM with top-level
    // await) and mathjs, required on first use by a unit string only the full parser reads.
    noExternal: [/^(?!(sql\.js|pdfkit|svg-to-pdfkit|pg|vega|vega-lite|cli-progress|better-sqlite3|mathjs)$).*/],
    external: ['sql.js', 'pdfkit', 'svg-to-pdfkit', 'pg', 'vega', 'vega-lite', 'cli-progress', 'better-sqlite3', 'mathjs'],
  },
]);
