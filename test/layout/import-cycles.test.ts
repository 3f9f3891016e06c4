/**
 * No module of src/ imports itself through others, type-only imports included (they cost
 * nothing at run time but tie files together, and a newcomer reads them as dependencies).
 * The imports are read from the source text, independently of the build: every relative
 * `import ... from`, `export ... from` and `import('...')`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = fileURLToPath(new URL('../../src/', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return sources(full);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [full] : [];
  });
}

/** The files of src/ that `file` imports (relative specifiers only; `.js` names the `.ts` source). */
export function importsOf(file: string, text: string): string[] {
  const specifiers = [
    ...text.matchAll(/^\s*(?:import|export)\s[^;]*?\sfrom\s+['"](\.[^'"]+)['"]/gms),
    ...text.matchAll(/^\s*import\s+['"](\.[^'"]+)['"]/gm),
    ...text.matchAll(/import\(\s*['"](\.[^'"]+)['"]\s*\)/g),
  ].map((m) => m[1]);
  return specifiers
    .filter((s) => /\.(js|ts)$/.test(s))
    .map((s) => resolve(dirname(file), s.replace(/\.js$/, '.ts')));
}

/** Every cycle of the graph, each as the list of files around it (found by depth-first search). */
export function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (f: string): void => {
    state.set(f, 'open');
    stack.push(f);
    for (const g of graph.get(f) ?? []) {
      if (state.get(g) === 'open') found.push(stack.slice(stack.indexOf(g)));
      else if (!state.has(g) && graph.has(g)) visit(g);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of graph.keys()) if (!state.has(f)) visit(f);
  return found;
}

describe('imports in src/', () => {
  const graph = new Map(sources(src).map((f) => [f, importsOf(f, readFileSync(f, 'utf8'))]));

  it('reads the imports it should (the check can see a cycle)', () => {
    const targeting = graph.get(join(src, 'targeting', 'targeting.ts'))!;
    expect(targeting).toContain(join(src, 'targeting', 'compute.ts'));
    expect(graph.get(join(src, 'cli', 'dicom.ts'))).toContain(join(src, 'cli', 'command.ts'));
    expect(graph.get(join(src, 'engine', 'pool.ts'))).toContain(join(src, 'core', 'errors.ts'));
    // The search finds a cycle where there is one, type-only or not.
    const a = '/a.ts', b = '/b.ts', c = '/c.ts';
    expect(cycles(new Map([[a, [b]], [b, [c]], [c, [a]]]))).toEqual([[a, b, c]]);
    expect(cycles(new Map([[a, [b]], [b, [c]], [c, []]]))).toEqual([]);
    expect(importsOf('/x/y.ts', "import type { T } from './t.js';\nexport { u } from '../u.js';\nconst m = await import('./m.js');"))
      .toEqual(['/x/t.ts', '/u.ts', '/x/m.ts']);
  });

  it('form no cycle', () => {
    const found = cycles(graph).map((c) => c.map((f) => relative(src, f)).join(' > '));
    expect(found).toEqual([]);
  });
});
