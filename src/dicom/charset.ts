/**
 * Text values (LO, PN, SH, ...) decoded as Specific Character Set (0008,0005) says
 * (PS3.3 C.12.1.1.2, PS3.5 6.1). Single-byte sets and UTF-8 map onto TextDecoder
 * labels; the ISO 2022 code-extension sets (an escape sequence switches the set inside
 * a value) are decoded by their first repertoire, which is what a reader that does not
 * implement ISO 2022 shows. With no Specific Character Set the repertoire is ASCII;
 * bytes above 127 are read as Latin-1 rather than refused, as PACS viewers do.
 */

/** Single-byte sets by ISO-IR number: each under its plain and its ISO 2022 defined term. */
const SINGLE_BYTE: [number, string][] = [
  [100, 'latin1'], [101, 'iso-8859-2'], [109, 'iso-8859-3'], [110, 'iso-8859-4'], [144, 'iso-8859-5'], [127, 'iso-8859-6'],
  [126, 'iso-8859-7'], [138, 'iso-8859-8'], [148, 'iso-8859-9'], [203, 'iso-8859-15'], [166, 'windows-874'], [13, 'shift_jis'],
];

const LABELS: Record<string, string> = {
  ...Object.fromEntries(SINGLE_BYTE.flatMap(([n, label]) => [[`ISO_IR ${n}`, label], [`ISO 2022 IR ${n}`, label]])),
  'ISO_IR 192': 'utf-8',
  'ISO 2022 IR 87': 'iso-2022-jp', 'ISO 2022 IR 159': 'iso-2022-jp',
  'ISO 2022 IR 149': 'euc-kr',
  'ISO 2022 IR 58': 'gb18030',
  GB18030: 'gb18030', GBK: 'gbk',
};

function latin1(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 4096) s += String.fromCharCode(...bytes.subarray(i, i + 4096));
  return s;
}

/** The decoder for a Specific Character Set value (its first value names the default repertoire's replacement). */
export function textDecoder(specificCharacterSet: string | undefined): (bytes: Uint8Array) => string {
  const terms = (specificCharacterSet ?? '').split('\\').map((t) => t.trim());
  // A multi-valued set whose first value is empty starts in ASCII; its extension is what non-ASCII bytes are in.
  const term = terms.find((t) => t !== '') ?? '';
  const label = LABELS[term];
  if (!label || label === 'latin1') return latin1;
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(label);
  } catch {
    return latin1; // a runtime without this encoding (small-ICU builds): Latin-1, never a throw
  }
  return (bytes) => decoder.decode(bytes);
}

/** True when every character is printable ASCII (or a control the text VRs allow): no Specific Character Set needed. */
export function isAscii(text: string): boolean {
  return /^[\x00-\x7f]*$/.test(text);
}
