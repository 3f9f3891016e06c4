/**
 * The two shapes of a CLI command, in a file of their own so the commands (dicom, qa,
 * simulate, report, ...) and main.ts, which lists them, import these types without
 * importing each other.
 */
import type { KernelChoice } from '../engine/engine.js';
import type { ExitCode, Io } from './io.js';

export interface Command {
  summary: string;
  usage: string;
  /** maxInputBytes: the input cap (--max-input-mb, STEREOTAX_MAX_INPUT_MB, 64 MiB by default). */
  run(args: { file?: string; text: boolean; kernel: KernelChoice; io: Io; maxInputBytes?: number }): Promise<ExitCode>;
}

/**
 * A command with subcommands or flags of its own (simulate, qa, dicom, ...) takes
 * everything after its name and parses it itself, under the same exit-code contract.
 */
export interface ArgvCommand {
  summary: string;
  usage: string;
  runArgv(argv: string[], io: Io): Promise<ExitCode>;
}
