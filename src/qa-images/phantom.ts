/**
 * The bead phantom (qa-images.md section 1): a QA phantom (qa.md section 1) whose every
 * target is a spherical, strongly attenuating bead of `beads.diameter` mm.
 */
import { Checker, type Path } from '../core/validate.js';
import { checkPhantom, phantomLibrary, type Phantom } from '../qa/phantoms.js';

export interface BeadPhantom extends Phantom {
  beads: { diameter: number };
}

export const BEAD_DIAMETER = { min: 0.3, max: 5 };

/** Checks an inline phantom (with beads) or resolves an id among the shipped phantoms (which must then carry beads). */
export function checkBeadPhantom(c: Checker, value: unknown, path: Path = ['phantom']): BeadPhantom | undefined {
  let raw: unknown = value;
  if (typeof value === 'string') {
    const lib = phantomLibrary();
    const p = lib.get(value);
    if (!p) return c.add('unknown_reference', path, `a known phantom id (${[...lib.keys()].join(', ')}) or a phantom file`, value);
    raw = p;
  }
  const o = c.object(raw, path, ['id', 'name', 'typical', 'source', 'thickness', 'targets', 'beads'], ['id', 'targets', 'beads']);
  if (!o) return undefined;
  const { beads, ...rest } = o;
  const b = c.object(beads, [...path, 'beads'], ['diameter'], ['diameter']);
  const diameter = b ? c.length(b.diameter, [...path, 'beads', 'diameter'], BEAD_DIAMETER) : undefined;
  const phantom = checkPhantom(c, rest, path);
  if (phantom && phantom.targets.length < 3) c.add('too_few_items', [...path, 'targets'], 'at least 3 targets (a rigid registration needs three beads)', phantom.targets);
  if (!phantom || diameter === undefined || !c.ok) return undefined;
  return { ...phantom, beads: { diameter } };
}
