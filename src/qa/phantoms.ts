/**
 * Localization phantoms as data (like the device catalog): shipped examples with
 * their source, every one labelled typical; a user's phantom is validated the same
 * way and replaces a shipped one with the same id.
 */
import { Checker, type Path } from '../core/validate.js';
import shipped from './phantoms.json' with { type: 'json' };

export interface PhantomTarget {
  label: string;
  /** Position in the phantom's own frame (mm), axes parallel to the unit's. */
  position: [number, number, number];
}

export interface Phantom {
  id: string;
  name: string;
  /** True for shipped examples: measure your own phantom, or take its maker's drawing. */
  typical: boolean;
  source: string;
  /** Height of the phantom on the support (mm): the "breast" thickness for the triangulation. */
  thickness?: number;
  targets: PhantomTarget[];
}

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const PHANTOM_FIELDS = ['id', 'name', 'typical', 'source', 'thickness', 'targets'];

export function checkPhantom(c: Checker, value: unknown, path: Path): Phantom | undefined {
  const o = c.object(value, path, PHANTOM_FIELDS, ['id', 'targets']);
  if (!o) return undefined;
  const before = c.issues.length;
  const id = c.string(o.id, [...path, 'id'], 64);
  if (id !== undefined && !ID.test(id)) c.add('invalid_value', [...path, 'id'], 'an id of letters, digits, ".", "_" or "-"', o.id);
  const name = o.name === undefined ? id : c.string(o.name, [...path, 'name']);
  const typical = o.typical === undefined ? false : c.boolean(o.typical, [...path, 'typical']);
  const source = o.source === undefined ? 'user phantom' : c.string(o.source, [...path, 'source'], 600);
  const thickness = o.thickness === undefined ? undefined : c.length(o.thickness, [...path, 'thickness'], { above: 0, max: 300 });
  const targets: PhantomTarget[] = [];
  const labels = new Set<string>();
  c.array(o.targets, [...path, 'targets'], 1, 500)?.forEach((t, i) => {
    const p = [...path, 'targets', i];
    const to = c.object(t, p, ['label', 'position'], ['label', 'position']);
    if (!to) return;
    const label = c.string(to.label, [...p, 'label'], 64);
    if (label !== undefined && labels.has(label)) c.add('duplicate_value', [...p, 'label'], 'a label used once in the phantom', label);
    if (label !== undefined) labels.add(label);
    const pos = c.array(to.position, [...p, 'position'], 3, 3);
    const xyz = pos?.map((v, k) => c.length(v, [...p, 'position', k], { min: -1000, max: 1000 }));
    if (label !== undefined && xyz && xyz.every((v) => v !== undefined)) targets.push({ label, position: xyz as [number, number, number] });
  });
  if (c.issues.length > before || id === undefined || name === undefined || typical === undefined || source === undefined) return undefined;
  const phantom: Phantom = { id, name, typical, source, targets };
  if (thickness !== undefined) phantom.thickness = thickness;
  return phantom;
}

/** A list of phantoms (an array, `{ phantoms: [...] }`, or one phantom); duplicate ids are refused. */
export function checkPhantoms(c: Checker, value: unknown, path: Path): Phantom[] | undefined {
  let list: unknown = value;
  let at = path;
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && 'phantoms' in value) {
    const o = c.object(value, path, ['about', 'phantoms'], ['phantoms']);
    list = o?.phantoms;
    at = [...path, 'phantoms'];
  } else if (!Array.isArray(value)) {
    list = [value];
  }
  const arr = c.array(list, at, 0, 1000);
  if (!arr) return undefined;
  const out: Phantom[] = [];
  const seen = new Set<string>();
  arr.forEach((v, i) => {
    const p = Array.isArray(value) || at !== path ? [...at, i] : path;
    const ph = checkPhantom(c, v, p);
    if (!ph) return;
    if (seen.has(ph.id)) c.add('duplicate_value', [...p, 'id'], 'a phantom id used once', ph.id);
    seen.add(ph.id);
    out.push(ph);
  });
  return out;
}

let shippedCache: Phantom[] | undefined;
/** The shipped example phantoms, validated once. */
export function shippedPhantoms(): Phantom[] {
  if (!shippedCache) {
    const c = new Checker();
    const list = checkPhantoms(c, shipped, ['shippedPhantoms']);
    if (!c.ok || !list) throw new Error(`the shipped phantom definitions are invalid: ${c.issues[0]?.message}`);
    shippedCache = list;
  }
  return shippedCache;
}

/** User phantoms replace shipped ones with the same id; the rest are added after them. */
export function phantomLibrary(user: readonly Phantom[] = []): Map<string, Phantom> {
  const byId = new Map<string, Phantom>();
  for (const p of shippedPhantoms()) byId.set(p.id, p);
  for (const p of user) byId.set(p.id, p);
  return byId;
}
