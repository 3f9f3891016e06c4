import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitepress';
import { repositoryFileOutsideSite } from './links.ts';
import { buildSidebars } from './sidebar.ts';

const docs = fileURLToPath(new URL('..', import.meta.url));

// Dead links fail the build (VitePress's default): `npm test` builds this site. The one exception
// is a link out of docs/ to a file of the repository that exists (links.ts).
export default defineConfig({
  ignoreDeadLinks: [(url: string, source: string) => repositoryFileOutsideSite(docs, url, source)],
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
