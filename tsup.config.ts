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
 *   - src/dicom/sr-load.ts -> sr-load.browser.ts (never names dcmjs: useDcmjs hands it in);
 *   - any other `node:*` import (only ever dynamic, inside a try) -> a module that throws when loaded;
 *   - fflate (inflating deflated DICOM files) bundled in, in its browser build, and dicom-parser.
 */
const browserParts: Plugin = {
  name: 'stereotax-browser-parts',
  setup(build) {
    build.onResolve({ filter: /(^|\/)(workers\/index|core\/mathjs-host|mathjs-host|dicom\/sr-load|sr-load)\.js$/ }, (args) => ({
      path: resolve(args.resolveDir, args.path.replace(/\.js$/, '.browser.ts')),
    }));
    build.onResolve({ filter: /^node:/ }, (args) => ({ path: args.path, namespace: 'node-only' }));
    build.onLoad({ filter: /.*/, namespace: 'node-only' }, (args) => ({
      contents: `throw new Error(${JSON.stringify(`${args.path} is not available in a browser`)});`,
      loader: 'js',
    }));
  },
};

export default defineConfig([
  {
    entry: { index: 'src/index.ts', qa: 'src/qa/node.ts', 'qa-images': 'src/qa-images/node.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    // The maps point into src/, shipped beside dist/, instead of carrying every source a second
    // time in each of the five bundles' maps (about 6 MB of the installed footprint).
    esbuildOptions(options) { options.sourcesContent = false; },
    clean: true,
    // 'neutral' keeps the inlined wasm free of Node's Buffer, so browsers and bundlers load it too.
    platform: 'neutral',
    target: 'es2022',
    external: [/^node:/],
    // TypeBox defines the requests (src/core/schema): bundled in, only the builders used, so an
    // embedder installs nothing for it and the public declarations never name it.
    noExternal: ['@sinclair/typebox'],
    removeNodeProtocol: false,
    shims: true,
  },
  {
    entry: { browser: 'src/index.ts' },
    format: ['esm'],
    // One file: the worker stand-in's dynamic import is inlined, nothing for a bundler to split.
    splitting: false,
    sourcemap: true,
    // The maps point into src/, shipped beside dist/, instead of carrying every source a second
    // time in each of the five bundles' maps (about 6 MB of the installed footprint).
    esbuildOptions(options) { options.sourcesContent = false; },
    platform: 'browser',
    target: 'es2022',
    removeNodeProtocol: false,
    // Self-contained: fflate is bundled in, so the file has no imports left for a consumer's bundler to resolve.
    // dicom-parser (the pixels of QA from the images) has a `browser` field that maps its require("zlib") to nothing.
    noExternal: ['fflate', 'dicom-parser', '@sinclair/typebox'],
    // Whitespace and syntax minified, names kept (stack traces stay readable): a page's bundler
    // minifies it anyway, and the package stays within its installed footprint.
    minifyWhitespace: true,
    minifySyntax: true,
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
    // better-sqlite3 is native, pdfkit and the fonts read data files beside their modules, vega is ESM
    // with top-level await) and mathjs, required on first use by a unit string only the full parser reads.
    noExternal: [/^(?!(better-sqlite3|pdfkit|svg-to-pdfkit|dejavu-fonts-ttf|pg|vega|vega-lite|cli-progress|mathjs|dcmjs)$).*/],
    external: ['better-sqlite3', 'pdfkit', 'svg-to-pdfkit', 'dejavu-fonts-ttf', 'pg', 'vega', 'vega-lite', 'cli-progress', 'mathjs', 'dcmjs'],
  },
]);
