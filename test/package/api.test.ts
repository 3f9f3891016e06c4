// The main entry exports the documented API only: every value exported by the built ESM,
// CommonJS and browser files is named in docs/embedding.md's API section, every name listed
// there is exported, and the three files export the same names.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const doc = readFileSync(join(root, 'docs', 'embedding.md'), 'utf8');
const section = doc.slice(doc.indexOf('## The API of the main entry'), doc.indexOf('## Error codes'));
const listed = section.slice(0, section.indexOf('Removed from the main entry'));
/** Backticked identifiers of the section, without the ones introduced by "types". */
const documented = new Set([...listed.matchAll(/`([A-Za-z_$][\w$]*)`/g)].map((m) => m[1]));

describe('the main entry', () => {
  it('ESM, CommonJS and the browser build export the same names, each one documented', async () => {
    const esm = Object.keys(await import(pathToFileURL(join(root, 'dist', 'index.js')).href)).sort();
    const cjs = Object.keys(createRequire(import.meta.url)(join(root, 'dist', 'index.cjs'))).filter((k) => k !== '__esModule').sort();
    const browser = Object.keys(await import(pathToFileURL(join(root, 'dist', 'browser.js')).href)).sort();
    expect(cjs).toEqual(esm);
    expect(browser).toEqual(esm);
    expect(esm.filter((name) => !documented.has(name))).toEqual([]);
    expect(esm.length).toBeLessThan(100);
  });

  it('every value the section lists is exported (types are checked by the consumer test)', async () => {
    const esm = new Set(Object.keys(await import(pathToFileURL(join(root, 'dist', 'index.js')).href)));
    // Every `export { ... }` list of the declarations, `a as Name` and `type Name` alike.
    const lists = readFileSync(join(root, 'dist', 'index.d.ts'), 'utf8').match(/^export \{[^}]*\}/gm)!;
    const types = new Set(lists.flatMap((l) => l.replace(/^export \{|\}$/g, '').split(','))
      .map((s) => s.trim().replace(/^type\s+/, '').split(/\s+as\s+/).pop()!));
    const missing = [...documented].filter((name) => !esm.has(name) && !types.has(name) && /^[A-Za-z]/.test(name));
    // Words that are not names (package files, codes) are backticked in the section too.
    const notNames = new Set(['stereotax', 'unknown', 'issues', 'code', 'path', 'expected', 'received', 'severity']);
    expect(missing.filter((n) => !notNames.has(n))).toEqual([]);
  });
});
