/**
 * `stereotax dicom FILE... --unit PROFILE.json [--text] [--sr OUT.dcm]`: a stereo set's
 * targets beside the console's (spec dicom.md), optionally written back as a DICOM SR.
 *
 * Exit status, highest precedence first (docs/dicom.md): 3 when any computed target
 * carries an error finding, whatever else failed (a wrapper must never miss a safety
 * finding); 1 when the report could not be written for a reason not the input's
 * (a full disk); 2 when a target or the report was refused as invalid input; else 0.
 */
import { closeSync, existsSync, fstatSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { StereotaxError } from '../core/errors.js';
import { loadEngine, type Engine, type KernelChoice } from '../engine/engine.js';
import { dicomText } from '../dicom/report.js';
import { dicomSecondOpinionWith, secondOpinionOfImages, type DicomElement } from '../dicom/stereo-set.js';
import { dicomDirFiles, groupStereoSets } from '../dicom/groups.js';
import { parseUnitProfile } from '../dicom/profile.js';
import type { ByteSource } from '../dicom/parse.js';
import { writeSecondOpinionSR } from '../dicom/sr-load.js';
import { readStereoViews, type DicomFile, type StereoImage } from '../dicom/read.js';
import { EXIT, errorElement, readInput, worst, type ErrorElement, type ExitCode, type Io } from './io.js';
import { escapeControls } from '../core/text.js';
import type { ArgvCommand } from './command.js';

const USAGE = 'stereotax dicom FILE...|FOLDER|DICOMDIR --unit PROFILE.json [--text] [--sr OUT.dcm|OUTFOLDER] [--kernel auto|simd|scalar]';


/** Errors of the machine, not of the input: exit 1. */
const SYSTEM_ERRORS = new Set(['ENOSPC', 'EDQUOT', 'EIO', 'EROFS', 'ENOMEM', 'EMFILE', 'ENFILE']);

/**
 * Writes the report beside its final name and renames it into place, so a folder a
 * PACS imports from never holds half a file; a failure leaves nothing behind.
 */
async function writeReport(path: string, bytes: Uint8Array): Promise<void> {
  const partial = `${path}.partial-${process.pid}`;
  try {
    await writeFile(partial, bytes);
    await rename(partial, path);
  } catch (err) {
    await rm(partial, { force: true }).catch(() => undefined);
    const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
    const e = new StereotaxError([{ code: 'invalid_value', path: 'sr', expected: 'a writable file', received: JSON.stringify(path),
      message: `--sr: cannot write ${path}: ${code}` }]);
    (e as StereotaxError & { system?: boolean }).system = SYSTEM_ERRORS.has(code);
    throw e;
  }
}

function usageError(message: string): never {
  throw new StereotaxError([{ code: 'missing_field', path: '', expected: USAGE, received: 'nothing', message: `${message}\nUsage: ${USAGE}` }]);
}

/** Bytes read from a file per read call: a header is read in a few of these, pixel data never. */
const WINDOW = 1 << 18;

/**
 * A file opened for its header: bytes are read on demand through a small window, so a
 * 1 GiB image costs its header's size, not its own (the parser skips Pixel Data).
 */
function openSource(name: string, index: number): DicomFile & { close(): void } {
  let fd: number;
  let size: number;
  try {
    fd = openSync(name, 'r');
    const st = fstatSync(fd);
    if (!st.isFile()) {
      closeSync(fd);
      throw Object.assign(new Error('not a regular file'), { code: st.isDirectory() ? 'EISDIR' : 'not a regular file' });
    }
    size = st.size;
  } catch (err) {
    throw new StereotaxError([{ code: 'invalid_value', path: `files[${index}]`, expected: 'a readable file', received: JSON.stringify(name),
      message: `cannot read ${name}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` }]);
  }
  let start = 0;
  let window = new Uint8Array(0);
  const read = (offset: number, length: number): Uint8Array => {
    if (offset >= start && offset + length <= start + window.length) return window.subarray(offset - start, offset - start + length);
    const n = Math.max(0, Math.min(Math.max(length, WINDOW), size - offset));
    const buf = new Uint8Array(n);
    let got = 0;
    try {
      while (got < n) {
        const k = readSync(fd, buf, got, n - got, offset + got);
        if (k === 0) break;
        got += k;
      }
    } catch (err) {
      throw new StereotaxError([{ code: 'invalid_value', path: `files[${index}]`, expected: 'a readable file', received: JSON.stringify(name),
        message: `cannot read ${name}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` }]);
    }
    start = offset;
    window = buf.subarray(0, got);
    return window.subarray(0, Math.min(length, got));
  };
  return { name, source: { size, read }, close: () => closeSync(fd) };
}

/** Exit status and stderr lines for one set's elements. */
function judge(elements: readonly DicomElement[], io: Io): ExitCode {
  let exit: ExitCode = EXIT.ok;
  for (const e of elements) {
    if ('error' in e) {
      exit = worst(exit, EXIT.invalid);
      io.stderr(`stereotax dicom: ${escapeControls(e.error.message)}\n`);
    } else if (e.findings.some((x) => x.severity === 'error')) exit = worst(exit, EXIT.unsafe);
  }
  return exit;
}

/** Writes one set's report; a failure is reported on stderr and returned as an exit status. */
async function report(path: string, images: readonly StereoImage[], elements: readonly DicomElement[], io: Io): Promise<ExitCode> {
  try {
    await writeReport(path, await writeSecondOpinionSR(images, elements));
    return EXIT.ok;
  } catch (err) {
    const { element, exit } = errorElement(err);
    io.stderr(`stereotax dicom: ${escapeControls(element.error.message)}\n`);
    return (err as { system?: boolean }).system ? EXIT.internal : exit;
  }
}

/** Folders are walked to this depth, and at most this many files read: an export, not a whole archive. */
const MAX_DEPTH = 16;
const MAX_FILES = 20_000;
const MEDIA_STORAGE_DIRECTORY = '1.2.840.10008.1.3.10';

function tooMany(): never {
  throw new StereotaxError([{ code: 'input_too_large', path: 'files', expected: `at most ${MAX_FILES} files`, received: `more than ${MAX_FILES}`,
    message: `more than ${MAX_FILES} files under the folders given: give one study's folder at a time` }]);
}

/** Regular files under a folder, sorted by name at every level; symbolic links to folders are not followed. */
async function walk(dir: string, depth: number, out: string[]): Promise<void> {
  if (depth > MAX_DEPTH) return;
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    throw new StereotaxError([{ code: 'invalid_value', path: 'files', expected: 'a readable folder', received: JSON.stringify(dir), message: `cannot read ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` }]);
  }
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const p = join(dir, e.name);
    if (e.isDirectory()) await walk(p, depth + 1, out);
    else if (e.isFile() || e.isSymbolicLink()) {
      if (out.length >= MAX_FILES) tooMany();
      out.push(p);
    }
  }
}

/** A DICOMDIR's referenced files, found as written or in lower case (media copied to case-sensitive disks). */
function dicomDirPaths(path: string): string[] {
  const f = openSource(path, 0);
  let ids: string[][];
  try {
    ids = dicomDirFiles(f);
  } finally {
    f.close();
  }
  const base = dirname(path);
  return ids.map((parts) => resolveFileId(base, parts));
}

/** A file ID's path, each component as written or else matched without case (media copied from ISO 9660 to a case-sensitive disk). */
function resolveFileId(base: string, parts: readonly string[]): string {
  let at = base;
  for (const part of parts) {
    const exact = join(at, part);
    if (existsSync(exact)) {
      at = exact;
      continue;
    }
    let match: string | undefined;
    try {
      match = readdirSync(at).find((n) => n.toUpperCase() === part.toUpperCase());
    } catch {
      match = undefined;
    }
    at = join(at, match ?? part);
  }
  return at;
}

const isDicomDir = (p: string) => basename(p).toUpperCase() === 'DICOMDIR';

interface Collected {
  /** Files to read, each with whether it came from a folder walk (then a non-DICOM file is skipped, not refused). */
  files: { path: string; walked: boolean }[];
}

async function collect(positionals: readonly string[]): Promise<Collected> {
  const files: Collected['files'] = [];
  for (const p of positionals) {
    let st;
    try {
      st = statSync(p);
    } catch (err) {
      throw new StereotaxError([{ code: 'invalid_value', path: 'files', expected: 'a readable file or folder', received: JSON.stringify(p), message: `cannot read ${p}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` }]);
    }
    if (st.isDirectory()) {
      const found: string[] = [];
      await walk(p, 0, found);
      // A folder holding a DICOMDIR is read through it, as media viewers do.
      const dir = found.find((f) => dirname(f) === p.replace(/\/+$/, '') && isDicomDir(f));
      if (dir) files.push(...dicomDirPaths(dir).map((path) => ({ path, walked: false })));
      else files.push(...found.map((path) => ({ path, walked: true })));
    } else if (isDicomDir(p)) files.push(...dicomDirPaths(p).map((path) => ({ path, walked: false })));
    else files.push({ path: p, walked: false });
    if (files.length > MAX_FILES) tooMany();
  }
  return { files };
}

interface SetElement {
  set: { studyInstanceUid: string | null; seriesInstanceUids: (string | null)[]; exposure: string; files: string[] };
  targets?: DicomElement[];
  error?: ErrorElement['error'];
  /** The Structured Report written for the set (with --sr). */
  sr?: string;
}

/**
 * `stereotax dicom FOLDER|DICOMDIR ...`: every stereotactic view found, grouped into
 * stereo sets (groups.ts), each computed; one element per set, in order of first file.
 */
async function runFolders(positionals: readonly string[], profile: unknown, engine: Engine, io: Io, sr: string | undefined, asText: boolean): Promise<ExitCode> {
  const { files } = await collect(positionals);
  const images: StereoImage[] = [];
  const out: SetElement[] = [];
  const skipped: string[] = [];
  let exit: ExitCode = EXIT.ok;
  for (const { path, walked } of files) {
    let f: ReturnType<typeof openSource> | undefined;
    try {
      f = openSource(path, 0);
      const src = (f as { source: ByteSource }).source;
      if (walked && (src.size < 132 || String.fromCharCode(...src.read(128, 4)) !== 'DICM')) {
        skipped.push(path);
        continue;
      }
      const views = readStereoViews(f, images.length);
      // Not a stereotactic view (a DICOMDIR, a report, a plain mammogram): left out, listed on stderr.
      if (views[0].identity.sopClassUid === MEDIA_STORAGE_DIRECTORY || views.every((v) => v.angle === undefined && !v.targets)) {
        skipped.push(path);
        continue;
      }
      images.push(...views);
    } catch (err) {
      if (!(err instanceof StereotaxError)) throw err;
      exit = worst(exit, EXIT.invalid);
      io.stderr(`stereotax dicom: ${escapeControls(err.message)}\n`);
      out.push({ set: { studyInstanceUid: null, seriesInstanceUids: [], exposure: '', files: [path] }, error: errorElement(err).element.error });
    } finally {
      f?.close();
    }
  }
  if (skipped.length) io.stderr(`stereotax dicom: ${skipped.length} file${skipped.length > 1 ? 's are' : ' is'} not a stereotactic view, left out: ${skipped.map(escapeControls).join(', ')}\n`);
  if (sr !== undefined) await mkdir(sr, { recursive: true }).catch(() => undefined);
  const groups = groupStereoSets(images);
  for (const [k, g] of groups.entries()) {
    const set = { studyInstanceUid: g.studyInstanceUid, seriesInstanceUids: g.seriesInstanceUids, exposure: g.exposure, files: g.images.map((i) => i.name) };
    try {
      const { elements } = secondOpinionOfImages(engine, g.images, profile);
      exit = worst(exit, judge(elements, io));
      const el: SetElement = { set, targets: elements };
      if (sr !== undefined) {
        const path = join(sr, `stereotax-sr-${k + 1}.dcm`);
        const code = await report(path, g.images, elements, io);
        exit = worst(exit, code);
        if (code === EXIT.ok) el.sr = path;
      }
      out.push(el);
    } catch (err) {
      if (!(err instanceof StereotaxError)) throw err;
      exit = worst(exit, EXIT.invalid);
      io.stderr(`stereotax dicom: ${escapeControls(err.message)}\n`);
      out.push({ set, error: errorElement(err).element.error });
    }
  }
  if (!out.length) {
    throw new StereotaxError([{ code: 'missing_field', path: 'files', expected: 'stereotactic views (DICOM images with Positioner Primary Angle or a Biopsy Target Sequence)', received: `${files.length} files, none of them a view`,
      message: `${positionals.join(', ')}: no stereotactic view found (${files.length} file${files.length === 1 ? '' : 's'} read)` }]);
  }
  io.stdout(asText
    ? out.map((e, k) => `Set ${k + 1}: ${e.set.exposure || 'no exposure kind'}, study ${e.set.studyInstanceUid ?? '(none)'}, files ${e.set.files.join(', ')}\n` +
      (e.targets ? dicomText(e.targets) : `  error: ${e.error!.message}\n`)).join('\n')
    : JSON.stringify(out, null, 2) + '\n');
  return exit;
}

export const dicom: ArgvCommand = {
  summary: 'a DICOM stereo set (files, folders or a DICOMDIR): every marked target computed and set beside the console\'s stored one',
  usage: USAGE,
  async runArgv(argv, io): Promise<ExitCode> {
    let parsed;
    try {
      parsed = parseArgs({ args: argv, allowPositionals: true, options: { unit: { type: 'string' }, text: { type: 'boolean' }, sr: { type: 'string' }, kernel: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
    } catch (err) {
      usageError((err as Error).message);
    }
    const { values, positionals } = parsed;
    if (values.help) {
      io.stdout(`Usage: ${USAGE}\nEach Target UID marked on two or more files is computed and set beside the console's Calculated Target Position (spec dicom.md).\n` +
        'A FOLDER (walked) or a DICOMDIR: the views found are grouped into stereo sets by study, series and exposure, each computed (docs/dicom.md).\n' +
        '--sr OUT.dcm also writes the second opinion as a DICOM Comprehensive SR a PACS can store; with folders, OUT is a folder, one report per set.\n' +
        'Exit status: 3 when any computed target has an error finding (whatever else failed); 1 when a report cannot be written (disk full); 2 invalid input; 0 otherwise.\n');
      return EXIT.ok;
    }
    if (!values.unit) usageError('--unit PROFILE.json is required: the unit profile says what DICOM does not carry');
    if (positionals.length === 0) usageError('no DICOM files given');
    const kernel = (values.kernel ?? 'auto') as KernelChoice;
    if (!['auto', 'simd', 'scalar'].includes(kernel)) usageError(`--kernel: expected auto, simd or scalar, received ${JSON.stringify(kernel)}`);
    const profile = await readInput(io, values.unit);
    parseUnitProfile(profile);
    const engine = await loadEngine({ kernel });
    if (positionals.some((p) => isDicomDir(p) || (existsSync(p) && statSync(p).isDirectory()))) {
      return runFolders(positionals, profile, engine, io, values.sr, !!values.text);
    }
    const files: ReturnType<typeof openSource>[] = [];
    let opinion;
    try {
      positionals.forEach((name, i) => files.push(openSource(name, i)));
      opinion = dicomSecondOpinionWith(engine, files, profile);
    } finally {
      for (const f of files) f.close();
    }
    const { images, elements } = opinion;
    let exit = judge(elements, io);
    if (values.sr !== undefined) exit = worst(exit, await report(values.sr, images, elements, io));
    io.stdout(values.text ? dicomText(elements) : JSON.stringify(elements, null, 2) + '\n');
    return exit;
  },
};
