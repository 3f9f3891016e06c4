/**
 * ACR Appropriateness Criteria, breast microcalcifications (initial diagnostic workup):
 * the whole table as data (appropriateness.json) and a lookup by variant number or by
 * morphology and distribution.
 */
import { Checker } from '../core/validate.js';
import { field, requestObject } from './fields.js';
import { AppropriatenessRequest, DISTRIBUTIONS, MORPHOLOGIES } from './schema.js';
import { findingsText, type Finding } from '../core/findings.js';
import table from './appropriateness.json' with { type: 'json' };

export type RatingCategory = 'usually-not-appropriate' | 'may-be-appropriate' | 'usually-appropriate';
/** The seed's condition flags, written out (a type derived from the JSON would inline the JSON into the .d.ts). */
export type ConditionFlag =
  | 'afterDiagnosticMammography' | 'associatedMassOrFocalAsymmetry' | 'extensiveDistribution'
  | 'invasiveComponentSuspected' | 'furtherCharacterizationNeeded';
// Holds the written-out union to the JSON's keys: a flag added to the JSON and not here fails typecheck.
const FLAGS_MATCH: [keyof typeof table.conditionFlags] extends [ConditionFlag] ? ([ConditionFlag] extends [keyof typeof table.conditionFlags] ? true : false) : false = true;
void FLAGS_MATCH;

export interface ProcedureRating {
  procedure: string;
  name: string;
  rating: number;
  category: RatingCategory;
  /** The conditions the seed's comment attaches to the rating (flags), and a paraphrase. */
  conditions: ConditionFlag[];
  comment: string | null;
  rrl: string;
  adultDose: string;
}

export interface AppropriatenessVariant {
  variant: number;
  title: string;
  morphology: string[];
  distribution: string[];
  procedures: ProcedureRating[];
  /** The procedures rated 7-9, best first. */
  usuallyAppropriate: string[];
  source: string;
}

export const APPROPRIATENESS_SOURCE = table.source;
export { MORPHOLOGIES, DISTRIBUTIONS };

const NAMES = new Map(table.procedures.map((p) => [p.id, p.name]));
const DOSES = new Map(table.relativeRadiationLevels.map((r) => [r.rrl, r.adult]));

export function ratingCategory(rating: number): RatingCategory {
  const s = table.ratingScale.find((r) => rating >= r.min && rating <= r.max);
  if (!s) throw new Error(`rating ${rating} outside the scale`);
  return s.category as RatingCategory;
}

function paraphrase(flags: ConditionFlag[]): string | null {
  if (!flags.length) return null;
  const text = flags.map((f) => table.conditionFlags[f]).join(' ').replace(/,$/, '');
  return text.charAt(0).toUpperCase() + text.slice(1) + '.';
}

function expand(v: (typeof table.variants)[number]): AppropriatenessVariant {
  const procedures = v.procedures.map((p): ProcedureRating => {
    const conditions = Object.entries((p as { conditions?: Record<string, boolean> }).conditions ?? {}).filter(([, on]) => on).map(([k]) => k as ConditionFlag);
    return {
      procedure: p.procedure, name: NAMES.get(p.procedure)!, rating: p.rating, category: ratingCategory(p.rating),
      conditions, comment: paraphrase(conditions), rrl: p.rrl, adultDose: DOSES.get(p.rrl)!,
    };
  });
  const usuallyAppropriate = procedures.filter((p) => p.category === 'usually-appropriate').sort((a, b) => b.rating - a.rating).map((p) => p.procedure);
  return { variant: v.variant, title: v.title, morphology: v.morphology, distribution: v.distribution, procedures, usuallyAppropriate, source: v.source };
}

/** Every variant, expanded. */
export function appropriatenessTable(): AppropriatenessVariant[] {
  return table.variants.map(expand);
}

export interface AppropriatenessQuery {
  id?: string;
  variant?: number;
  morphology?: string;
  distribution?: string;
}

export interface AppropriatenessResult {
  id?: string;
  query: { variant?: number; morphology?: string; distribution?: string };
  matches: AppropriatenessVariant[];
  /** With no match: the variants that share the morphology, to choose from. */
  sameMorphology: number[];
  source: string;
  findings: Finding[];
}

/** A lookup checked against its definition (schema.ts): a variant number, or a morphology and optionally a distribution. */
export function parseAppropriatenessQuery(value: unknown): AppropriatenessQuery {
  const S = AppropriatenessRequest;
  const c = new Checker();
  const q = requestObject(c, S, value);
  const id = field(c, S, q, 'id', []);
  const out: AppropriatenessQuery = id !== undefined ? { id } : {};
  if (q.variant !== undefined) {
    out.variant = field(c, S, q, 'variant', []);
    for (const k of ['morphology', 'distribution']) if (q[k] !== undefined) c.add('invalid_value', [k], 'either variant or morphology (and distribution), not both', q[k]);
  } else if (q.morphology === undefined) {
    c.add('missing_field', ['morphology'], `a variant number, or a morphology: one of ${MORPHOLOGIES.join(', ')}`, undefined);
  } else {
    out.morphology = field(c, S, q, 'morphology', []);
    const distribution = field(c, S, q, 'distribution', []);
    if (distribution !== undefined) out.distribution = distribution;
  }
  c.done();
  return out;
}

export function lookupAppropriateness(q: AppropriatenessQuery): AppropriatenessResult {
  const all = appropriatenessTable();
  const findings: Finding[] = [];
  let matches: AppropriatenessVariant[];
  let sameMorphology: number[] = [];
  if (q.variant !== undefined) matches = all.filter((v) => v.variant === q.variant);
  else {
    const byMorphology = all.filter((v) => v.morphology.includes(q.morphology!));
    matches = q.distribution === undefined ? byMorphology
      : byMorphology.filter((v) => v.distribution.includes('any') || v.distribution.includes(q.distribution!));
    if (!matches.length) {
      sameMorphology = byMorphology.map((v) => v.variant);
      findings.push({ code: 'no_matching_variant', severity: 'warning', path: 'distribution',
        message: `No variant lists ${q.morphology} calcifications in a ${q.distribution} distribution; variants with that morphology: ${byMorphology.map((v) => `${v.variant} (${v.distribution.join(' or ')})`).join(', ')}.` });
    } else if (matches.length > 1) {
      findings.push({ code: 'several_variants', severity: 'info', path: 'distribution',
        message: `${matches.length} variants match ${q.morphology} calcifications (${matches.map((v) => v.variant).join(', ')}): give the distribution to choose one.` });
    }
  }
  const query = { ...(q.variant !== undefined ? { variant: q.variant } : {}), ...(q.morphology ? { morphology: q.morphology } : {}), ...(q.distribution ? { distribution: q.distribution } : {}) };
  return { ...(q.id !== undefined ? { id: q.id } : {}), query, matches, sameMorphology, source: table.source, findings };
}

export function appropriateness(query: unknown): AppropriatenessResult {
  return lookupAppropriateness(parseAppropriatenessQuery(query));
}

export function appropriatenessText(r: AppropriatenessResult): string {
  let s = `stereotax appropriateness${r.id ? ` ${r.id}` : ''} (${table.condition}; ratings 1-9)\n`;
  for (const v of r.matches) {
    s += `  variant ${v.variant}: ${v.title}\n`;
    for (const p of v.procedures) {
      s += `    ${String(p.rating).padStart(2)}  ${p.name.padEnd(50)} RRL ${p.rrl.padEnd(4)}${p.comment ? `  (${p.comment})` : ''}\n`;
    }
  }
  s += `  source        ${r.source}\n`;
  return s + findingsText(r.findings);
}
