/** What a check found: errors make a plan unsafe (CLI exit 3), warnings and info inform. */
export type Severity = 'error' | 'warning' | 'info';

export interface Finding {
  /** Stable, for programs: e.g. `negative_stroke_margin`. */
  code: string;
  severity: Severity;
  /** For people: what was found, with its numbers, and what to do. */
  message: string;
  /** The input or result field it concerns, when there is one. */
  path?: string;
  /** The measured value (mm unless said otherwise). */
  value?: number;
  /** The limit it was compared with. */
  limit?: number;
}

export function hasError(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'error');
}

/** Rounds for messages only; results keep full precision. */
export function mm(x: number, digits = 1): string {
  return `${x.toFixed(digits)} mm`;
}

/** The findings as indented console lines, for the --text summaries. */
export function findingsText(findings: readonly Finding[]): string {
  if (!findings.length) return '  findings      none\n';
  return findings.map((x, i) => `  ${i === 0 ? 'findings' : '        '}      ${x.severity.toUpperCase().padEnd(7)} ${x.code}: ${x.message}\n`).join('');
}
