/**
 * What the clinical records share: coded concepts (only those a DICOM context group
 * lists, codes.json), laterality, points, the device catalog with a user's entries.
 */
import { checkCatalog, mergeCatalogs, shippedCatalog, type Catalog } from '../devices/catalog.js';
import type { Checker, Plain } from '../core/validate.js';
import { LATERALITY } from './schema.js';
import table from './codes.json' with { type: 'json' };
import type { Tuple3 } from '../core/vec3.js';

export interface Coded {
  scheme: string;
  code: string;
  meaning: string;
  /** The DICOM context group that lists it. */
  cid: string;
  source: string;
}

const CODES: Readonly<Record<string, Coded>> = table.codes;

/** A coded concept by key (`laterality.left`, `clock.3`...), or null when none is listed. */
export function codeFor(key: string): Coded | null {
  return Object.prototype.hasOwnProperty.call(CODES, key) ? CODES[key] : null;
}

/** Every shipped code, keyed as in codes.json. */
export function shippedCodes(): Readonly<Record<string, Coded>> {
  return CODES;
}

export type Laterality = (typeof LATERALITY)[number];
export const LATERALITIES = LATERALITY;

/** A record's position: the one tuple type (core/vec3.ts). */
export type Point3 = Tuple3;

export function distance(a: Point3, b: Point3): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
}

/** The shipped catalog with the request's `catalog` entries merged in (validated like any input). */
export function requestCatalog(c: Checker, req: Plain): Catalog {
  const user = req.catalog === undefined ? undefined : checkCatalog(c, req.catalog, ['catalog']);
  return user ? mergeCatalogs(shippedCatalog(), user) : shippedCatalog();
}
