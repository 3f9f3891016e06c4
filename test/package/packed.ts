/**
 * The package as a vendor gets it: `npm pack` of this checkout (dist/ is built by `npm test`'s
 * pretest), installed into an empty project in a temp directory. npm installs offline from
 * its cache when it can, and falls back to the npm registry for metadata it has not cached.
 * Nothing of the checkout's node_modules is visible to the project (it lives under /tmp).
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const root = join(import.meta.dirname, '..', '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(cmd: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false' } });
}

/** Packs the checkout once per call into `dir`; returns the tarball's path. */
export function pack(dir: string): string {
  const r = run(npm, ['pack', '--silent', '--pack-destination', dir], root);
  if (r.status !== 0) throw new Error(`npm pack failed: ${r.stderr}`);
  const tgz = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  if (!tgz) throw new Error(`npm pack wrote no tarball: ${r.stdout}`);
  return join(dir, tgz);
}

/** An empty project (package.json only, `type` as given) with the tarball installed, beside the tarball (removed with it). */
export function installInto(tarball: string, type: 'module' | 'commonjs', name = 'consumer'): string {
  const dir = join(dirname(tarball), name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, type }, null, 2));
  let r = run(npm, ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], dir);
  if (r.status !== 0 && /ENOTCACHED/.test(r.stderr)) r = run(npm, ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], dir);
  if (r.status !== 0) throw new Error(`npm install of the tarball failed: ${r.stderr}`);
  return dir;
}

/** Bytes of every file under `dir` (what the install puts on disk, as `du --apparent-size -b` counts). */
export function treeBytes(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) total += treeBytes(p);
    else if (e.isFile()) total += statSync(p).size;
  }
  return total;
}

/** The README's targeting example (section "Targeting: request and result"). */
export const README_REQUEST = {
  geometry: { sourceToDetector: 660, sourceToSupport: 640, rotationAxisHeight: -20 },
  thickness: 45,
  views: [{ angle: 15, u: -5.41, v: 32.36 }, { angle: -15, u: 15.98, v: 32.36 }],
  imageSigma: 0.1,
  needle: { approach: 'vertical', device: { name: '14G spring-loaded gun, 22 mm throw', gauge: 14, throw: 22, apertureLength: 18, tipLength: 4 } },
} as const;

/** What the README prints for it (4 decimals shown there). */
export const README_TARGET = { x: 4.9736, y: 30.4533, z: 17.5625 };
export const README_STROKE_MARGIN = 4.5625;
