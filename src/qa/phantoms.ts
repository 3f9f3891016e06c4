/**
 * Localization phantoms as data (like the device catalog): shipped examples with
 * their source, every one labelled typical; a user's phantom is validated the same
 * way and replaces a shipped one with the same id.
 */
import { Checker, type Path } from '../core/validate.js';
import { field, objectOf } from './fields.js';
import { Phantom as PhantomSchema, PhantomTarget as PhantomTargetSchema } from './schema.js';
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

/**
 * A phantom, checked against its definition (schema.ts) field by field in the order of
 * its fields, each target's label checked for a repeat before its position.
 */
export function checkPhantom(c: Checker, value: unknown, path: Path): Phantom | undefined {
  const o = objectOf(c, PhantomSchema, value, path);
  if (!o) return undefined;
  const before = c.issues.length;
  const id = field(c, PhantomSchema, o, 'id', path) as string | undefined;
  const name = o.name === undefined ? id : (field(c, PhantomSchema, o, 'name', path) as string | undefined);
  const typical = field(c, PhantomSchema, o, 'typical', path) as boolean | undefined;
  const source = field(c, PhantomSchema, o, 'source', path) as string | undefined;
  const thickness = field(c, PhantomSchema, o, 'thickness', path) as number | undefined;
  const targets: PhantomTarget[] = [];
  const labels = new Set<string>();
  const list = PhantomSchema.properties.targets;
  c.array(o.targets, [...path, 'targets'], list.minItems, list.maxItems)?.forEach((t, i) => {
    const p = [...path, 'targets', i];
    const to = objectOf(c, PhantomTargetSchema, t, p);
    if (!to) return;
    const label = field(c, PhantomTargetSchema, to, 'label', p) as string | undefined;
    if (label !== undefined && labels.has(label)) c.add('duplicate_value', [...p, 'label'], 'a label used once in the phantom', label);
    if (label !== undefined) labels.add(label);
    const xyz = field(c, PhantomTargetSchema, to, 'position', p) as [number, number, number] | undefined;
    if (label !== undefined && xyz) targets.push({ label, position: xyz });
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
