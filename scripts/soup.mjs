// SOUP list (software of unknown provenance, IEC 62304 5.3.3, 5.3.4, 7.1.2, 8.1.2) generated from
// package-lock.json: every package the runtime can load (the direct dependencies, optional
// dependencies and peers of package.json, and everything they bring), with its version, its
// license (from its installed package.json, else the lock, else its LICENSE file), what it is for
// and how its failure is contained (docs/safety/soup-purposes.json, maintained by hand for the
// direct dependencies; a transitive one inherits the entry of the direct one that brings it).
//
//   node scripts/soup.mjs [--root DIR] [--out FILE] [--check]
//
// Exit 1 when a direct runtime dependency has no entry in the purpose map, when the map names a
// package that is no longer a direct runtime dependency, when the lock's runtime set and the set
// reached from package.json differ, or (--check) when the written soup.md is not what the lock
// and the map give now.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const readJson = (p) => JSON.parse(readFileSync(p, 'utf8'));
const nameOf = (path) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);

/** Where Node would find `name` required from the package installed at `from` (lock paths). */
function resolveIn(packages, from, name) {
  let base = from;
  for (;;) {
    const candidate = base ? `${base}/node_modules/${name}` : `node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (!base) return undefined;
    const cut = base.lastIndexOf('/node_modules/');
    base = cut >= 0 ? base.slice(0, cut) : '';
  }
}

function licenseOf(root, path, entry) {
  const manifest = join(root, path, 'package.json');
  if (existsSync(manifest)) {
    const m = readJson(manifest);
    const l = m.license ?? m.licenses;
    if (typeof l === 'string') return l;
    if (l && typeof l === 'object' && !Array.isArray(l) && l.type) return l.type;
    if (Array.isArray(l) && l.length) return l.map((x) => x.type ?? x).join(' OR ');
  }
  if (entry.license) return entry.license;
  for (const file of ['LICENSE', 'LICENSE.md', 'LICENSE.txt', 'license']) {
    const p = join(root, path, file);
    if (!existsSync(p)) continue;
    const text = readFileSync(p, 'utf8');
    if (/Permission is hereby granted, free of charge/.test(text)) return 'MIT (from its LICENSE file; its package.json names none)';
    if (/Apache License/.test(text) && /Version 2\.0/.test(text)) return 'Apache-2.0 (from its LICENSE file; its package.json names none)';
    return `see its ${file} (its package.json names no license)`;
  }
  return 'UNKNOWN';
}

export function soup(root) {
  const problems = [];
  const pkg = readJson(join(root, 'package.json'));
  const lock = readJson(join(root, 'package-lock.json'));
  const mapPath = join(root, 'docs', 'safety', 'soup-purposes.json');
  const map = existsSync(mapPath) ? readJson(mapPath) : {};
  const packages = lock.packages ?? {};
  const direct = [
    ...Object.keys(pkg.dependencies ?? {}).map((n) => ({ name: n, kind: 'dependency' })),
    ...Object.keys(pkg.optionalDependencies ?? {}).map((n) => ({ name: n, kind: 'optional dependency' })),
    ...Object.keys(pkg.peerDependencies ?? {}).map((n) => ({ name: n, kind: pkg.peerDependenciesMeta?.[n]?.optional ? 'optional peer' : 'peer' })),
  ];
  // Development dependencies the library build bundles into dist (tsup.config.ts noExternal):
  // installed by nobody, yet their code ships, so they are SOUP as much as a dependency is.
  const tsupPath = join(root, 'tsup.config.ts');
  const tsup = existsSync(tsupPath) ? readFileSync(tsupPath, 'utf8') : '';
  const bundledNames = new Set([...tsup.matchAll(/noExternal:\s*\[([^\]]*)\]/g)].flatMap((m) => [...m[1].matchAll(/'([^']+)'/g)].map((x) => x[1])));
  for (const n of Object.keys(pkg.devDependencies ?? {})) {
    if (bundledNames.has(n) && !direct.some((d) => d.name === n)) direct.push({ name: n, kind: 'dependency bundled into dist' });
  }
  for (const d of direct) {
    if (!map[d.name]) problems.push(`${d.name} (a direct runtime ${d.kind}) has no entry in docs/safety/soup-purposes.json: say what it is for and how its failure is contained`);
    else if (map[d.name].pending) problems.push(`${d.name} is now a direct runtime dependency: confirm its entry in docs/safety/soup-purposes.json (drafted for ${map[d.name].pending}) against the code that landed, fill in usedIn, and remove "pending"`);
  }
  for (const [name, entry] of Object.entries(map)) if (!name.startsWith('$') && !entry.pending && !direct.some((d) => d.name === name)) problems.push(`docs/safety/soup-purposes.json names ${name}, which is not a direct runtime dependency of package.json`);
  // Where a dependency is said to be used must be where it is imported, so the containment stays true.
  for (const [name, entry] of Object.entries(map)) {
    if (name.startsWith('$') || entry.pending) continue;
    for (const f of entry.usedIn ?? []) {
      const p = join(root, f);
      // The package itself or a file of it ('pkg' or 'pkg/sub/path').
      const quoted = (q) => { const t = readFileSync(p, 'utf8'); return t.includes(`${q}${name}${q}`) || t.includes(`${q}${name}/`); };
      if (!existsSync(p)) problems.push(`soup-purposes.json: ${name} is said to be used in ${f}, which does not exist`);
      else if (!quoted("'") && !quoted('"')) problems.push(`soup-purposes.json: ${name} is said to be used in ${f}, which does not import it`);
    }
  }

  // Breadth first from the direct dependencies: each package once, with the direct one that brings it.
  const reached = new Map();
  const missingPeers = [];
  const queue = [];
  for (const d of direct) {
    const path = resolveIn(packages, '', d.name);
    if (!path) {
      if (d.kind === 'optional peer' || d.kind === 'optional dependency') missingPeers.push({ name: d.name, by: 'package.json', kind: d.kind });
      else problems.push(`${d.name} is a runtime ${d.kind} of package.json but is not in package-lock.json`);
      continue;
    }
    if (!reached.has(path)) { reached.set(path, { via: null, kind: d.kind }); queue.push(path); }
  }
  while (queue.length) {
    const path = queue.shift();
    const e = packages[path];
    const via = reached.get(path).via ?? nameOf(path);
    const optionalPeer = (n) => e.peerDependenciesMeta?.[n]?.optional;
    const wants = [
      ...Object.keys(e.dependencies ?? {}).map((n) => [n, 'dependency']),
      ...Object.keys(e.optionalDependencies ?? {}).map((n) => [n, 'optional dependency']),
      ...Object.keys(e.peerDependencies ?? {}).map((n) => [n, optionalPeer(n) ? 'optional peer' : 'peer']),
    ];
    for (const [n, kind] of wants) {
      const p = resolveIn(packages, path, n);
      if (!p) {
        if (kind === 'optional peer' || kind === 'optional dependency') missingPeers.push({ name: n, by: nameOf(path), kind });
        else problems.push(`${nameOf(path)} needs ${n} (${kind}), which the lock does not have`);
        continue;
      }
      if (!reached.has(p)) { reached.set(p, { via, kind }); queue.push(p); }
    }
  }
  const runtimeInLock = Object.keys(packages).filter((k) => k && !packages[k].dev && !packages[k].devOptional && !packages[k].link);
  for (const k of runtimeInLock) if (!reached.has(k)) problems.push(`the lock marks ${k} as a runtime package, but nothing in package.json's runtime dependencies reaches it`);
  // Only what the required runtime dependencies bring must be runtime in the lock: an optional
  // peer is installed for the tests as a devDependency too, so it and what it brings are marked dev.
  const required = new Set();
  const todo = direct.filter((d) => d.kind === 'dependency').map((d) => resolveIn(packages, '', d.name)).filter(Boolean);
  while (todo.length) {
    const path = todo.shift();
    if (required.has(path)) continue;
    required.add(path);
    for (const n of Object.keys(packages[path].dependencies ?? {})) {
      const p = resolveIn(packages, path, n);
      if (p) todo.push(p);
    }
  }
  for (const k of required) if (packages[k].dev) problems.push(`${k} is reached from the runtime dependencies but the lock marks it dev`);

  const rows = [...reached.entries()].map(([path, r]) => {
    const e = packages[path];
    const name = nameOf(path);
    const top = r.via ?? name;
    const entry = map[top] ?? {};
    return {
      name, path, version: e.version, license: licenseOf(root, path, e), direct: r.via === null, via: r.via, kind: r.kind,
      optional: Boolean(e.optional), purpose: r.via === null ? entry.purpose ?? '(no entry)' : `via ${r.via}`,
      containment: r.via === null ? entry.containment ?? '(no entry)' : `as ${r.via}: runs only inside it`,
      clinical: entry.clinical, usedIn: entry.usedIn ?? [],
    };
  }).sort((a, b) => (a.direct === b.direct ? a.path.localeCompare(b.path) : a.direct ? -1 : 1));
  for (const r of rows) if (r.license === 'UNKNOWN') problems.push(`${r.path}@${r.version} has no license that can be read`);
  return { rows, missingPeers, problems, map, lockVersion: lock.lockfileVersion };
}

const cell = (s) => String(s).replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function soupMarkdown(model) {
  const { rows, missingPeers } = model;
  const directRows = rows.filter((r) => r.direct);
  const licenses = new Map();
  for (const r of rows) licenses.set(r.license, (licenses.get(r.license) ?? 0) + 1);
  const L = [];
  L.push('# SOUP: software of unknown provenance (generated)', '');
  L.push('Written by `npm run soup` (`scripts/soup.mjs`) from `package-lock.json`, the installed packages\' own');
  L.push('`package.json` files and `docs/safety/soup-purposes.json` (the purposes and containments, kept by hand).');
  L.push('Do not edit by hand. Development tools (compilers, test runners, bundlers) are not in the shipped runtime');
  L.push('and are not listed; their versions are pinned in the lock. IEC 62304 5.3.3 (functional and performance');
  L.push('requirements of each SOUP item: its purpose here), 5.3.4 (the hardware and software it needs: Node >= 20 or a');
  L.push('browser with WebAssembly), 7.1.2 (how its failure is contained), 8.1.2 (identification: name and version).', '');
  L.push(`- runtime packages: ${rows.length} (${directRows.length} direct, ${rows.length - directRows.length} transitive)`);
  L.push(`- licenses: ${[...licenses.entries()].sort((a, b) => b[1] - a[1]).map(([l, n]) => `${l} ${n}`).join(', ')}`);
  L.push('- on the path to a clinical number (targeting, margins, DICOM second opinion): ' + (directRows.filter((r) => r.clinical).map((r) => r.name).join(', ') || 'none'), '');
  L.push('## Direct runtime dependencies', '', '| package | version | license | purpose | used in | clinical path | failure contained by |', '|---|---|---|---|---|---|---|');
  for (const r of directRows) L.push(`| ${r.name} | ${r.version} | ${cell(r.license)} | ${cell(r.purpose)} | ${r.usedIn.map((u) => `\`${u}\``).join(', ')} | ${r.clinical ? 'yes' : 'no'} | ${cell(r.containment)} |`);
  L.push('', '## Transitive runtime dependencies', '', 'Each runs only inside the direct dependency named, so its failure is contained as that one\'s is.', '');
  L.push('| package | version | license | brought by | as | optional |', '|---|---|---|---|---|---|');
  for (const r of rows.filter((x) => !x.direct)) L.push(`| ${r.path.replace(/^node_modules\//, '').replace(/\/node_modules\//g, ' > ')} | ${r.version} | ${cell(r.license)} | ${r.via} | ${r.kind} | ${r.optional ? 'yes' : 'no'} |`);
  const drafts = Object.entries(model.map).filter(([n, e]) => !n.startsWith('$') && e.pending);
  if (drafts.length) {
    L.push('', '## Drafted for dependencies other branches are adding (not in this lock)', '');
    for (const [n, e] of drafts) L.push(`- ${n} (${e.pending}): ${e.purpose}`);
  }
  L.push('', '## Optional peers and optional dependencies not installed', '');
  if (!missingPeers.length) L.push('None.');
  for (const p of missingPeers) L.push(`- ${p.name}: ${p.kind} of ${p.by}, not installed; ${p.name === 'pg-native' ? 'pg uses its own JavaScript client without it' : 'not loaded'}`);
  L.push('');
  return L.join('\n');
}

function main(argv) {
  const arg = (name) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
  const root = resolve(arg('--root') ?? process.cwd());
  const out = resolve(root, arg('--out') ?? 'docs/safety/soup.md');
  const model = soup(root);
  const text = soupMarkdown(model);
  if (argv.includes('--check')) {
    const current = existsSync(out) ? readFileSync(out, 'utf8') : '';
    if (current !== text) model.problems.push(`${relative(root, out)} is not what the lock and the purpose map give now: run npm run soup`);
  } else {
    writeFileSync(out, text);
    console.log(`soup: wrote ${relative(process.cwd(), out) || out}`);
  }
  console.log(`soup: ${model.rows.length} runtime packages, ${model.rows.filter((r) => r.direct).length} direct`);
  for (const p of model.problems) console.error(`soup: ${p}`);
  if (model.problems.length) { console.error(`soup: FAILED with ${model.problems.length} problem(s)`); return 1; }
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) process.exit(main(process.argv.slice(2)));
