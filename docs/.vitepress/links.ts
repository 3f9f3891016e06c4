// Which dead links VitePress may let through: only a link that leaves docs/ for a file of the
// repository that exists (a page linking to ../README.md or ../bench/README.md, which read on
// GitHub). Every link inside the site must reach a page, as VitePress checks by default; a link
// out of docs/ to nothing is still a dead link. test/docs/site.test.ts checks both.
import { existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';

/** True when `url` (as VitePress reports it, `.md` dropped) from the page `source` leaves `docs` for an existing file. */
export function repositoryFileOutsideSite(docs: string, url: string, source: string): boolean {
  if (/^[a-z]+:/i.test(url) || url.startsWith('/')) return false;
  const path = url.split('#')[0].split('?')[0];
  const target = resolve(dirname(source), path);
  const rel = relative(docs, target);
  if (!(rel.startsWith('..') || isAbsolute(rel))) return false; // inside the site: VitePress decides
  for (const candidate of [target, `${target}.md`]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return true;
  }
  return false;
}
