// The records validators answer every request of the corpus (test/records/refusal-corpus.ts)
// as the hand-written validators did before the requests were defined as schemas: the same
// issues (code, path, expected) in the same order, or the same parsed value.
// UPDATE_REFUSALS=1 rewrites the golden file (only when a change of answer is intended);
// with REFUSALS_OUT=file.json too, the expected texts are written out whole there, for reading a difference.
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { answer, corpus, PARSERS, type Kind } from './refusal-corpus.js';

const file = new URL('../fixtures/records/refusals.json', import.meta.url);

describe('records refusals, pinned from the hand-written validators', () => {
  const kinds = Object.keys(PARSERS) as Kind[];
  if (process.env.UPDATE_REFUSALS) {
    it('writes the golden answers', () => {
      const out: Record<string, string[]> = {};
      const full = !!process.env.REFUSALS_OUT;
      for (const k of kinds) out[k] = corpus(k).map((r) => answer(k, r, full));
      writeFileSync(process.env.REFUSALS_OUT ?? file, JSON.stringify(out, null, 0).replace(/\],"/g, '],\n"') + '\n');
    });
    return;
  }
  const golden = JSON.parse(readFileSync(file, 'utf8')) as Record<Kind, string[]>;
  for (const k of kinds) {
    it(`${k}: every answer as before`, () => {
      const requests = corpus(k);
      expect(requests.length).toBe(golden[k].length);
      const diffs: string[] = [];
      requests.forEach((r, i) => {
        const a = answer(k, r);
        if (a !== golden[k][i]) diffs.push(`#${i} ${JSON.stringify(r)}\n  was ${golden[k][i]}\n  now ${a}`);
      });
      expect(diffs.slice(0, 5).join('\n')).toBe('');
      // The corpus reaches both sides: accepted requests and refused ones.
      expect(golden[k].some((a) => a.startsWith('ok '))).toBe(true);
      expect(golden[k].filter((a) => !a.startsWith('ok ')).length).toBeGreaterThan(golden[k].length / 4);
    });
  }
});
