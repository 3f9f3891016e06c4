/**
 * The documentation site, built as `npm run docs:build` builds it: TypeDoc writes the API reference
 * into docs/api/ from the doc comments, then VitePress builds every page (failing on a dead link, its
 * default; the config lets through only a link out of docs/ to a file that exists). On top of
 * VitePress's own check, this test checks
 * every relative link of the README and of the pages itself, anchors included, against the built
 * HTML, and that every page under docs/ is in the sidebar read off the file system.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, normalize, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repositoryFileOutsideSite } from '../../docs/.vitepress/links.js';
import { buildSidebars, markdownFiles, pageLink, type SidebarItem } from '../../docs/.vitepress/sidebar.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const docs = join(root, 'docs');
const out = mkdtempSync(join(tmpdir(), 'stereotax-docs-'));

function run(script: string, args: string[]): { status: number | null; output: string } {
  const r = spawnSync(process.execPath, [join(root, 'node_modules', script), ...args], { cwd: root, encoding: 'utf8', timeout: 240_000 });
  return { status: r.status, output: `${r.stdout}\n${r.stderr}` };
}

/** The built HTML of a page given by its Markdown path relative to docs/. */
function builtHtml(file: string): string | undefined {
  const html = join(out, file.replace(/\.md$/, '.html'));
  return existsSync(html) ? readFileSync(html, 'utf8') : undefined;
}

/** Relative links `[text](target)` outside code, with the line they are on. */
function relativeLinks(text: string): { target: string; line: number }[] {
  const links: { target: string; line: number }[] = [];
  let fence = false;
  text.split('\n').forEach((line, i) => {
    if (line.startsWith('```')) fence = !fence;
    if (fence) return;
    const prose = line.replace(/`[^`]*`/g, '');
    for (const m of prose.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (!/^[a-z]+:/i.test(m[1])) links.push({ target: m[1], line: i + 1 });
    }
  });
  return links;
}

/** Where a link from a page (path relative to docs/) lands: the target page's Markdown path and anchor. */
function resolveFromPage(page: string, target: string): { file: string; anchor?: string } {
  const [path, anchor] = target.split('#');
  if (!path) return { file: page, anchor };
  let file = posix.normalize(posix.join(posix.dirname(page), path));
  if (path.startsWith('/')) file = path.slice(1);
  if (file === '' || file.endsWith('/')) file += 'index';
  if (!file.endsWith('.md')) file += '.md';
  return { file, anchor };
}

function sidebarLinks(items: SidebarItem[]): string[] {
  return items.flatMap((i) => [...(i.link ? [i.link] : []), ...sidebarLinks(i.items ?? [])]);
}

let deadLinkBuild: { status: number | null; output: string };

beforeAll(() => {
  rmSync(join(docs, 'api'), { recursive: true, force: true });
  const api = run('typedoc/bin/typedoc', []);
  expect(api.status, api.output).toBe(0);
  // With the site's own config, a page with a dead link must fail the build (and be named).
  const probe = join(docs, 'zz-dead-link-probe.md');
  writeFileSync(probe, '# Probe\n\n[a page that is not there](./guide/no-such-page.md)\n');
  try {
    deadLinkBuild = run('vitepress/bin/vitepress.js', ['build', 'docs', '--outDir', `${out}-probe`]);
  } finally {
    rmSync(probe, { force: true });
    rmSync(`${out}-probe`, { recursive: true, force: true });
  }
  const site = run('vitepress/bin/vitepress.js', ['build', 'docs', '--outDir', out]);
  expect(site.status, site.output).toBe(0);
}, 400_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('the documentation site', () => {
  it('has an API reference generated from the doc comments', () => {
    const api = readFileSync(join(docs, 'api', 'stereotax.md'), 'utf8');
    // A few exported names and a sentence of their doc comments.
    for (const heading of ['### target()', '### targetWith()', '### createPool()', '### TriangulationBatch', '### StereotaxError']) {
      expect(api.split('\n'), heading).toContain(heading);
    }
    expect(api).toContain('Validates and computes one request');
    expect(existsSync(join(docs, 'api', 'stereotax', 'qa.md'))).toBe(true);
  });

  it('builds every page under docs/, the API reference included', () => {
    const pages = markdownFiles(docs);
    expect(pages).toContain('guide/targeting.md');
    expect(pages).toContain('api/stereotax.md');
    for (const page of pages) expect(builtHtml(page), page).toBeDefined();
  });

  it('fails the build on a dead link', () => {
    expect(deadLinkBuild.status).not.toBe(0);
    expect(deadLinkBuild.output).toMatch(/dead link[^\n]*no-such-page[^\n]*zz-dead-link-probe\.md/);
  });

  it('lets through only links out of docs/ to files of the repository that exist', () => {
    const page = join(docs, 'guide', 'targeting.md');
    expect(repositoryFileOutsideSite(docs, './../../README', page)).toBe(true);
    expect(repositoryFileOutsideSite(docs, '../../bench/README', page)).toBe(true);
    expect(repositoryFileOutsideSite(docs, '../../src/index.ts', page)).toBe(true);
    expect(repositoryFileOutsideSite(docs, '../../NO-SUCH-FILE', page)).toBe(false);
    expect(repositoryFileOutsideSite(docs, '../../src', page)).toBe(false); // a folder is no page
    expect(repositoryFileOutsideSite(docs, './margins', page)).toBe(false); // inside: VitePress decides
    expect(repositoryFileOutsideSite(docs, './no-such-page', page)).toBe(false);
    expect(repositoryFileOutsideSite(docs, 'https://example.org/x', page)).toBe(false);
    expect(repositoryFileOutsideSite(docs, '/guide/margins', page)).toBe(false);
  });

  it('shows every page in the sidebar, read off the file system', () => {
    const sidebars = buildSidebars(docs);
    const links = new Set(Object.values(sidebars).flatMap(sidebarLinks));
    for (const page of markdownFiles(docs)) expect(links.has(pageLink(page)), page).toBe(true);
    // ... and the sidebar each page is shown with is in the built page.
    expect(builtHtml('guide/targeting.md')).toContain('href="/guide/margins"');
  });

  it("every relative link on the guide's pages reaches a page and its heading", () => {
    for (const page of markdownFiles(docs).filter((p) => !p.startsWith('api/'))) {
      for (const { target, line } of relativeLinks(readFileSync(join(docs, page), 'utf8'))) {
        if (resolveFromPage(page, target).file.startsWith('../')) {
          expect(repositoryFileOutsideSite(docs, target, join(docs, page)), `${page}:${line} links to ${target}`).toBe(true);
          continue;
        }
        const { file, anchor } = resolveFromPage(page, target);
        const html = builtHtml(file);
        expect(html, `${page}:${line} links to ${target}`).toBeDefined();
        if (anchor) expect(html, `${page}:${line} links to ${target}`).toContain(`id="${anchor}"`);
      }
    }
  });

  it("every relative link in the README reaches a file, and a docs page's heading", () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const links = relativeLinks(readme);
    expect(links.filter((l) => l.target.startsWith('docs/')).length).toBeGreaterThan(15);
    for (const { target, line } of links) {
      const [path, anchor] = target.split('#');
      const file = normalize(join(root, path));
      expect(existsSync(file), `README.md:${line} links to ${target}`).toBe(true);
      if (anchor && path.startsWith('docs/') && path.endsWith('.md')) {
        expect(builtHtml(path.slice('docs/'.length)), `README.md:${line}`).toContain(`id="${anchor}"`);
      }
    }
    // Every guide page is linked from the README: a newcomer finds each from the front page.
    for (const page of markdownFiles(join(docs, 'guide'))) expect(readme, page).toContain(`(docs/guide/${page}`);
  });

  it('includes the README\'s dependency table on the dependencies page, so the two cannot drift', () => {
    const html = builtHtml('guide/dependencies.md') ?? '';
    for (const pkg of ['dicom-parser', 'vitepress', 'typedoc-plugin-markdown', 'fast-check']) expect(html).toContain(pkg);
  });
});
