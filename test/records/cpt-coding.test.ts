// CPT coding: one and several lesions, mixed guidance, both breasts, biopsy; every
// shipped code and rule has a source and a year, and the codes appear in their sources.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CODING_RULES, CODING_WARNING, CPT_CODES, coding } from '../../src/index.js';
import { runCli } from '../helpers/fake-io.js';
import { refusedWith } from '../helpers/refusal.js';

const read = (p: string) => readFileSync(new URL(p, import.meta.url), 'utf8');
const facts = read('../fixtures/domain-facts.md');
const seed19284 = read('../fixtures/seeds/cpt-19284-stereotactic-localization.txt');
const seed19287 = read('../fixtures/seeds/cpt-19287-mri-localization.txt');

type L = Record<string, unknown>;
const rec = (...lesions: L[]) => ({ lesions });
const lines = (...lesions: L[]) => coding(rec(...lesions)).lines.map((l) => [l.code, ...l.modifiers].join('-'));
const codes = (r: ReturnType<typeof coding>) => r.findings.map((f) => f.code);

describe('codes and rules are sourced data', () => {
  it('every code and rule has a source and a year; add-ons point at their primary', () => {
    for (const c of CPT_CODES) {
      expect(c.source.length).toBeGreaterThan(10);
      expect(c.year).toBeGreaterThanOrEqual(2014);
      if (c.addOnTo) expect(CPT_CODES.find((p) => p.code === c.addOnTo)).toMatchObject({ guidance: c.guidance, kind: c.kind, lesion: 'first' });
    }
    for (const r of CODING_RULES) {
      expect(r.source.length).toBeGreaterThan(10);
      expect(r.year).toBeGreaterThanOrEqual(2014);
    }
  });

  it('the codes appear in the sources they cite', () => {
    expect(seed19284).toMatch(/19284 is used for each additional lesion/);
    expect(seed19284).toMatch(/19283 is designated for the placement of the localization device in the first lesion/);
    expect(seed19287).toContain('19288');
    expect(seed19287).toMatch(/19287 .*first lesion/);
    expect(seed19287).toMatch(/LT \| Left side/);
    expect(seed19287).toMatch(/RT \| Right side/);
    expect(facts).toContain('19281/19282 mammographic, 19283/19284 stereotactic, 19285/19286 ultrasound, 19287/19288 MRI');
    expect(facts).toMatch(/stereotactic 19081\/\+19082, ultrasound\s+19083\/\+19084, MRI 19085\/\+19086/);
    expect(facts).toMatch(/19499 \(Noridian A57848\/A57849, 2020\)/);
    expect(facts).toMatch(/not separately reportable after mammographically guided\s+localization \(19281\/19282\)/);
  });
});

describe('[API-036] coding a record', () => {
  it('one lesion per guidance: the primary code with LT or RT', () => {
    expect(lines({ laterality: 'left', guidance: 'mammographic' })).toEqual(['19281-LT']);
    expect(lines({ laterality: 'right', guidance: 'stereotactic' })).toEqual(['19283-RT']);
    expect(lines({ laterality: 'left', guidance: 'ultrasound' })).toEqual(['19285-LT']);
    expect(lines({ laterality: 'left', guidance: 'mri' })).toEqual(['19287-LT']);
    expect(lines({ laterality: 'left', guidance: 'stereotactic', procedure: 'biopsy' })).toEqual(['19081-LT']);
    expect(lines({ laterality: 'left', guidance: 'ultrasound', procedure: 'biopsy' })).toEqual(['19083-LT']);
    expect(lines({ laterality: 'left', guidance: 'mri', procedure: 'biopsy' })).toEqual(['19085-LT']);
  });

  it('several lesions under one guidance: first, then the add-on for each further lesion', () => {
    const r = coding(rec({ laterality: 'left', guidance: 'stereotactic' }, { laterality: 'left', guidance: 'stereotactic' }, { laterality: 'left', guidance: 'stereotactic' }));
    expect(r.lines.map((l) => [l.code, l.addOn])).toEqual([['19283', false], ['19284', true], ['19284', true]]);
    expect(r.lines.map((l) => l.lesion)).toEqual(['A', 'B', 'C']);
    expect(r.rules.map((x) => x.id)).toEqual(['first-then-additional', 'laterality-modifier']);
  });

  it('mixed guidance: each guidance starts with its own primary code', () => {
    expect(lines(
      { laterality: 'left', guidance: 'ultrasound' }, { laterality: 'left', guidance: 'stereotactic' },
      { laterality: 'left', guidance: 'ultrasound' }, { laterality: 'left', guidance: 'mri' }, { laterality: 'left', guidance: 'stereotactic' },
    )).toEqual(['19285-LT', '19283-LT', '19286-LT', '19287-LT', '19284-LT']);
    // biopsy and localization under the same guidance are separate families
    expect(lines({ laterality: 'left', guidance: 'ultrasound', procedure: 'biopsy' }, { laterality: 'left', guidance: 'ultrasound' }, { laterality: 'left', guidance: 'ultrasound', procedure: 'biopsy' }))
      .toEqual(['19083-LT', '19285-LT', '19084-LT']);
  });

  it('both breasts: LT and RT per lesion, first/additional, flagged for the coder', () => {
    const r = coding(rec({ laterality: 'left', guidance: 'mri' }, { laterality: 'right', guidance: 'mri' }));
    expect(r.lines.map((l) => [l.code, ...l.modifiers].join('-'))).toEqual(['19287-LT', '19288-RT']);
    expect(codes(r)).toContain('bilateral_same_guidance');
    // different guidance per breast: no flag
    const s = coding(rec({ laterality: 'left', guidance: 'mri' }, { laterality: 'right', guidance: 'ultrasound' }));
    expect(s.lines.map((l) => [l.code, ...l.modifiers].join('-'))).toEqual(['19287-LT', '19285-RT']);
    expect(codes(s)).not.toContain('bilateral_same_guidance');
    // same side twice: no flag
    expect(codes(coding(rec({ laterality: 'right', guidance: 'mri' }, { laterality: 'right', guidance: 'mri' })))).not.toContain('bilateral_same_guidance');
  });

  it('tomosynthesis-only biopsy is 19499 for each lesion; tomosynthesis localization has no sourced code', () => {
    expect(lines({ laterality: 'left', guidance: 'tomosynthesis', procedure: 'biopsy' }, { laterality: 'left', guidance: 'tomosynthesis', procedure: 'biopsy' })).toEqual(['19499-LT', '19499-LT']);
    const r = coding(rec({ laterality: 'left', guidance: 'tomosynthesis' }));
    expect(r.lines).toEqual([]);
    expect(codes(r)).toContain('no_sourced_code');
  });

  it('what has no source is not coded and says why: axilla, mammographic biopsy, no guidance, no side', () => {
    const ax = coding(rec({ site: 'axilla', laterality: 'left', guidance: 'ultrasound' }));
    expect(ax.lines).toEqual([]);
    expect(ax.findings[0]).toMatchObject({ code: 'no_sourced_code', path: 'lesions[0].site' });
    expect(coding(rec({ laterality: 'left', guidance: 'mammographic', procedure: 'biopsy' })).lines).toEqual([]);
    expect(codes(coding(rec({ laterality: 'left' })))).toContain('guidance_missing');
    const noSide = coding(rec({ guidance: 'ultrasound' }));
    expect(noSide.lines[0]).toMatchObject({ code: '19285', modifiers: [] });
    expect(codes(noSide)).toContain('laterality_missing');
  });

  it('notes: biopsy includes clip and specimen imaging; the post-procedure mammogram by guidance', () => {
    expect(coding(rec({ laterality: 'left', guidance: 'stereotactic', procedure: 'biopsy' })).notes.join(' ')).toMatch(/included in the biopsy codes/);
    const mammo = (g: string) => coding({ lesions: [{ laterality: 'left', guidance: g, device: 'hook-wire' }], postProcedureMammogram: { done: true } });
    expect(mammo('mammographic').notes.join(' ')).toMatch(/not reported separately/);
    expect(mammo('stereotactic').notes.join(' ')).toMatch(/may be reported separately/);
    expect(mammo('mammographic').rules.map((r) => r.id)).toContain('post-procedure-mammogram');
    expect(coding(rec({ laterality: 'left', guidance: 'mammographic' })).rules.map((r) => r.id)).not.toContain('post-procedure-mammogram');
  });

  it('always the plain warning that a coder must confirm', () => {
    const r = coding(rec({ laterality: 'left', guidance: 'ultrasound' }));
    expect(r.warning).toBe(CODING_WARNING);
    expect(r.warning).toMatch(/coder must confirm/);
    expect(r.findings.at(-1)).toMatchObject({ code: 'coder_must_confirm', severity: 'info' });
  });

  it('bad records name the field; CLI exit codes', async () => {
    for (const [r, path] of [[{ lesions: [] }, 'lesions'], [{ lesions: [{ guidance: 'xray' }] }, 'lesions[0].guidance'], [{ lesions: [{ laterality: 'both' }] }, 'lesions[0].laterality'], [{}, 'lesions']] as const) {
      refusedWith(() => coding(r), undefined, path);
    }
    const ok = await runCli(['coding', '-'], JSON.stringify(rec({ laterality: 'left', guidance: 'ultrasound' })));
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out).lines[0].code).toBe('19285');
    const text = await runCli(['coding', '-', '--text'], JSON.stringify(rec({ laterality: 'left', guidance: 'ultrasound' }, { laterality: 'left', guidance: 'ultrasound' })));
    expect(text.out).toContain('+19286-LT');
    expect(text.out).toContain('coder must confirm');
    const bad = await runCli(['coding', '-'], JSON.stringify({ lesions: [{ guidance: 'xray' }] }));
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('lesions[0].guidance');
  });

  it('property: one primary per procedure and guidance, in first-lesion order; add-ons for the rest; LT/RT follow the lesion', () => {
    const lesion = fc.record({
      laterality: fc.constantFrom('left', 'right'),
      guidance: fc.constantFrom('mammographic', 'stereotactic', 'ultrasound', 'mri'),
      procedure: fc.constantFrom('localization', 'biopsy'),
    });
    fc.assert(fc.property(fc.array(lesion, { minLength: 1, maxLength: 12 }), (ls) => {
      const r = coding({ lesions: ls });
      const codable = ls.filter((l) => !(l.procedure === 'biopsy' && l.guidance === 'mammographic'));
      expect(r.lines).toHaveLength(codable.length);
      const seen = new Set<string>();
      r.lines.forEach((line, k) => {
        const l = codable[k];
        const key = `${l.procedure}/${l.guidance}`;
        const code = CPT_CODES.find((c) => c.code === line.code)!;
        expect([code.kind, code.guidance]).toEqual([l.procedure, l.guidance]);
        expect(code.lesion).toBe(seen.has(key) ? 'additional' : 'first');
        expect(line.modifiers).toEqual([l.laterality === 'left' ? 'LT' : 'RT']);
        seen.add(key);
      });
    }));
  });
});
