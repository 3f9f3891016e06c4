import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitepress';
import { buildSidebars } from './sidebar.ts';

const docs = fileURLToPath(new URL('..', import.meta.url));

// Dead links fail the build (VitePress's default, kept): `npm test` builds this site.
export default defineConfig({
  title: 'stereotax',
  description: 'Stereotactic geometry and needle targeting for breast biopsy and preoperative localization.',
  cleanUrls: true,
  lastUpdated: false,
  themeConfig: {
    nav: [
      { text: 'Guide', link: '/guide/targeting' },
      { text: 'API', link: '/api/' },
    ],
    sidebar: buildSidebars(docs),
    search: { provider: 'local' },
    outline: [2, 3],
  },
});
