/** `stereotax COMMAND [FILE|-] [options]`: thin commands over the library. */
import { parseArgs } from 'node:util';
import { loadEngine, type Engine } from '../engine/engine.js';
import type { Finding } from '../core/findings.js';
import { targetingText } from '../targeting/report.js';
import { computeTargeting, parseTargetingRequest, type TargetingResult } from '../targeting/targeting.js';
import { DEMO_REQUEST } from './demo-request.js';
import { computeMargins, parseMarginsRequest, type MarginsResult } from '../margins/margins.js';
import { marginsText } from '../margins/report.js';
import { computePlan, parsePlanRequest, type PlanResult } from '../plan/plan.js';
import { planText } from '../plan/report.js';
import { qa } from './qa.js';
import { dicom } from './dicom.js';
import { simulateCommand } from './simulate.js';
import { EXIT, OutputError, defaultMaxInputBytes, errorElement, processIo, readInput, runRequests, worst, type ExitCode, type Io } from './io.js';
import { escapeControls } from '../core/text.js';
import { RECORDS_COMMANDS } from './report.js';
import type { ArgvCommand, Command } from './command.js';

export type { ArgvCommand, Command } from './command.js';

/** A JSON-in, JSON-out command over one domain's parse and compute (spec section 6). */
function jsonCommand<R extends { findings: readonly Finding[] }>(
  label: string, summary: string, compute: (engine: Engine, request: unknown) => R, text: (r: R) => string,
): Command {
  return {
    summary,
    usage: `stereotax ${label} FILE|- [--text] [--kernel auto|simd|scalar] [--max-input-mb N]`,
    async run({ file, text: asText, kernel, io, maxInputBytes }) {
      const input = await readInput(io, file, maxInputBytes);
      const engine = await loadEngine({ kernel });
      return runRequests<R>(input, { io, label, asText, compute: (req) => compute(engine, req), findings: (r) => r.findings, text });
    },
  };
}

const target = jsonCommand<TargetingResult>('target', 'triangulate a lesion from two or more views; check the needle (JSON in, JSON out)',
  (engine, req) => computeTargeting(engine, parseTargetingRequest(req)), targetingText);

const demo: Command = {
  summary: 'run `target` on an embedded default (typical unit, +/-15 pair) and print a summary',
  usage: 'stereotax demo [--json]',
  async run({ text, kernel, io }) {
    const engine = await loadEngine({ kernel });
    const r = computeTargeting(engine, parseTargetingRequest(DEMO_REQUEST));
    if (text) {
      io.stdout(targetingText(r));
      io.stdout(`\n(kernel: ${engine.kernel}; the request is src/cli/demo-request.ts; --json prints the JSON result)\n`);
    } else io.stdout(JSON.stringify(r, null, 2) + '\n');
    return r.findings.some((f) => f.severity === 'error') ? EXIT.unsafe : EXIT.ok;
  },
};

const margins = jsonCommand<MarginsResult>('margins', 'specimen margins: lesion to each named surface, status by histology, markers inside or out',
  (engine, req) => computeMargins(engine, parseMarginsRequest(req)), marginsText);

const plan = jsonCommand<PlanResult>('plan', 'needle and localization planning: checks, mitigations, device catalog, post-placement',
  (engine, req) => computePlan(engine, parsePlanRequest(req)), planText);

/** Commands by name; each domain adds its own (one line here, the command in its own file). */
export const COMMANDS: Record<string, Command | ArgvCommand> = { target, plan, margins, demo, dicom, qa, simulate: simulateCommand };
Object.assign(COMMANDS, RECORDS_COMMANDS); // report, coding, appropriateness, mri-grid, ultrasound, axillary

function help(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((k) => k.length));
  return [
    'stereotax: stereotactic targeting for breast biopsy and localization (mm, degrees)',
    '',
    'Usage: stereotax COMMAND FILE|- [options]',
    '',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    'Options: --text (readable summary instead of JSON), --json, --kernel auto|simd|scalar, --max-input-mb N (default 64,',
    '         or STEREOTAX_MAX_INPUT_MB), --help, --version',
    'Exit status: 0 computed, no error finding; 3 an error finding was computed (whatever else failed); 2 invalid input;',
    '             1 anything else (engine, I/O: a closed pipe or a full disk, a signal: 128 + its number).',
    '',
  ].join('\n');
}

export async function main(argv: string[], io: Io = processIo, version = '0.0.0'): Promise<ExitCode> {
  const own = argv.length && Object.prototype.hasOwnProperty.call(COMMANDS, argv[0]) ? COMMANDS[argv[0]] : undefined;
  if (own && 'runArgv' in own) {
    try {
      return await own.runArgv(argv.slice(1), io);
    } catch (err) {
      return reportFailure(err, argv[0], io);
    }
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        text: { type: 'boolean' },
        json: { type: 'boolean' },
        kernel: { type: 'string' },
        'max-input-mb': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (err) {
    io.stderr(`stereotax: ${escapeControls((err as Error).message)}\n${help()}`);
    return EXIT.invalid;
  }
  const { values, positionals } = parsed;
  if (values.version) {
    io.stdout(`${version}\n`);
    return EXIT.ok;
  }
  const [name, file, ...extra] = positionals;
  if (values.help || !name) {
    (name || values.help ? io.stdout : io.stderr)(help());
    return values.help ? EXIT.ok : EXIT.invalid;
  }
  const command = Object.prototype.hasOwnProperty.call(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command || 'runArgv' in command) {
    io.stderr(`stereotax: unknown command ${escapeControls(JSON.stringify(name))}\n${help()}`);
    return EXIT.invalid;
  }
  if (extra.length) {
    io.stderr(`stereotax ${name}: unexpected argument ${escapeControls(JSON.stringify(extra[0]))}\nUsage: ${command.usage}\n`);
    return EXIT.invalid;
  }
  const kernel = values.kernel ?? 'auto';
  if (kernel !== 'auto' && kernel !== 'simd' && kernel !== 'scalar') {
    io.stderr(`stereotax: --kernel: expected auto, simd or scalar, received ${escapeControls(JSON.stringify(kernel))}\n`);
    return EXIT.invalid;
  }
  let maxInputBytes = defaultMaxInputBytes();
  const cap = values['max-input-mb'];
  if (cap !== undefined) {
    const mb = Number(cap);
    if (!(cap.trim() !== '' && mb > 0 && mb <= 1_048_576)) {
      io.stderr(`stereotax: --max-input-mb: expected a number of MiB > 0 and <= 1048576, received ${escapeControls(JSON.stringify(cap))}\n`);
      return EXIT.invalid;
    }
    maxInputBytes = Math.floor(mb * 1024 * 1024);
  }
  // demo prints text unless --json; the JSON commands print JSON unless --text.
  const text = name === 'demo' ? !values.json : !!values.text;
  try {
    return await command.run({ file, text, kernel, io, maxInputBytes });
  } catch (err) {
    return reportFailure(err, name, io);
  }
}

/** A command that threw: one line on stderr; for invalid input the error element on stdout too (unless stdout is what failed). */
async function reportFailure(err: unknown, name: string, io: Io): Promise<ExitCode> {
  const { element, exit } = errorElement(err);
  if (err instanceof OutputError) err.reported = true;
  io.stderr(`stereotax ${escapeControls(name)}: ${escapeControls(element.error.message)}\n`);
  if (exit === EXIT.invalid) {
    try {
      await io.stdout(JSON.stringify(element, null, 2) + '\n');
    } catch {
      return worst(exit, EXIT.internal); // stdout failed too: the exit status says so
    }
  }
  return exit;
}
