/**
 * Text shown to people (the --text summaries, messages on stderr) must not carry
 * terminal controls: a name such as "\r\u001b[2K  findings      none" would overwrite
 * or hide a line. Every C0 and C1 control, DEL, the line and paragraph separators
 * and the bidirectional overrides and isolates are written as escapes (\n, \r, \t,
 * \uXXXX), so what is printed is what was received, visibly.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const UNSAFE_ALL = new RegExp(UNSAFE.source, 'g');

function escapeOne(ch: string): string {
  if (ch === '\n') return '\\n';
  if (ch === '\r') return '\\r';
  if (ch === '\t') return '\\t';
  return `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** The string with every control and bidi override written as an escape. */
export function escapeControls(s: string): string {
  return UNSAFE.test(s) ? s.replace(UNSAFE_ALL, escapeOne) : s;
}

/** A copy of a result with every string in it (keys too) passed through escapeControls. */
export function escapeStrings<T>(value: T, depth = 0): T {
  if (typeof value === 'string') return escapeControls(value) as T;
  if (value === null || typeof value !== 'object' || depth > 64) return value;
  if (Array.isArray(value)) return value.map((v) => escapeStrings(v, depth + 1)) as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (k !== '__proto__') out[escapeControls(k)] = escapeStrings(v, depth + 1);
  return out as T;
}
