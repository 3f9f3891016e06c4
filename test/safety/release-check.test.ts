// The release check's pieces: the checklist it reads, the mutation score it computes from a
// Stryker report, and how it judges the recorded bench bars. (The steps themselves are the trace,
// the SOUP check, npm test, the fuzz suites, Stryker and the bench, each tested on its own.)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without types
import { benchBars, MUTATION_GROUPS, mutationScore, parseChecklist, STEP_NAMES } from '../../scripts/release-check.mjs';

const ROOT = join(__dirname, '..', '..');
type Item = { id: string; step: string | null; manual: boolean; text: string };

describe('[API-048] the release checklist and its script', () => {
  const items: Item[] = parseChecklist(readFileSync(join(ROOT, 'docs', 'safety', 'release-checklist.md'), 'utf8'));

  it('every item is automated by a step the script knows, or manual; ids unique and in order', () => {
    expect(items.length).toBeGreaterThanOrEqual(10);
    expect(items.map((i) => i.id)).toEqual(items.map((_, k) => `R-${String(k + 1).padStart(2, '0')}`));
    for (const i of items.filter((x) => !x.manual)) expect(STEP_NAMES).toContain(i.step);
    expect(new Set(items.filter((x) => !x.manual).map((i) => i.step))).toEqual(new Set(['trace', 'soup', 'tests', 'fuzz', 'mutation', 'bench']));
    expect(items.filter((x) => x.manual).length).toBeGreaterThan(0);
  });

  it('the mutation floors in the checklist are the script\'s', () => {
    const r05 = items.find((i) => i.step === 'mutation')!.text;
    for (const g of MUTATION_GROUPS) expect(r05).toContain(`${g.floor} %`);
  });

  it('mutation score: (killed + timed out) / (killed + timed out + survived + not covered); errors and ignored left out', () => {
    const mutants = (statuses: string[]) => statuses.map((status, k) => ({ id: String(k), status }));
    const report = { files: {
      [join(ROOT, 'src/needle/vertical.ts')]: { mutants: mutants(['Killed', 'Killed', 'Timeout', 'Survived', 'CompileError', 'Ignored']) },
      'src/needle/checks.ts': { mutants: mutants(['Killed', 'NoCoverage', 'RuntimeError']) },
    } };
    const s = mutationScore(report);
    expect(s).toMatchObject({ Killed: 3, Timeout: 1, Survived: 1, NoCoverage: 1, valid: 6 });
    expect(s.score).toBeCloseTo(400 / 6, 12);
    expect(s.files).toEqual(['src/needle/vertical.ts', 'src/needle/checks.ts']);
    expect(mutationScore({ files: {} }).score).toBeNull();
  });

  it('a missed bench bar is left to a person with the load it was read at; met bars pass', () => {
    const bars = benchBars({ machine: { loadavg: [1.86, 1.4, 1.6] }, bars: [
      { name: 'a', target: 1, median: 0.96, min: 0.9, max: 1.1, met: false },
      { name: 'b', target: 3, median: 3.1, min: 2.9, max: 3.2, met: true },
    ] });
    expect(bars.map((b: { verdict: string; load: number }) => [b.verdict, b.load])).toEqual([['missed', 1.86], ['met', 1.86]]);
  });
});
