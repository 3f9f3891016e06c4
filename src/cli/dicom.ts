/**
 * `stereotax dicom FILE... --unit PROFILE.json [--text] [--sr OUT.dcm]`: a stereo set's
 * targets beside the console's (spec dicom.md), optionally written back as a DICOM SR.
 *
 * Exit status, highest precedence first (docs/dicom.md): 3 when any computed target
 * carries an error finding, whatever else failed (a wrapper must never miss a safety
 * finding); 1 when the report could not be written for a reason not the input's
 * (a full disk); 2 when a target or the report was refused as invalid input; else 0.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { StereotaxError } from '../core/errors.js';
import { loadEngine, type KernelChoice } from '../engine/engine.js';
import { dicomText } from '../dicom/report.js';
import { dicomSecondOpinionWith } from '../dicom/stereo-set.js';
import { writeSecondOpinionSR } from '../dicom/sr-load.js';
import type { DicomFile } from '../dicom/read.js';
import { EXIT, errorElement, readInput, type ExitCode } from './io.js';
import { escapeControls } from '../core/text.js';
import type { ArgvCommand } from './main.js';

const USAGE = 'stereotax dicom FILE... --unit PROFILE.json [--text] [--sr OUT.dcm] [--kernel auto|simd|scalar]';

/** The dicom command's precedence: a safety finding over a failed write over invalid input over success. */
const PRECEDENCE: Record<ExitCode, number> = { 0: 0, 2: 1, 1: 2, 3: 3 };
const higher = (a: ExitCode, b: ExitCode): ExitCode => (PRECEDENCE[a] >= PRECEDENCE[b] ? a : b);

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

export const dicom: ArgvCommand = {
  summary: 'a DICOM stereo set: every marked target computed and set beside the console\'s stored one',
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
        '--sr OUT.dcm also writes the second opinion as a DICOM Comprehensive SR a PACS can store (docs/dicom.md).\n' +
        'Exit status: 3 when any computed target has an error finding (whatever else failed); 1 when the report cannot be written (disk full); 2 invalid input; 0 otherwise.\n');
      return EXIT.ok;
    }
    if (!values.unit) usageError('--unit PROFILE.json is required: the unit profile says what DICOM does not carry');
    if (positionals.length === 0) usageError('no DICOM files given');
    const kernel = (values.kernel ?? 'auto') as KernelChoice;
    if (!['auto', 'simd', 'scalar'].includes(kernel)) usageError(`--kernel: expected auto, simd or scalar, received ${JSON.stringify(kernel)}`);
    const profile = await readInput(io, values.unit);
    const engine = await loadEngine({ kernel });
    const files: ReturnType<typeof openSource>[] = [];
    let opinion;
    try {
      positionals.forEach((name, i) => files.push(openSource(name, i)));
      opinion = dicomSecondOpinionWith(engine, files, profile);
    } finally {
      for (const f of files) f.close();
    }
    const { images, elements } = opinion;
    let exit: ExitCode = EXIT.ok;
    for (const e of elements) {
      if ('error' in e) {
        exit = higher(exit, EXIT.invalid);
        io.stderr(`stereotax dicom: ${escapeControls(e.error.message)}\n`);
      } else if (e.findings.some((x) => x.severity === 'error')) exit = higher(exit, EXIT.unsafe);
    }
    if (values.sr !== undefined) {
      try {
        await writeReport(values.sr, await writeSecondOpinionSR(images, elements));
      } catch (err) {
        const { element, exit: code } = errorElement(err);
        exit = higher(exit, (err as { system?: boolean }).system ? EXIT.internal : code);
        io.stderr(`stereotax dicom: ${escapeControls(element.error.message)}\n`);
      }
    }
    io.stdout(values.text ? dicomText(elements) : JSON.stringify(elements, null, 2) + '\n');
    return exit;
  },
};
