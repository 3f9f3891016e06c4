/** JSON-in, JSON-out commands over the clinical records (no wasm engine needed). */
import type { Finding } from '../core/findings.js';
import { readInput, runRequests } from './io.js';
import type { Command } from './command.js';

export function recordsCommand<R extends { findings: readonly Finding[] }>(
  label: string, summary: string, compute: (request: unknown) => R, text: (r: R) => string,
): Command {
  return {
    summary,
    usage: `stereotax ${label} FILE|- [--text]`,
    async run({ file, text: asText, io }) {
      const input = await readInput(io, file);
      return runRequests<R>(input, { io, label, asText, compute, findings: (r) => r.findings, text });
    },
  };
}
