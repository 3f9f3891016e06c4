// The browser page: `npm run build:web` writes web/dist, `npm run demo:web` builds and serves it.
// The page imports the package as a vendor's bundler sees it: dist/browser.js (run `npm run
// build` first), with both wasm builds embedded as base64 and dicom-parser inside, so the page
// needs no server and no network once loaded.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const pkg = fileURLToPath(new URL('../dist/browser.js', import.meta.url)); // the browser export condition's file

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  // Relative asset URLs: the page works from any folder a console serves it from.
  base: './',
  resolve: { alias: { stereotax: pkg } },
  publicDir: false,
  clearScreen: false,
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // No inline polyfill script: the page's CSP allows scripts from 'self' only.
    modulePreload: { polyfill: false },
    // Nothing inlined as data: URLs either; every asset is a file next to the page.
    assetsInlineLimit: 0,
    // mathjs plus the two embedded wasm builds make one chunk of about 1 MB; that is expected.
    chunkSizeWarningLimit: 2000,
  },
  preview: { host: '127.0.0.1', port: 4173, strictPort: false },
  server: { host: '127.0.0.1' },
});
