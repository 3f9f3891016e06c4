// The SOUP list: complete against the lock, and failing when a direct runtime dependency has no
// purpose. Runs the real script on temporary copies of package.json, the lock and the map.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..', '..');
const SCRIPT = join(ROOT, 'scripts', 'soup.mjs');
const made: string[] = [];
afterAll(() => { for (const d of made) rmSync(d, { recursive: true, force: true }); });

type Lock = { packages: Record<string, { version?: string; dev?: boolean; devOptional?: boolean; license?: string; dependencies?: Record<string, string> }> };

/** package.json, the lock and the purpose map in a temporary root; node_modules linked from the project. */
function copyRoot(edit: (pkg: Record<string, Record<string, string>>, lock: Lock, map: Record<string, unknown>) => void = () => {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'stereotax-soup-'));
  made.push(dir);
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));
  const map = JSON.parse(readFileSync(join(ROOT, 'docs', 'safety', 'soup-purposes.json'), 'utf8'));
  edit(pkg, lock, map);
  mkdirSync(join(dir, 'docs', 'safety'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg));
  writeFileSync(join(dir, 'package-lock.json'), JSON.stringify(lock));
  writeFileSync(join(dir, 'docs', 'safety', 'soup-purposes.json'), JSON.stringify(map));
  cpSync(join(ROOT, 'src'), join(dir, 'src'), { recursive: true });
  cpSync(join(ROOT, 'tsup.config.ts'), join(dir, 'tsup.config.ts'));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

function runSoup(root: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [SCRIPT, '--root', root, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const lock: Lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));
// Runtime: what the dependencies and the optional peers (installed as devDependencies for the
// tests, so the lock marks them dev) bring, each resolved as Node would from where it is needed.
const rootPkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const resolveFrom = (from: string, name: string): string | undefined => {
  for (let dir = from; ; dir = dir.includes('/node_modules/') ? dir.slice(0, dir.lastIndexOf('/node_modules/')) : '') {
    const p = `${dir ? `${dir}/` : ''}node_modules/${name}`;
    if (lock.packages[p]) return p;
    if (!dir) return undefined;
  }
};
const runtimePaths = new Set<string>();
// Development dependencies whose code the build bundles into dist (noExternal in tsup.config.ts) ship too.
const tsupText = readFileSync(join(ROOT, 'tsup.config.ts'), 'utf8');
const bundledDev = Object.keys(rootPkg.devDependencies ?? {}).filter((n) => new RegExp(`noExternal:\\s*\\[[^\\]]*'${n.replace(/[/.]/g, '\\$&')}'`).test(tsupText)
  && !(n in (rootPkg.dependencies ?? {})) && !(n in (rootPkg.peerDependencies ?? {})));
const pending = [...Object.keys(rootPkg.dependencies ?? {}), ...Object.keys(rootPkg.peerDependencies ?? {}), ...bundledDev].map((n) => resolveFrom('', n)).filter((p): p is string => !!p);
while (pending.length) {
  const p = pending.pop()!;
  if (runtimePaths.has(p)) continue;
  runtimePaths.add(p);
  const e = lock.packages[p] as { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string>; peerDependencies?: Record<string, string> };
  for (const n of [...Object.keys(e.dependencies ?? {}), ...Object.keys(e.optionalDependencies ?? {}), ...Object.keys(e.peerDependencies ?? {})]) {
    const q = resolveFrom(p, n);
    if (q) pending.push(q);
  }
}
const runtime = Object.entries(lock.packages).filter(([k, v]) => k && ((!v.dev && !v.devOptional) || runtimePaths.has(k)));

describe('[API-047] the SOUP list', () => {
  it('the committed docs/safety/soup.md is what the lock and the purpose map give now', () => {
    const r = runSoup(ROOT, '--check');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
  });

  it('lists every runtime package of the lock once with its version, and no development tool', () => {
    const text = readFileSync(join(ROOT, 'docs', 'safety', 'soup.md'), 'utf8');
    const rows = text.split('\n').filter((l) => /^\| [^ -]/.test(l) && !l.startsWith('| package'));
    expect(rows.length).toBe(runtime.length);
    for (const [path, e] of runtime) {
      const shown = path.replace(/^node_modules\//, '').replace(/\/node_modules\//g, ' > ');
      expect(rows.some((r) => r.startsWith(`| ${shown} | ${e.version} |`)), shown).toBe(true);
    }
    for (const dev of ['vitest', 'typescript', 'assemblyscript', 'fast-check', 'tsup']) expect(rows.some((r) => r.startsWith(`| ${dev} |`)), dev).toBe(false);
  });

  it('every direct dependency has its purpose and containment; transitive ones say which brings them', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const text = readFileSync(join(ROOT, 'docs', 'safety', 'soup.md'), 'utf8');
    for (const name of Object.keys(pkg.dependencies)) expect(text).toMatch(new RegExp(`^\\| ${name.replace('.', '\\.')} \\| [^|]+ \\| [^|]+ \\| [^(|][^|]* \\|`, 'm'));
    expect(text).not.toContain('(no entry)');
    expect(text).toMatch(/^\| d3-array \| [\d.]+ \| ISC \| vega \| dependency \| no \|$/m);
    expect(text).toContain('pg-native: optional peer of pg, not installed');
  });

  it('a new direct runtime dependency without a purpose fails, naming it; with one it passes', () => {
    const add = (withPurpose: boolean) => copyRoot((pkg, l, map) => {
      pkg.dependencies['left-pad'] = '1.3.0';
      l.packages['']!.dependencies = { ...l.packages['']!.dependencies, 'left-pad': '1.3.0' };
      l.packages['node_modules/left-pad'] = { version: '1.3.0', license: 'WTFPL' };
      if (withPurpose) map['left-pad'] = { purpose: 'pads', usedIn: [], clinical: false, containment: 'none needed' };
    });
    const without = runSoup(add(false), '--out', 'soup.md');
    expect(without.code).toBe(1);
    expect(without.err).toContain('left-pad (a direct runtime dependency) has no entry in docs/safety/soup-purposes.json');
    const withIt = runSoup(add(true), '--out', 'soup.md');
    expect(withIt.err).toBe('');
    expect(withIt.code).toBe(0);
  });

  it('a development dependency bundled into dist is listed as shipped code and needs its entry', () => {
    expect(bundledDev).toContain('@sinclair/typebox');
    const text = readFileSync(join(ROOT, 'docs', 'safety', 'soup.md'), 'utf8');
    expect(text).toMatch(/^\| @sinclair\/typebox \| [\d.]+ \| MIT \| [^(|]/m);
    const without = runSoup(copyRoot((_pkg, _l, map) => { delete map['@sinclair/typebox']; }), '--out', 'soup.md');
    expect(without.code).toBe(1);
    expect(without.err).toContain('@sinclair/typebox (a direct runtime dependency bundled into dist) has no entry');
  });

  it('an entry drafted for another branch is not checked until its dependency lands, then must be confirmed', () => {
    // Drafted in the temporary copy (every real draft has landed and been confirmed).
    const name = 'drafted-package', entry = { pending: 'issue 99' };
    const root = copyRoot((pkg, l, map) => {
      map[name] = { ...entry, purpose: 'drafted ahead of its branch', usedIn: [], clinical: false, containment: 'none yet' };
      pkg.dependencies[name] = '1.0.0';
      l.packages['']!.dependencies = { ...l.packages['']!.dependencies, [name]: '1.0.0' };
      l.packages[`node_modules/${name}`] = { version: '1.0.0', license: 'MIT' };
    });
    // Before its dependency lands the draft is not checked.
    const before = copyRoot((_pkg, _l, map) => { map[name] = { ...entry, purpose: 'drafted ahead of its branch', usedIn: [], clinical: false, containment: 'none yet' }; });
    expect(runSoup(before, '--out', 'soup.md').err).not.toContain(name);
    const r = runSoup(root, '--out', 'soup.md');
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${name} is now a direct runtime dependency: confirm its entry in docs/safety/soup-purposes.json (drafted for ${entry.pending})`);
  });

  it('a purpose for a package that is no longer a dependency, or used where it is not imported, fails', () => {
    const root = copyRoot((_pkg, _l, map) => {
      map['gone-package'] = { purpose: 'was used once', usedIn: [] };
      (map['mathjs'] as { usedIn: string[] }).usedIn = ['src/core/units.ts', 'src/core/vec3.ts'];
    });
    const r = runSoup(root, '--out', 'soup.md');
    expect(r.code).toBe(1);
    expect(r.err).toContain('names gone-package, which is not a direct runtime dependency');
    expect(r.err).toContain('mathjs is said to be used in src/core/vec3.ts, which does not import it');
  });
});
