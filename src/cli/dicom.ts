/** `stereotax dicom FILE... --unit PROFILE.json [--text]`: a stereo set's targets beside the console's (spec dicom.md). */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { StereotaxError } from '../core/errors.js';
import { loadEngine, type KernelChoice } from '../engine/engine.js';
import { dicomText } from '../dicom/report.js';
import { dicomTargetsWith, type DicomElement } from '../dicom/stereo-set.js';
import type { DicomFile } from '../dicom/read.js';
import { EXIT, readInput, worst, type ExitCode } from './io.js';
import type { ArgvCommand } from './command.js';

const USAGE = 'stereotax dicom FILE... --unit PROFILE.json [--text] [--kernel auto|simd|scalar]';

function usageError(message: string): never {
  throw new StereotaxError([{ code: 'missing_field', path: '', expected: USAGE, received: 'nothing', message: `${message}\nUsage: ${USAGE}` }]);
}

async function readBytes(name: string, index: number): Promise<DicomFile> {
  try {
    return { name, bytes: new Uint8Array(await readFile(name)) };
  } catch (err) {
    throw new StereotaxError([{ code: 'invalid_value', path: `files[${index}]`, expected: 'a readable file', received: JSON.stringify(name),
      message: `cannot read ${name}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` }]);
  }
}

export const dicom: ArgvCommand = {
  summary: 'a DICOM stereo set: every marked target computed and set beside the console\'s stored one',
  usage: USAGE,
  async runArgv(argv, io): Promise<ExitCode> {
    let parsed;
    try {
      parsed = parseArgs({ args: argv, allowPositionals: true, options: { unit: { type: 'string' }, text: { type: 'boolean' }, kernel: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
    } catch (err) {
      usageError((err as Error).message);
    }
    const { values, positionals } = parsed;
    if (values.help) {
      io.stdout(`Usage: ${USAGE}\nEach Target UID marked on two or more files is computed and set beside the console's Calculated Target Position (spec dicom.md).\n`);
      return EXIT.ok;
    }
    if (!values.unit) usageError('--unit PROFILE.json is required: the unit profile says what DICOM does not carry');
    if (positionals.length === 0) usageError('no DICOM files given');
    const kernel = (values.kernel ?? 'auto') as KernelChoice;
    if (!['auto', 'simd', 'scalar'].includes(kernel)) usageError(`--kernel: expected auto, simd or scalar, received ${JSON.stringify(kernel)}`);
    const profile = await readInput(io, values.unit);
    const files = await Promise.all(positionals.map(readBytes));
    const elements: DicomElement[] = dicomTargetsWith(await loadEngine({ kernel }), files, profile);
    let exit: ExitCode = EXIT.ok;
    for (const e of elements) {
      if ('error' in e) {
        exit = worst(exit, EXIT.invalid);
        io.stderr(`stereotax dicom: ${e.error.message}\n`);
      } else if (e.findings.some((x) => x.severity === 'error')) exit = worst(exit, EXIT.unsafe);
    }
    io.stdout(values.text ? dicomText(elements) : JSON.stringify(elements, null, 2) + '\n');
    return exit;
  },
};
