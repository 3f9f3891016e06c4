// The sidebar is read off the file system, so a page added anywhere under docs/ appears without
// anyone editing a list: one group per folder, pages ordered by their front matter's `order`
// (then title), each titled by its first heading (or front matter `title`). The generated API
// reference (docs/api/, from TypeDoc: one page per entry point) is a group of its own.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

export interface SidebarItem {
  text: string;
  link?: string;
  items?: SidebarItem[];
}

interface Page {
  file: string; // relative to docs/, with forward slashes
  title: string;
  order: number;
}

/** Folder names shown as group titles; any other folder is titled from its name. */
const GROUP_TITLES: Record<string, string> = {
  '': 'Overview',
  guide: 'Guide',
  safety: 'Safety',
  api: 'API reference',
};

/** Every Markdown file under `dir`, skipping VitePress's own folder and hidden ones. */
export function markdownFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      if (name.startsWith('.') || name === 'node_modules') continue;
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith('.md')) out.push(relative(dir, full).split(sep).join('/'));
    }
  };
  walk(dir);
  return out;
}

function readPage(docs: string, file: string): Page {
  const text = readFileSync(join(docs, file), 'utf8');
  const front = /^---\n([\s\S]*?)\n---/.exec(text)?.[1] ?? '';
  const order = Number(/^order:\s*(-?\d+(?:\.\d+)?)\s*$/m.exec(front)?.[1] ?? 1000);
  const fromFront = /^title:\s*(.+)$/m.exec(front)?.[1];
  // The first level-1 heading, without Markdown emphasis or code marks; TypeDoc's pages start
  // "# Function: target()", kept short as "target()".
  const heading = /^#\s+(.+)$/m.exec(text.replace(/^---\n[\s\S]*?\n---/, ''))?.[1];
  // An API page is titled by its entry point (`stereotax`, `stereotax/qa`), the API's index "Entry points".
  const apiName = file.startsWith('api/') ? (file === 'api/index.md' ? 'Entry points' : file.slice(4, -3)) : undefined;
  const raw = apiName ?? fromFront ?? heading ?? file.replace(/(^|\/)index\.md$/, '$1').replace(/\.md$/, '');
  const title = raw.replace(/[*`\\]/g, '').replace(/^(Class|Function|Interface|Type Alias|Variable|Enumeration|Namespace): /, '').trim();
  return { file, title: title || file, order: Number.isFinite(order) ? order : 1000 };
}

/** The page's link as VitePress serves it: `guide/targeting.md` -> `/guide/targeting`, `x/index.md` -> `/x/`. */
export function pageLink(file: string): string {
  return '/' + file.replace(/(^|\/)index\.md$/, '$1').replace(/\.md$/, '');
}

const byOrder = (a: Page, b: Page): number => a.order - b.order || a.title.localeCompare(b.title);

function titleOf(folder: string): string {
  const last = folder.split('/').pop() ?? folder;
  return GROUP_TITLES[folder] ?? last.replace(/[-_]/g, ' ').replace(/^./, (c) => c.toUpperCase());
}

/**
 * The sidebars of the site rooted at `docs`, keyed by the path they serve: the API reference's
 * pages show its groups only, every other page the rest (so a guide page does not carry the
 * hundreds of API links, and an API page not the guide's).
 */
export function buildSidebars(docs: string): Record<string, SidebarItem[]> {
  const all = buildSidebar(docs);
  const api = all.filter((g) => g.text === GROUP_TITLES.api);
  const rest = all.filter((g) => g.text !== GROUP_TITLES.api);
  rest.push({ text: 'API reference', items: [{ text: 'Every exported name', link: '/api/' }] });
  return { '/api/': api, '/': rest };
}

/** Every page of the site rooted at `docs`, grouped. */
export function buildSidebar(docs: string): SidebarItem[] {
  const pages = markdownFiles(docs).map((f) => readPage(docs, f));
  const groups = new Map<string, Page[]>();
  for (const p of pages) {
    const parts = p.file.split('/');
    // The API reference (one page per entry point) is one group; everything else is grouped by folder.
    const folder = parts[0] === 'api' ? 'api' : parts.slice(0, -1).join('/');
    (groups.get(folder) ?? groups.set(folder, []).get(folder)!).push(p);
  }
  const folders = [...groups.keys()].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return folders.map((folder) => ({
    text: titleOf(folder),
    items: groups.get(folder)!.sort(byOrder).map((p) => ({ text: p.title, link: pageLink(p.file) })),
  }));
}

function rank(folder: string): number {
  if (folder === '') return 0;
  if (folder === 'guide') return 1;
  if (folder === 'api') return 9;
  return 5;
}
