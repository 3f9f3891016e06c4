// The image QA page (web/qa-images.html): `npx vite build --config web/vite.qa-images.config.ts`.
// The main page's settings (the package as a bundler sees it, relative URLs, no inlined
// assets), with this page as the input; the wasm codecs' .wasm files are emitted beside it.
import { fileURLToPath } from 'node:url';
import { mergeConfig } from 'vite';
import base from './vite.config.js';

export default mergeConfig(base, {
  build: {
    outDir: 'dist-qa-images',
    chunkSizeWarningLimit: 4000,
    rollupOptions: { input: fileURLToPath(new URL('./qa-images.html', import.meta.url)) },
  },
});
