/** `stereotax report FILE|- [--text | --html]`: the physician's report of a localization. */
import { parseArgs } from 'node:util';
import { StereotaxError } from '../core/errors.js';
import { procedureReport, reportHtml, reportText, type ProcedureReport } from '../records/report.js';
import { EXIT, readInput, runRequests } from './io.js';
import type { ArgvCommand } from './command.js';
import { appropriatenessCommand } from './appropriateness.js';
import { axillaryCommand } from './axillary.js';
import { codingCommand } from './coding.js';
import { mriGridCommand } from './mri-grid.js';
import { ultrasoundCommand } from './ultrasound.js';

const USAGE = 'stereotax report FILE|- [--text | --html]';

export const reportCommand: ArgvCommand = {
  summary: 'physician\'s report of a localization (JSON, --text or --html) with the ACR section VI completeness check',
  usage: USAGE,
  async runArgv(argv, io) {
    let parsed;
    try {
      parsed = parseArgs({ args: argv, allowPositionals: true, options: { text: { type: 'boolean' }, html: { type: 'boolean' }, json: { type: 'boolean' } } });
    } catch (err) {
      io.stderr(`stereotax report: ${(err as Error).message}\nUsage: ${USAGE}\n`);
      return EXIT.invalid;
    }
    const { values, positionals } = parsed;
    if (positionals.length > 1 || (values.text && values.html)) {
      io.stderr(`stereotax report: ${positionals.length > 1 ? `unexpected argument ${JSON.stringify(positionals[1])}` : 'choose --text or --html'}\nUsage: ${USAGE}\n`);
      return EXIT.invalid;
    }
    const input = await readInput(io, positionals[0]);
    if (values.html && Array.isArray(input)) {
      throw new StereotaxError([{ code: 'invalid_type', path: '', expected: 'one record (an HTML page holds one report)', received: `an array of ${input.length}`,
        message: '--html takes one record, not an array: run it once per record' }]);
    }
    const render = values.html ? reportHtml : reportText;
    return runRequests<ProcedureReport>(input, {
      io, label: 'report', asText: !!(values.text || values.html), compute: procedureReport, findings: (r) => r.findings, text: render,
    });
  },
};

/** The clinical-records commands, registered together in main.ts. */
export const RECORDS_COMMANDS = {
  report: reportCommand,
  coding: codingCommand,
  appropriateness: appropriatenessCommand,
  'mri-grid': mriGridCommand,
  ultrasound: ultrasoundCommand,
  axillary: axillaryCommand,
};
