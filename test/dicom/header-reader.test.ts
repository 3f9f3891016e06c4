// The header reader (src/dicom/parse.ts) on what consoles and PACS write: deflated data
// sets, encapsulated pixel data, private and UN elements, deep nesting, and a 1 GiB file
// read through the CLI's file handle without loading it (peak RSS measured).
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, writeFileSync, writeSync, ftruncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadEngine, type Engine } from '../../src/engine/engine.js';
import { dicomTargetsWith } from '../../src/dicom/stereo-set.js';
import { parseDicomFile, memorySource, DicomFormatError, MAX_NESTING } from '../../src/dicom/parse.js';
import { stereoDataset, writeDicom, type El } from '../helpers/dicom-writer.js';
import { baseSpec, makeSet } from '../helpers/stereo-set.js';

let engine: Engine;
beforeAll(async () => {
  engine = await loadEngine();
});

const deflate = (b: Uint8Array) => new Uint8Array(deflateRawSync(b));
const JPEG2000 = '1.2.840.10008.1.2.4.90';

/** The views of the base set with their data sets edited, written with the given options. */
function views(edit: (els: El[], k: number) => El[], opts: Parameters<typeof writeDicom>[1] = {}) {
  const set = makeSet(baseSpec());
  const files = set.files.map((f, k) => ({ name: f.name, bytes: writeDicom(edit(datasetOf(k), k), opts) }));
  return { files, profile: set.profile, reference: dicomTargetsWith(engine, set.files, set.profile) };
}

/** The data set makeSet writes for view k of the base spec (same marks: makeSet is deterministic). */
function datasetOf(k: number): El[] {
  let out: El[] = [];
  makeSet({ ...baseSpec(), edit: (v, j) => {
    if (j === k) out = stereoDataset(v);
    return v;
  } });
  return out;
}

const replacePixels = (els: El[], pixel: El) => [...els.filter((e) => !(e.tag[0] === 0x7fe0 && e.tag[1] === 0x0010)), pixel];

describe('what consoles and PACS write', () => {
  it('Deflated Explicit VR Little Endian: inflated, the same targets as explicit VR', () => {
    const { files, profile, reference } = views((els) => els, { deflate });
    expect(dicomTargetsWith(engine, files, profile)).toEqual(reference);
  });

  it('a deflated stream that does not inflate is a typed error naming the file', () => {
    const { files, profile } = views((els) => els, { deflate: (b) => { const d = deflate(b); d.fill(0xff, 4, 24); return d; } });
    expect(() => dicomTargetsWith(engine, files, profile)).toThrow(/view0_15\.dcm: .*(deflated data set does not inflate|truncated|malformed)/);
  });

  it('encapsulated pixel data (JPEG 2000): fragments skipped, targets the same; a cut fragment names (7FE0,0010)', () => {
    const pixel: El = { tag: [0x7fe0, 0x0010], vr: 'OB', value: new Uint8Array(0), fragments: [new Uint8Array(0), new Uint8Array(4000).fill(9), new Uint8Array(16).fill(1)] };
    const { files, profile, reference } = views((els) => replacePixels(els, pixel), { transferSyntax: JPEG2000 });
    expect(dicomTargetsWith(engine, files, profile)).toEqual(reference);
    const cut = files.map((f, k) => (k === 1 ? { ...f, bytes: f.bytes.slice(0, f.bytes.length - 20) } : f));
    expect(() => dicomTargetsWith(engine, cut, profile)).toThrow(/view1_-15\.dcm: \(7FE0,0010\) PixelData truncated/);
    const noDelimiter = files.map((f, k) => (k === 1 ? { ...f, bytes: f.bytes.slice(0, f.bytes.length - 8) } : f));
    expect(() => dicomTargetsWith(engine, noDelimiter, profile)).toThrow(/PixelData truncated: the encapsulated fragments end without a sequence delimiter/);
  });

  it('private elements, an undefined-length UN (an implicit-VR sequence inside explicit VR) and a large private blob are read past', () => {
    const implicitItem = (() => {
      // One item of undefined length holding (0009,1001) LO in implicit VR, then the delimiters.
      const b: number[] = [];
      const u16 = (x: number) => b.push(x & 0xff, x >> 8);
      const u32 = (x: number) => { u16(x & 0xffff); u16(x >>> 16); };
      u16(0xfffe); u16(0xe000); u32(0xffffffff);
      u16(0x0009); u16(0x1001); u32(4); b.push(...new TextEncoder().encode('ABCD'));
      u16(0xfffe); u16(0xe00d); u32(0);
      u16(0xfffe); u16(0xe0dd); u32(0);
      return Uint8Array.from(b);
    })();
    const extra: El[] = [
      { tag: [0x0009, 0x0010], vr: 'LO', value: 'ACME 1.1' },
      { tag: [0x0009, 0x1002], vr: 'OB', value: new Uint8Array(200_000).fill(3) },
      { tag: [0x0009, 0x1003], vr: 'SQ', value: [[{ tag: [0x0009, 0x1004], vr: 'DS', value: '1.5' }]] },
    ];
    const { files, profile, reference } = views((els) => [...els, ...extra]);
    expect(dicomTargetsWith(engine, files, profile)).toEqual(reference);
    // The UN element written by hand: the writer's bytes up to Pixel Data, the UN, then Pixel Data.
    const base = writeDicom(datasetOf(1));
    const pixelAt = base.length - (12 + 32);
    const un = [0x11, 0x00, 0x01, 0x10, 0x55, 0x4e, 0, 0, 0xff, 0xff, 0xff, 0xff];
    const withUn = Uint8Array.from([...base.subarray(0, pixelAt), ...un, ...implicitItem, ...base.subarray(pixelAt)]);
    const parsed = parseDicomFile(memorySource(withUn));
    expect(parsed.dataSet.elements.x00111001.items?.[0].string('x00091001')).toBe('ABCD');
    expect(parsed.pixelData?.length).toBe(32);
  });

  it(`sequences nested ${MAX_NESTING} deep are read, one deeper refused`, () => {
    const nest = (n: number) => {
      let inner: El[] = [{ tag: [0x0009, 0x1001], vr: 'LO', value: 'x' }];
      for (let d = 0; d < n; d++) inner = [{ tag: [0x0009, 0x1003], vr: 'SQ', value: [inner] }];
      return writeDicom([...datasetOf(1), ...inner]);
    };
    expect(() => parseDicomFile(memorySource(nest(MAX_NESTING)))).not.toThrow();
    expect(() => parseDicomFile(memorySource(nest(MAX_NESTING + 1)))).toThrow(/nests sequences more than 24 deep/);
  });

  it(`sequences nested deeper than ${MAX_NESTING} are refused, typed, not a stack overflow`, () => {
    let inner: El[] = [{ tag: [0x0009, 0x1001], vr: 'LO', value: 'x' }];
    for (let d = 0; d < MAX_NESTING + 2; d++) inner = [{ tag: [0x0009, 0x1003], vr: 'SQ', value: [inner] }];
    for (const undefinedLength of [false, true]) {
      const bytes = writeDicom([...datasetOf(1), ...inner], { undefinedLength });
      expect(() => parseDicomFile(memorySource(bytes))).toThrow(DicomFormatError);
      expect(() => parseDicomFile(memorySource(bytes))).toThrow(/nests sequences more than 24 deep/);
    }
  });

  it('a value representation that is not one names the tag and offset', () => {
    const b = writeDicom(datasetOf(1));
    const at = b.findIndex((_, i) => b[i] === 0x18 && b[i + 1] === 0x00 && b[i + 2] === 0x10 && b[i + 3] === 0x15); // (0018,1510)
    b[at + 4] = 0x7a;
    expect(() => parseDicomFile(memorySource(b))).toThrow(new RegExp(`\\(0018,1510\\) at offset ${at} has no valid value representation \\("zS"\\)`));
  });
});

describe('decimal strings (DS) as PS3.5 defines them', () => {
  for (const bad of ['0x10', 'Infinity', '1e400', '15deg', '1,5', '--1', '.']) {
    it(`an angle of ${JSON.stringify(bad)} is refused naming (0018,1510)`, () => {
      const { files, profile } = views((els, k) => (k === 1 ? [...els.filter((e) => !(e.tag[0] === 0x0018 && e.tag[1] === 0x1510)), { tag: [0x0018, 0x1510], vr: 'DS', value: bad }] : els));
      expect(() => dicomTargetsWith(engine, files, profile)).toThrow(/view1_-15\.dcm: \(0018,1510\) PositionerPrimaryAngle value 1 is not a number/);
    });
  }
  it('padded, signed and exponent forms are read', () => {
    const { files, profile, reference } = views((els, k) => (k === 1 ? [...els.filter((e) => !(e.tag[0] === 0x0018 && e.tag[1] === 0x1510)), { tag: [0x0018, 0x1510], vr: 'DS', value: ' -1.5E1 ' }] : els));
    expect(dicomTargetsWith(engine, files, profile)).toEqual(reference);
  });
});

describe('a 1 GiB file: the header read, the pixels never', () => {
  const cli = join(process.cwd(), 'dist/cli.cjs');
  it.skipIf(!existsSync(cli))('through the CLI (a sparse file): the same targets, peak RSS far below the file size', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stereotax-big-'));
    const set = makeSet(baseSpec());
    const small = join(dir, set.files[0].name);
    writeFileSync(small, set.files[0].bytes);
    const profile = join(dir, 'unit.json');
    writeFileSync(profile, JSON.stringify(set.profile));
    // The second view with its Pixel Data declared 1 GiB long: the header as written, then a hole.
    const bytes = set.files[1].bytes;
    const header = bytes.slice(0, bytes.length - 32);
    const GiB = 1 << 30;
    new DataView(header.buffer).setUint32(header.length - 4, GiB, true);
    const big = join(dir, 'view1_-15.dcm');
    const fd = openSync(big, 'w');
    writeSync(fd, header);
    ftruncateSync(fd, header.length + GiB);
    closeSync(fd);
    const r = spawnSync('/usr/bin/time', ['-f', 'maxrss_kb=%M', process.execPath, cli, 'dicom', small, big, '--unit', profile], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const rss = Number(/maxrss_kb=(\d+)/.exec(r.stderr)?.[1]) * 1024;
    console.log(`1 GiB file through the CLI: peak RSS ${(rss / 1024 / 1024).toFixed(0)} MiB`);
    // Node and the engine take about 100 MiB; loading the file would take more than 1 GiB.
    expect(rss).toBeLessThan(400 * 1024 * 1024);
    const out = JSON.parse(r.stdout);
    const reference = dicomTargetsWith(engine, set.files, set.profile);
    expect(out.map((e: { target: unknown }) => e.target)).toEqual(reference.map((e) => ('target' in e ? e.target : null)));
  });
});
