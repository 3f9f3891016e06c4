// The procedure report: the ACR section VI items against the seed's own list, the
// completeness check naming every missing item (one field removed at a time), no
// patient identifier ever invented, codes from DICOM context groups, text/HTML, CLI.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ACR_IMAGE_LABEL_ITEMS, ACR_REPORT_ITEMS, procedureReport, reportHtml, target } from '../../src/index.js';
import { runCli } from '../helpers/fake-io.js';
import { refusedWith } from '../helpers/refusal.js';

const read = (p: string) => readFileSync(new URL(p, import.meta.url), 'utf8');
const seed = read('../fixtures/seeds/acr-practice-parameter-preoperative-localization.txt');
const facts = read('../fixtures/domain-facts.md');
const complete = JSON.parse(read('../fixtures/records/localization-complete.json'));
const clone = () => structuredClone(complete);
const missingIds = (r: unknown) => procedureReport(r).completeness.missing.map((m) => m.id);

/** Deletes a dotted path (`lesions.0.views`) from a copy of the complete record. */
function without(...paths: string[]): Record<string, unknown> {
  const r = clone();
  for (const p of paths) {
    const keys = p.split('.');
    let o = r;
    for (const k of keys.slice(0, -1)) o = o[k];
    delete o[keys.at(-1)!];
  }
  return r;
}

describe('ACR section VI items against the seed', () => {
  const section = seed.slice(seed.indexOf('VI. DOCUMENTATION'), seed.indexOf('VII. QUALITY CONTROL'));
  const labels = section.slice(0, section.indexOf("The physician’s report"));
  const report = section.slice(section.indexOf("The physician’s report"));
  // What the seed lists, in its order (phrases of the seed, read here, not from src/).
  const A = ['first and last names', 'Identifying number and/or date of birth', 'Examination date', 'Facility name and location',
    'Designation of left or right breast or axilla', 'Annotation of mammographic view', 'Annotation of sonographic image', 'Technologist’s identification number or initials'];
  const B = ['Procedure performed', 'Designation of the left or right breast or axilla', 'Description and location of the lesion', 'Safety time-out',
    'Approach used', 'Type and amount of local anesthesia', 'Skin incision, if made', 'Type of localization device', 'post-procedure mammogram',
    'Complications and treatment', 'Confirmation of specimen imaging'];

  it('the seed numbers 8 image-label items and 11 report items, in this order', () => {
    const order = (text: string, phrases: string[]) => phrases.map((p) => text.indexOf(p));
    const a = order(labels, A), b = order(report, B);
    expect(a.every((x) => x >= 0) && b.every((x) => x >= 0)).toBe(true);
    expect([...a].sort((x, y) => x - y)).toEqual(a);
    expect([...b].sort((x, y) => x - y)).toEqual(b);
    // each item's number follows its text: "...date3." and so on
    A.forEach((p, k) => expect(labels.slice(a[k], a[k + 1] ?? undefined)).toMatch(new RegExp(`${k + 1}\\.`)));
    B.forEach((p, k) => expect(report.slice(b[k], b[k + 1] ?? undefined)).toMatch(new RegExp(`${k + 1}\\.`)));
  });

  it('the data lists the same items, numbered the same, each with its source', () => {
    expect(ACR_IMAGE_LABEL_ITEMS.map((i) => i.id)).toEqual(A.map((_, k) => `VI.A.${k + 1}`));
    expect(ACR_REPORT_ITEMS.map((i) => i.id)).toEqual(B.map((_, k) => `VI.B.${k + 1}`));
    for (const i of [...ACR_IMAGE_LABEL_ITEMS, ...ACR_REPORT_ITEMS]) {
      expect(i.source).toMatch(/section VI/);
      expect(i.satisfiedBy.length).toBeGreaterThan(0);
      expect(seed).not.toContain(i.requirement); // paraphrased, not copied
    }
  });
});

describe('[API-035] completeness: every missing item is named', () => {
  it('the complete record has nothing missing (VI.A.7 does not apply without ultrasound)', () => {
    const r = procedureReport(complete);
    expect(r.completeness).toMatchObject({ complete: true, missing: [], notApplicable: ['VI.A.7'] });
    expect(r.completeness.checked).toHaveLength(18);
    expect(r.findings).toEqual([]);
  });

  const cases: [string[], string[]][] = [
    [['patient.givenName'], ['VI.A.1']],
    [['patient.familyName'], ['VI.A.1']],
    [['patient.id'], []], // the date of birth is enough
    [['patient.birthDate'], []],
    [['patient.id', 'patient.birthDate'], ['VI.A.2']],
    [['patient'], ['VI.A.1', 'VI.A.2']],
    [['examDate'], ['VI.A.3']],
    [['facility.location'], ['VI.A.4']],
    [['lesions.0.laterality'], ['VI.A.5', 'VI.B.2']],
    [['lesions.0.views'], ['VI.A.6']],
    [['technologist'], ['VI.A.8']],
    [['lesions.0.guidance'], ['VI.B.1']], // and VI.A.6 no longer applies
    [['lesions.0.description'], ['VI.B.3']],
    [['lesions.0.location'], ['VI.B.3']],
    [['timeOut'], ['VI.B.4']],
    [['lesions.0.approach'], ['VI.B.5']],
    [['anaesthesia'], ['VI.B.6']],
    [['anaesthesia.volumeMl'], ['VI.B.6']],
    [['incision'], ['VI.B.7']],
    [['lesions.0.device'], ['VI.B.8']],
    [['postProcedureMammogram'], ['VI.B.9']],
    [['postProcedureMammogram.relation'], ['VI.B.9']],
    [['complications'], ['VI.B.10']],
    [['specimenImaging'], ['VI.B.11']],
  ];
  for (const [remove, expected] of cases) {
    it(`without ${remove.join(' and ')}: ${expected.join(', ') || 'still complete'}`, () => {
      const r = procedureReport(without(...remove));
      expect(r.completeness.missing.map((m) => m.id)).toEqual(expected);
      expect(r.findings.filter((f) => f.code === 'acr_item_missing').map((f) => f.message.slice(4, 4 + expected[0]?.length))).toEqual(expected);
    });
  }

  it('an ultrasound lesion needs the clock face (or a region), the distance and the transducer orientation', () => {
    const us = clone();
    us.lesions[0] = { ...us.lesions[0], guidance: 'ultrasound', views: undefined, transducerOrientation: 'radial' };
    delete us.lesions[0].views;
    expect(missingIds(us)).toEqual([]);
    delete us.lesions[0].transducerOrientation;
    const m = procedureReport(us).completeness.missing;
    expect(m.map((x) => x.id)).toEqual(['VI.A.7']);
    expect(m[0].missingFields).toEqual(['lesions[0].transducerOrientation']);
    us.lesions[0].transducerOrientation = 'antiradial';
    us.lesions[0].location = { region: 'subareolar', depthThird: 'anterior' };
    expect(missingIds(us)).toEqual([]);
  });

  it('a near-empty record names every applicable item, each with its fields', () => {
    const r = procedureReport({ lesions: [{}] });
    const all = [...ACR_IMAGE_LABEL_ITEMS, ...ACR_REPORT_ITEMS].map((i) => i.id).filter((id) => id !== 'VI.A.6' && id !== 'VI.A.7');
    expect(r.completeness.missing.map((m) => m.id)).toEqual(all);
    expect(r.completeness.notApplicable).toEqual(['VI.A.6', 'VI.A.7']);
    for (const m of r.completeness.missing) expect(m.missingFields.length).toBeGreaterThan(0);
    expect(r.completeness.missing.find((m) => m.id === 'VI.B.6')!.alternatives).toEqual([['anaesthesia.agent', 'anaesthesia.volumeMl'], ['anaesthesia.none']]);
  });

  it('with two lesions, each lesion\'s gap is named by its index', () => {
    const r = clone();
    r.lesions.push({ label: 'B', laterality: 'left', guidance: 'stereotactic', description: 'second group', location: { text: 'posterior depth' }, device: 'hook-wire', views: ['CC'] });
    r.postProcedureMammogram.deviceCount = 2;
    const m = procedureReport(r).completeness.missing;
    expect(m).toHaveLength(1);
    expect(m[0]).toMatchObject({ id: 'VI.B.5', missingFields: ['lesions[1].approach'] });
  });
});

describe('[API-035] what the record says, and no invented identifier', () => {
  it('missing patient details stay null in JSON and read "not recorded" in text and HTML', async () => {
    const r = procedureReport(without('patient'));
    expect(r.patient).toEqual({ givenName: null, familyName: null, id: null, birthDate: null });
    const text = await runCli(['report', '-', '--text'], JSON.stringify(without('patient')));
    expect(text.out).toContain('Patient: not recorded; ID not recorded; born not recorded');
    expect(reportHtml(r)).toContain('ID <span class="missing-value">not recorded</span>');
    expect(JSON.stringify(r)).not.toMatch(/MRN|anonymous|unknown patient/i);
  });

  it('safety findings: no time-out, inaccurate placement, device count, no mammogram, specimen', () => {
    const codes = (r: unknown) => procedureReport(r).findings.map((f) => f.code);
    const r = clone();
    r.timeOut = false;
    expect(codes(r)).toEqual(['time_out_not_performed']);
    const m = clone();
    m.postProcedureMammogram.accurate = false;
    m.postProcedureMammogram.deviceCount = 2;
    expect(codes(m)).toEqual(['device_placement_inaccurate', 'device_count_mismatch']);
    const n = clone();
    n.postProcedureMammogram = { done: false };
    expect(codes(n)).toEqual(['acr_item_missing', 'no_post_procedure_mammogram']);
    const s = clone();
    s.specimenImaging = { done: true, targetRemoved: false, deviceRemoved: false };
    s.complications = [{ description: 'small haematoma', treatment: 'compression' }];
    expect(codes(s)).toEqual(['specimen_target_not_removed', 'specimen_device_not_removed', 'complications_recorded']);
    // two devices for one lesion agree with a count of 2
    const d = clone();
    d.lesions[0].deviceCount = 2;
    d.postProcedureMammogram.deviceCount = 2;
    expect(codes(d)).toEqual([]);
  });

  it('codes are those of the DICOM context groups, none for what has no listed concept', () => {
    const r = procedureReport(complete);
    const l = r.lesions[0];
    expect(l.codes.laterality).toMatchObject({ code: '80248007', cid: expect.stringContaining('CID 6023') });
    expect(l.codes.location?.code).toBe('129773009');
    expect(l.codes.procedure.map((c) => c.code)).toEqual(['428907005']);
    expect(facts).toContain('129773009');
    const seed = clone();
    seed.lesions[0].device = 'magnetic-seed';
    expect(procedureReport(seed).lesions[0].codes.procedure.map((c) => c.code)).toEqual(['237380007']);
    const ax = clone();
    ax.lesions[0] = { ...ax.lesions[0], site: 'axilla' };
    expect(procedureReport(ax).lesions[0].codes).toMatchObject({ laterality: null, location: null });
    const mriBiopsy = clone();
    mriBiopsy.lesions[0] = { ...mriBiopsy.lesions[0], procedure: 'biopsy', guidance: 'mri' };
    expect(procedureReport(mriBiopsy).lesions[0].codes.procedure.map((c) => c.code)).toEqual(['44578009', '277592004']);
  });

  it('embeds a targeting result: its numbers and findings', async () => {
    const t = await target({
      geometry: { sourceToDetector: 660, sourceToSupport: 640, rotationAxisHeight: -20 }, thickness: 45,
      views: [{ angle: 15, u: -5.41, v: 32.36 }, { angle: -15, u: 15.98, v: 32.36 }],
      needle: { approach: 'vertical', device: { gauge: 14, throw: 22, apertureLength: 18, tipLength: 4 } },
    });
    const r = procedureReport({ ...complete, targeting: JSON.parse(JSON.stringify(t)) });
    const sec = r.sections.find((s) => s.heading === 'Targeting')!;
    expect(sec.lines[0]).toMatch(/depthFromSkin 27\.44 mm/);
    expect(r.results[0].numbers.z).toBeCloseTo(t.target.z, 12);
    const bad = { ...complete, targeting: { ...JSON.parse(JSON.stringify(t)), depthFromSkin: 'deep' } };
    refusedWith(() => procedureReport(bad), undefined, 'targeting.depthFromSkin');
    const withError = { ...complete, margins: { closestMargin: -1, status: 'involved', findings: [{ code: 'margin_involved', severity: 'error', message: 'inked' }] } };
    const m = procedureReport(withError);
    expect(m.findings).toEqual([expect.objectContaining({ code: 'margin_involved', path: 'margins.findings[0]', severity: 'error' })]);
  });

  it('HTML escapes what the record says', () => {
    const r = clone();
    r.lesions[0].description = '<script>alert(1)</script> & "quotes"';
    const html = reportHtml(procedureReport(r));
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;');
  });

  it('bad records name the field', () => {
    const bad: [unknown, string][] = [
      [{ ...complete, examDate: '2026-02-30' }, 'examDate'],
      [{ ...complete, timeOut: 'yes' }, 'timeOut'],
      [{ ...complete, lesions: [{ ...complete.lesions[0], location: { clock: 13 } }] }, 'lesions[0].location.clock'],
      [{ ...complete, lesions: [complete.lesions[0], complete.lesions[0]] }, 'lesions[1].label'],
      [{ ...complete, anaesthesia: { none: true, agent: 'x' } }, 'anaesthesia.none'],
      [{ ...complete, incision: { made: false, lengthMm: 3 } }, 'incision.lengthMm'],
      [{ ...complete, postProcedureMammogram: { done: false, deviceCount: 1 } }, 'postProcedureMammogram.deviceCount'],
      [{ ...complete, patient: { ...complete.patient, ssn: '1' } }, 'patient.ssn'],
      [{ ...complete, targeting: [1] }, 'targeting'],
      [{ ...complete, plan: { findings: [{ code: 'x', severity: 'fatal', message: 'm' }] } }, 'plan.findings[0].severity'],
    ];
    for (const [q, path] of bad) {
      refusedWith(() => procedureReport(q), undefined, path, path);
    }
  });
});

describe('CLI', () => {
  it('JSON by default, exit 0 when complete, 3 when an item is missing', async () => {
    const ok = await runCli(['report', '-'], JSON.stringify(complete));
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out).completeness.complete).toBe(true);
    const incomplete = await runCli(['report', '-'], JSON.stringify(without('timeOut')));
    expect(incomplete.code).toBe(3);
    expect(JSON.parse(incomplete.out).completeness.missing[0].id).toBe('VI.B.4');
  });

  it('--text and --html; arrays; --html with an array, both flags and stray arguments are refused', async () => {
    const text = await runCli(['report', '-', '--text'], JSON.stringify(complete));
    expect(text.out).toContain('ACR section VI: documentation complete');
    const html = await runCli(['report', '-', '--html'], JSON.stringify(complete));
    expect(html.out.startsWith('<!DOCTYPE html>')).toBe(true);
    const arr = await runCli(['report', '-'], JSON.stringify([complete, { lesions: 'none' }]));
    expect(arr.code).toBe(2);
    expect(JSON.parse(arr.out)[1].error.path).toBe('lesions');
    expect((await runCli(['report', '-', '--html'], JSON.stringify([complete]))).code).toBe(2);
    expect((await runCli(['report', '-', '--html', '--text'], JSON.stringify(complete))).code).toBe(2);
    expect((await runCli(['report', 'a.json', 'b.json'])).code).toBe(2);
    expect((await runCli(['report', '-', '--pdf'], '{}')).code).toBe(2);
    const missing = await runCli(['report'], '');
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('no input');
    const broken = await runCli(['report', '-'], '{ not json');
    expect(broken.code).toBe(2);
  });

  it('the fixture file through the file path', async () => {
    const r = await runCli(['report', new URL('../fixtures/records/localization-incomplete.json', import.meta.url).pathname]);
    expect(r.code).toBe(3);
    const out = JSON.parse(r.out);
    expect(out.completeness.missing.map((m: { id: string }) => m.id)).toContain('VI.B.7');
    expect(out.completeness.missing.map((m: { id: string }) => m.id)).not.toContain('VI.B.4'); // recorded, as not done:
    expect(out.findings.map((f: { code: string }) => f.code)).toContain('time_out_not_performed');
  });

  it('the built CLI (dist/cli.cjs, built by npm test) prints the HTML page, exit 0', () => {
    const cli = new URL('../../dist/cli.cjs', import.meta.url).pathname;
    const fixture = new URL('../fixtures/records/localization-complete.json', import.meta.url).pathname;
    const r = spawnSync(process.execPath, [cli, 'report', fixture, '--html'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^<!DOCTYPE html>[\s\S]*Documentation complete: all 18 applicable items present[\s\S]*<\/html>\n$/);
    expect(r.stderr).toBe('');
  });
});
