// The image QA page (web/qa-images.html): `npx vite build --config web/vite.qa-images.config.ts`.
// Like the main page it imports the package as a bundler sees it (dist/index.js), and the
// wasm codecs' .wasm files are emitted beside the page (no network, no inline data: URLs).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const pkg = fileURLToPath(new URL('../dist/index.js', import.meta.url));

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  resolve: { alias: { stereotax: pkg } },
  publicDir: false,
  clearScreen: false,
  build: {
    outDir: 'dist-qa-images',
    emptyOutDir: true,
    target: 'es2022',
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 4000,
    rollupOptions: { input: fileURLToPath(new URL('./qa-images.html', import.meta.url)) },
  },
});
