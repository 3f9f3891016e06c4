/**
 * `stereotax qa images FILE... --unit PROFILE.json --phantom ID|FILE [--calibrate]
 * [--session FILE] [--db D] [--report out.html] [--pdf out.pdf] [--text]`
 * (qa-images.md section 2): the QA session from the images themselves.
 */
import { readFile, stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { StereotaxError, makeIssue } from '../core/errors.js';
import { parseJson } from '../core/validate.js';
import { reportContent, reportHtml } from '../qa/report.js';
import { reportPdf } from '../qa/pdf.js';
import { QAStore, writeAtomic } from '../qa/store.js';
import { nodeCodecs } from '../qa-images/codecs-node.js';
import { analyseImages, imagesPassed } from '../qa-images/result.js';
import { qaImagesText } from '../qa-images/text.js';
import { EXIT, type ExitCode, type Io } from './io.js';

export const QA_IMAGES_USAGE = `Usage:
  stereotax qa images FILE... --unit PROFILE.json --phantom ID|FILE [--calibrate] [--session FILE]
                      [--db D] [--report out.html] [--pdf out.pdf] [--text] [--kernel auto|simd|scalar]
`;

function invalid(path: string, expected: string, received: unknown, message: string): StereotaxError {
  return new StereotaxError([{ ...makeIssue('invalid_value', [], expected, received, message), path, message }]);
}

async function readBytes(path: string, what: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (err) {
    throw invalid(what, 'a readable file', path, `${what}: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

async function readJson(path: string, what: string): Promise<unknown> {
  return parseJson(new TextDecoder().decode(await readBytes(path, what)), path);
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

export async function qaImages(argv: string[], io: Io): Promise<ExitCode> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv, allowPositionals: true, strict: true,
      options: {
        unit: { type: 'string' }, phantom: { type: 'string' }, calibrate: { type: 'boolean' }, session: { type: 'string' },
        db: { type: 'string' }, report: { type: 'string' }, pdf: { type: 'string' }, text: { type: 'boolean' }, kernel: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw invalid('argv', 'options as in the usage', argv.join(' '), `${(err as Error).message}\n${QA_IMAGES_USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(QA_IMAGES_USAGE);
    return EXIT.ok;
  }
  for (const k of ['unit', 'phantom'] as const) {
    if (!values[k]) throw new StereotaxError([{ ...makeIssue('missing_field', [], `--${k}`, undefined), path: `--${k}`, message: `--${k} is required\n${QA_IMAGES_USAGE}` }]);
  }
  const kernel = values.kernel ?? 'auto';
  if (kernel !== 'auto' && kernel !== 'simd' && kernel !== 'scalar') throw invalid('--kernel', 'auto, simd or scalar', kernel, `--kernel: expected auto, simd or scalar, received ${JSON.stringify(kernel)}`);
  const unit = await readJson(values.unit!, '--unit');
  const phantom = (await isFile(values.phantom!)) ? await readJson(values.phantom!, '--phantom') : values.phantom!;
  const session = values.session ? await readJson(values.session, '--session') : undefined;
  const files = [];
  for (const p of positionals) files.push({ name: p, bytes: await readBytes(p, p) });
  const db = values.db;
  // The store is opened and checked before anything is computed; nothing is stored unless the analysis completed.
  const store = db ? await QAStore.open(db, { write: true, create: true }) : undefined;
  try {
    const { result, session: s } = await analyseImages(files, { unit, phantom, calibrate: values.calibrate ?? false, session, codecs: nodeCodecs() }, { kernel });
    const unsure = result.findings.find((f) => f.code === 'unit_unidentified' || f.code === 'date_assumed');
    if (store && unsure) {
      throw new StereotaxError([{ ...makeIssue('missing_field', [], unsure.code === 'unit_unidentified' ? 'the unit id' : 'the session date', undefined), path: unsure.path ?? '',
        message: `--db: nothing stored: ${unsure.message}` }]);
    }
    if (store && s && result.qa) {
      await store.addSession(s, result.qa);
    }
    if ((values.report || values.pdf) && s && result.qa) {
      const history = store ? await store.sessions(s.unit.id) : undefined;
      const content = await reportContent(result.qa, { phantom: s.phantom, history });
      if (values.report) await writeAtomic(values.report, new TextEncoder().encode(reportHtml(content)));
      if (values.pdf) await writeAtomic(values.pdf, await reportPdf(content));
    }
    await io.stdout(values.text ? qaImagesText(result) : JSON.stringify(result, null, 2) + '\n');
    return imagesPassed(result) ? EXIT.ok : EXIT.unsafe;
  } finally {
    await store?.close();
  }
}
