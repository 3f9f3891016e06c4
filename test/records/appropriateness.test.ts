// The appropriateness table against the seed text, cell by cell: the seed (a copy in
// test/fixtures/seeds) is parsed here, independently of src/, at test time.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { appropriateness, appropriatenessTable, MORPHOLOGIES, ratingCategory } from '../../src/index.js';
import { runCli } from '../helpers/fake-io.js';
import { refusedWith } from '../helpers/refusal.js';

const seed = readFileSync(new URL('../fixtures/seeds/acr-appropriateness-microcalcifications.txt', import.meta.url), 'utf8');

// The nine procedure names as the seed prints them (written out here, not taken from src/).
const NAMES = [
  'Mammography diagnostic', 'US breast', 'Mammography short interval follow-up', 'MRI breast without and with contrast',
  'PET breast', 'Tc-99m sestamibi scan breast', 'Core biopsy breast', 'Fine needle aspiration breast',
  'Imaging localization for surgical excision breast',
];

interface SeedRow { name: string; rating: number; comment: string; rrl: string }

/** Variant number -> its title and rows, in the seed's order. */
function parseSeed(text: string): Map<number, { title: string; rows: SeedRow[] }> {
  const flat = text.replace(/\s+/g, ' ');
  const out = new Map<number, { title: string; rows: SeedRow[] }>();
  const heads = [...flat.matchAll(/Variant (\d+): (.*?)\. Radiologic Procedure Rating Comments RRL\* /g)];
  for (const h of heads) {
    const start = h.index! + h[0].length;
    const end = flat.indexOf('Rating Scale:', start);
    const body = flat.slice(start, end);
    const found = NAMES.map((name) => ({ name, at: body.indexOf(name + ' ') })).filter((x) => x.at >= 0).sort((a, b) => a.at - b.at);
    const rows = found.map((x, k) => {
      const cell = body.slice(x.at + x.name.length, k + 1 < found.length ? found[k + 1].at : undefined).trim();
      const m = /^(\d)\s*(.*?)\s*(☢ ☢ ☢ ☢ ☢|☢ ☢ ☢ ☢|☢ ☢ ☢|☢ ☢|☢|O|NS)$/.exec(cell);
      if (!m) throw new Error(`variant ${h[1]}: cannot read the cell of ${x.name}: ${cell}`);
      return { name: x.name, rating: Number(m[1]), comment: m[2], rrl: m[3].replace(/ /g, '') };
    });
    out.set(Number(h[1]), { title: h[2], rows });
  }
  return out;
}

const parsed = parseSeed(seed);
const table = appropriatenessTable();

describe('[API-037] the table against the seed', () => {
  it('the seed has 18 variants of 9 procedures, and so does the table', () => {
    expect([...parsed.keys()]).toEqual(Array.from({ length: 18 }, (_, i) => i + 1));
    for (const v of parsed.values()) expect(v.rows.map((r) => r.name).sort()).toEqual([...NAMES].sort());
    expect(table.map((v) => v.variant)).toEqual([...parsed.keys()]);
  });

  it('every cell: procedure order, rating, relative radiation level and title', () => {
    let cells = 0;
    for (const v of table) {
      const s = parsed.get(v.variant)!;
      expect(v.title).toBe(s.title);
      expect(v.procedures.map((p) => p.name)).toEqual(s.rows.map((r) => r.name));
      v.procedures.forEach((p, k) => {
        expect({ v: v.variant, p: p.name, rating: p.rating, rrl: p.rrl }).toEqual({ v: v.variant, p: s.rows[k].name, rating: s.rows[k].rating, rrl: s.rows[k].rrl });
        cells++;
      });
    }
    expect(cells).toBe(18 * 9);
  });

  it('every comment: present exactly where the seed has one, with the conditions it states', () => {
    for (const v of table) {
      v.procedures.forEach((p, k) => {
        const c = parsed.get(v.variant)!.rows[k].comment;
        const where = `variant ${v.variant}, ${p.name}`;
        expect(p.comment === null, where).toBe(c === '');
        const stated = {
          afterDiagnosticMammography: /after diagnostic mammographic workup/.test(c),
          associatedMassOrFocalAsymmetry: /mass(\/| or )focal asymmetry/.test(c),
          extensiveDistribution: /extensive distribution/.test(c),
          invasiveComponentSuspected: /invasive component is suspected/.test(c),
          furtherCharacterizationNeeded: /further evaluation is needed/.test(c),
        };
        const flags = Object.fromEntries(Object.keys(stated).map((k2) => [k2, p.conditions.includes(k2 as never)]));
        expect(flags, where).toEqual(stated);
      });
    }
  });

  it('the rating scale: 1-3, 4-6, 7-9 as the seed states it', () => {
    expect(seed).toContain('1,2,3 Usually not appropriate; 4,5,6 May be appropriate; 7,8,9 Usually appropriate');
    expect([1, 3, 4, 6, 7, 9].map(ratingCategory)).toEqual(['usually-not-appropriate', 'usually-not-appropriate', 'may-be-appropriate', 'may-be-appropriate', 'usually-appropriate', 'usually-appropriate']);
    expect(() => ratingCategory(0)).toThrow();
    expect(() => ratingCategory(10)).toThrow();
  });

  it('our comments are paraphrases, not the seed sentences', () => {
    for (const v of table) for (const p of v.procedures) if (p.comment) expect(seed.replace(/\s+/g, ' ')).not.toContain(p.comment.slice(0, 40));
  });
});

describe('lookup', () => {
  it('by variant number', () => {
    const r = appropriateness({ variant: 15 });
    expect(r.matches).toHaveLength(1);
    expect(r.matches[0].procedures[0]).toMatchObject({ procedure: 'mammography-diagnostic', rating: 8, category: 'usually-appropriate', rrl: '☢☢', adultDose: '0.1-1 mSv' });
    expect(r.matches[0].usuallyAppropriate).toEqual(['mammography-diagnostic']);
  });

  it('by morphology and distribution; one match, several, none', () => {
    expect(appropriateness({ morphology: 'amorphous', distribution: 'segmental' }).matches.map((v) => v.variant)).toEqual([8]);
    expect(appropriateness({ morphology: 'fine-linear-branching', distribution: 'regional' }).matches.map((v) => v.variant)).toEqual([1]);
    const several = appropriateness({ morphology: 'amorphous' });
    expect(several.matches.map((v) => v.variant)).toEqual([4, 5, 6, 7, 8]);
    expect(several.findings[0].code).toBe('several_variants');
    const none = appropriateness({ morphology: 'punctate', distribution: 'single-cluster' });
    expect(none.matches).toEqual([]);
    expect(none.sameMorphology).toEqual([10, 11, 12]);
    expect(none.findings[0]).toMatchObject({ code: 'no_matching_variant', severity: 'warning' });
  });

  it('every morphology leads to at least one variant', () => {
    for (const m of MORPHOLOGIES) expect(appropriateness({ morphology: m }).matches.length).toBeGreaterThan(0);
  });

  it('bad queries name the field', () => {
    const bad: [unknown, string][] = [
      [{ variant: 19 }, 'variant'], [{ variant: 0 }, 'variant'], [{ variant: 2.5 }, 'variant'], [{ morphology: 'spiky' }, 'morphology'],
      [{ morphology: 'amorphous', distribution: 'everywhere' }, 'distribution'], [{}, 'morphology'], [{ variant: 1, morphology: 'amorphous' }, 'morphology'],
      [{ variant: 1, colour: 'red' }, 'colour'],
    ];
    for (const [q, path] of bad) {
      refusedWith(() => appropriateness(q), undefined, path);
    }
  });

  it('CLI: JSON out, --text, arrays, exit 2 naming the field', async () => {
    const one = await runCli(['appropriateness', '-'], JSON.stringify({ variant: 6 }));
    expect(one.code).toBe(0);
    expect(JSON.parse(one.out).matches[0].procedures[0]).toMatchObject({ rating: 5, conditions: ['furtherCharacterizationNeeded'] });
    const text = await runCli(['appropriateness', '-', '--text'], JSON.stringify({ variant: 1 }));
    expect(text.out).toContain('variant 1');
    expect(text.out).toMatch(/4 {2}US breast/);
    const arr = await runCli(['appropriateness', '-'], JSON.stringify([{ variant: 2 }, { variant: 40 }]));
    expect(arr.code).toBe(2);
    expect(JSON.parse(arr.out)[1].error.path).toBe('variant');
    expect(arr.err).toContain('variant');
  });
});
