import { main } from './main.js';
import { EXIT, OutputError, noteOutputFailure, outputFailure, worst, type ExitCode } from './io.js';

declare const __STEREOTAX_VERSION__: string;

/**
 * Exit status, whatever happens (docs/embedding.md, "Exit status"): 3 whenever an error finding
 * was computed; standard output that fails (a reader that stops early: EPIPE; a full disk:
 * ENOSPC) or a signal that stops the process is never 0; and never a stack trace on a user's
 * terminal, only one line on stderr.
 */
let status: ExitCode = EXIT.ok;
const finish = (code: ExitCode) => {
  status = worst(status, code);
  process.exitCode = status;
};

// Stream errors arrive as events after write() returned: note them, the command stops at its next write.
process.stdout.on('error', (err) => {
  noteOutputFailure(err);
  finish(EXIT.internal);
});
// A failure no command reported (the last write's error came after the command returned): one line.
process.on('exit', () => {
  const failure = outputFailure();
  if (failure && !failure.reported) {
    failure.reported = true;
    try {
      process.stderr.write(`stereotax: ${failure.message}\n`);
    } catch {
      // stderr is gone too
    }
  }
});
process.stderr.on('error', () => finish(EXIT.internal));

// Stopped from outside (kill, a scheduler's time limit, a closed terminal): say so, exit 128 + signal.
for (const [signal, number] of [['SIGTERM', 15], ['SIGHUP', 1]] as const) {
  process.once(signal, () => {
    process.stderr.write(`stereotax: stopped by ${signal}; the output is incomplete\n`);
    process.exit(128 + number);
  });
}

// Last resort: never a stack trace to a user.
const lastResort = (err: unknown) => {
  const failure = err instanceof OutputError ? noteOutputFailure(err) : undefined;
  const message = (err as Error)?.message ?? String(err);
  try {
    if (!failure?.reported) process.stderr.write(`stereotax: ${failure ? '' : 'internal error: '}${message}\n`);
    if (failure) failure.reported = true;
  } catch {
    // stderr itself is gone: the exit status still says it.
  }
  process.exit(worst(status, EXIT.internal));
};
process.on('uncaughtException', lastResort);
process.on('unhandledRejection', lastResort);

main(process.argv.slice(2), undefined, typeof __STEREOTAX_VERSION__ === 'string' ? __STEREOTAX_VERSION__ : '0.0.0').then(
  (code) => finish(outputFailure() ? worst(code, EXIT.internal) : code),
  lastResort,
);
