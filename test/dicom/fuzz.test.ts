// DICOM fuzz suite (issue 20 item 6): seeded truncations and mutations of valid stereo
// sets (explicit, implicit, undefined-length sequences, deflated). Every outcome must be a
// result with finite numbers or a StereotaxError whose every message names the file;
// never another throw. A sample goes through the CLI: exit 0, 2 or 3, never 1.
// STEREOTAX_FUZZ_SEED picks another seed.
import { deflateRawSync } from 'node:zlib';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { StereotaxError } from '../../src/core/errors.js';
import { loadEngine, type Engine } from '../../src/engine/engine.js';
import { dicomTargetsWith } from '../../src/dicom/stereo-set.js';
import { runCli } from '../helpers/fake-io.js';
import { baseSpec, makeSet, multiFrame, viewsOf, type SetSpec } from '../helpers/stereo-set.js';
import { dicomDir } from '../helpers/dicom-writer.js';
import { dicomDirFiles } from '../../src/dicom/groups.js';
import { seeded } from '../helpers/random.js';

const SEED = Number(process.env.STEREOTAX_FUZZ_SEED ?? 20_2026);

let engine: Engine;
beforeAll(async () => {
  engine = await loadEngine();
});

const deflate = (b: Uint8Array) => new Uint8Array(deflateRawSync(b));
const SETS: [string, SetSpec][] = [
  ['explicit VR, defined lengths', baseSpec()],
  ['explicit VR, undefined-length sequences', baseSpec({ undefinedLength: true })],
  ['implicit VR, undefined-length sequences, three views', baseSpec({ implicit: true, undefinedLength: true, angles: [0, 15, -15] })],
  ['implicit VR, defined lengths', baseSpec({ implicit: true })],
  ['deflated explicit VR', baseSpec({ deflate })],
];

function finiteEverywhere(x: unknown, path = ''): void {
  if (typeof x === 'number') {
    if (!Number.isFinite(x)) throw new Error(`non-finite number at ${path}`);
  } else if (Array.isArray(x)) x.forEach((v, i) => finiteEverywhere(v, `${path}[${i}]`));
  else if (x && typeof x === 'object') for (const [k, v] of Object.entries(x)) finiteEverywhere(v, `${path}.${k}`);
}

type Outcome = 'computed' | string;

/** One mutated set through the library: a result or a typed error naming the damaged file. */
function outcome(files: { name: string; bytes: Uint8Array }[], profile: unknown, damaged: string): Outcome {
  try {
    const out = dicomTargetsWith(engine, files, profile);
    finiteEverywhere(out);
    return 'computed';
  } catch (err) {
    if (!(err instanceof StereotaxError)) {
      throw new Error(`untyped throw (${(err as Error)?.constructor?.name}): ${(err as Error)?.message ?? String(err)}`);
    }
    for (const issue of err.issues) {
      // The damaged file is named, or (a healthy file compared with it) the healthy one and the damaged one.
      expect(issue.message, issue.message).toMatch(/view\d_-?\d+\.dcm/);
      expect(typeof issue.code).toBe('string');
    }
    if (err.issues.some((i) => i.message.includes(damaged))) return err.issues[0].code;
    return `other:${err.issues[0].code}`;
  }
}

describe('truncated anywhere: a typed error naming the file', () => {
  for (const [what, spec] of SETS) {
    it(`${what}: every prefix of the second file`, () => {
      const set = makeSet(spec);
      const full = set.files[1].bytes;
      const whole = new Map(dicomTargetsWith(engine, set.files, set.profile).map((e) => [`${e.dicom.targetUid} ${e.dicom.files.join()}`, JSON.stringify(e)]));
      let computed = 0;
      for (let n = 0; n < full.length; n++) {
        const files = set.files.map((f, k) => (k === 1 ? { ...f, bytes: full.slice(0, n) } : f));
        const o = outcome(files, set.profile, set.files[1].name);
        if (o !== 'computed') continue;
        // Every length is checked, so a cut inside an element, an item or a sequence is refused. A cut
        // exactly between two top-level elements is a valid header without Pixel Data (the pixels are
        // never needed): it computes from the marks still there, and a target from the same files
        // is exactly the whole file's.
        computed++;
        for (const e of dicomTargetsWith(engine, files, set.profile)) {
          const same = whole.get(`${e.dicom.targetUid} ${e.dicom.files.join()}`);
          if ('error' in e) expect(e.error.code, `cut at ${n}`).toBe('too_few_items');
          else if (same) expect(JSON.stringify(e), `cut at ${n} of ${full.length}`).toBe(same);
          else expect(e.dicom.files, `cut at ${n}`).not.toContain(set.files[1].name);
        }
      }
      expect(computed).toBeLessThan(12);
    });
  }
});

describe('mutated bytes, lengths and VRs: typed errors only', () => {
  for (const [what, spec] of SETS) {
    it(`${what}: 800 seeded mutations of the second file`, () => {
      const r = seeded(SEED + what.length);
      const set = makeSet(spec);
      const full = set.files[1].bytes;
      let computed = 0;
      for (let i = 0; i < 800; i++) {
        const b = full.slice();
        const kind = r.int(5);
        const at = 128 + r.int(b.length - 128);
        if (kind === 0) b[at] = r.int(256); // garbage in one byte
        else if (kind === 1) for (let k = 0; k < 8 && at + k < b.length; k++) b[at + k] = r.int(256); // a run of garbage
        else if (kind === 2) { // a length field (2 or 4 bytes) set to a boundary value
          const v = [0, 1, 0xffff, 0xfffe, 0x7fff, 0xffffffff, 0x80000000, b.length][r.int(8)];
          const dv = new DataView(b.buffer);
          if (at + 4 <= b.length && r.int(2)) dv.setUint32(at, v >>> 0, true);
          else if (at + 2 <= b.length) dv.setUint16(at, v & 0xffff, true);
        } else if (kind === 3) { // a VR's letters replaced (explicit VR files) or swapped for another VR
          const vrs = ['SQ', 'UN', 'OB', 'DS', 'FL', 'UT', 'zz', '\0\0', 'LO'];
          const v = vrs[r.int(vrs.length)];
          b[at] = v.charCodeAt(0);
          if (at + 1 < b.length) b[at + 1] = v.charCodeAt(1);
        } else { // delete or duplicate a slice
          const len = 1 + r.int(16);
          const cut = r.int(2) ? [...b.slice(0, at), ...b.slice(at + len)] : [...b.slice(0, at), ...b.slice(at, at + len), ...b.slice(at)];
          const files = set.files.map((f, k) => (k === 1 ? { ...f, bytes: Uint8Array.from(cut) } : f));
          if (outcome(files, set.profile, set.files[1].name) === 'computed') computed++;
          continue;
        }
        const files = set.files.map((f, k) => (k === 1 ? { ...f, bytes: b } : f));
        if (outcome(files, set.profile, set.files[1].name) === 'computed') computed++;
      }
      // Garbage in the pixel data or in a value not read still computes: the fuzz reaches both sides.
      expect(computed).toBeGreaterThan(0);
      expect(computed).toBeLessThan(800);
    });
  }
});

/** Every `step`-th prefix of a file and 800 seeded mutations of 1 to 4 bytes after the preamble. */
function damaged(full: Uint8Array, seed: number, step = 1): Uint8Array[] {
  const r = seeded(seed);
  const cases: Uint8Array[] = [];
  for (let n = 0; n < full.length; n += step) cases.push(full.slice(0, n));
  for (let i = 0; i < 800; i++) {
    const b = full.slice();
    for (let k = 0; k < 1 + r.int(4); k++) b[128 + r.int(b.length - 128)] = r.int(256);
    cases.push(b);
  }
  return cases;
}

describe('multi-frame files and DICOMDIRs: typed errors only', () => {
  it('a Breast Projection X-Ray of three frames: every prefix and 800 mutations', () => {
    const spec = baseSpec({ angles: [0, 15, -15] });
    const profile = makeSet(spec).profile;
    for (const implicit of [false, true]) {
      for (const bytes of damaged(multiFrame(viewsOf(spec), { implicit }), SEED + (implicit ? 1 : 2), 3)) {
        try {
          finiteEverywhere(dicomTargetsWith(engine, [{ name: 'view0_0.dcm', bytes }], profile));
        } catch (err) {
          if (!(err instanceof StereotaxError)) throw new Error(`untyped throw: ${(err as Error)?.message ?? String(err)}`);
          for (const issue of err.issues) expect(issue.message).toContain('view0_0.dcm');
        }
      }
    }
  });

  it('a DICOMDIR: every prefix and 800 mutations give file IDs or a typed error naming it', () => {
    for (const bytes of damaged(dicomDir([['DICOM', 'ST1', 'IM0'], ['DICOM', 'ST1', 'IM1']]), SEED + 3)) {
      try {
        for (const id of dicomDirFiles({ name: 'DICOMDIR', bytes })) expect(id.every((p) => p !== '..' && !p.includes('/'))).toBe(true);
      } catch (err) {
        if (!(err instanceof StereotaxError)) throw new Error(`untyped throw: ${(err as Error)?.message ?? String(err)}`);
        expect(err.message).toContain('DICOMDIR');
      }
    }
  });
});

describe('through the CLI: exit 0, 2 or 3, never 1; the file named', () => {
  it('a seeded sample of truncations and mutations', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stereotax-dicom-fuzz-'));
    const r = seeded(SEED);
    const set = makeSet(baseSpec({ undefinedLength: true }));
    const good = join(dir, set.files[0].name);
    writeFileSync(good, set.files[0].bytes);
    const profile = join(dir, 'unit.json');
    writeFileSync(profile, JSON.stringify(set.profile));
    const full = set.files[1].bytes;
    for (let i = 0; i < 60; i++) {
      const b = i % 2 ? full.slice(0, r.int(full.length)) : full.slice();
      if (i % 2 === 0) for (let k = 0; k < 4; k++) b[128 + r.int(b.length - 128)] = r.int(256);
      const path = join(dir, `view1_-15.dcm`);
      writeFileSync(path, b);
      const res = await runCli(['dicom', good, path, '--unit', profile]);
      expect([0, 2, 3], res.err).toContain(res.code);
      expect(res.err).not.toMatch(/internal error|TypeError|RangeError|at .*\.ts:/);
      // The damaged file, or (its targets lost: a tag garbled, a cut between elements) the other one, marked alone.
      if (res.code === 2) expect(res.err).toMatch(/view1_-15\.dcm|view0_15\.dcm: \(0018,2042\) TargetUID .* marked on this file only/);
    }
  });
});
