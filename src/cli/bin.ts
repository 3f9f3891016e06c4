import { main } from './main.js';

declare const __STEREOTAX_VERSION__: string;

// A reader that stops early (`| head`) is not an error worth a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

main(process.argv.slice(2), undefined, typeof __STEREOTAX_VERSION__ === 'string' ? __STEREOTAX_VERSION__ : '0.0.0').then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    // Last resort: never a stack trace to a user.
    process.stderr.write(`stereotax: internal error: ${(err as Error)?.message ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
