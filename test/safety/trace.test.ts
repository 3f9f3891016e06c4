// The traceability check itself: it must pass on the project as it is, and fail on each kind of
// gap (an untested requirement, an unknown id in a title, a hazard without a control, a test or a
// known requirement). Each case runs the real script on a temporary copy of the project's
// safety documents, tests and sources, changed in one place.
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without types
import { outcomes, parseHazards, parseRequirements, parseTestTitles, tagsOf } from '../../scripts/trace.mjs';

const ROOT = join(__dirname, '..', '..');
const SCRIPT = join(ROOT, 'scripts', 'trace.mjs');
const made: string[] = [];

/** A copy of what the trace reads: docs/safety, test, src, assembly. */
function copyProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'stereotax-trace-'));
  made.push(dir);
  for (const part of ['docs/safety', 'test', 'src', 'assembly']) cpSync(join(ROOT, part), join(dir, part), { recursive: true });
  return dir;
}

function runTrace(root: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [SCRIPT, '--root', root, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Runs the trace on a copy changed by `edit`; expects it to fail and returns what it printed. */
function failsAfter(edit: (root: string) => void): string {
  const root = copyProject();
  edit(root);
  const r = runTrace(root, '--check');
  expect(r.code).toBe(1);
  return r.err;
}

const reqFile = (root: string) => join(root, 'docs', 'safety', 'requirements.md');
const hazFile = (root: string) => join(root, 'docs', 'safety', 'hazards.md');

// Removing a dozen copies of test/ and src/ took over the default 10 s hook timeout at load 19: wide room.
afterAll(() => { for (const d of made) rmSync(d, { recursive: true, force: true }); }, 120_000);

describe('[API-046] npm run trace on the project', () => {
  it('passes on an unchanged copy, and writes the matrix with every section', () => {
    const root = copyProject();
    const r = runTrace(root);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const matrix = readFileSync(join(root, 'docs', 'safety', 'traceability.md'), 'utf8');
    expect(matrix).toContain('## Requirement -> tests');
    expect(matrix).toContain('## Hazard -> controls -> tests');
    expect(matrix).toContain('## Pending requirements');
    expect(matrix).toMatch(/\| TGT-011 \| implemented \| [1-9]\d* \| [^\n]*`test\/targeting\/finding-limits\.test\.ts` describe: target_outside_breast/);
  });

  it('--check writes nothing; --json lists the pending ids', () => {
    const root = copyProject();
    rmSync(join(root, 'docs', 'safety', 'traceability.md'), { force: true });
    const r = runTrace(root, '--check', '--json');
    expect(r.code).toBe(0);
    const model = JSON.parse(r.out);
    expect(model.problems).toEqual([]);
    const pendingInDoc = parseRequirements(readFileSync(reqFile(root), 'utf8')).reqs.filter((x: { status: string }) => x.status === 'pending').map((x: { id: string }) => x.id);
    expect(model.pending).toEqual(pendingInDoc);
    expect(() => readFileSync(join(root, 'docs', 'safety', 'traceability.md'))).toThrow();
  });
});

describe('[API-046] npm run trace fails on each kind of gap', () => {
  it('a deliberately unreferenced requirement fails the trace, naming it', () => {
    const err = failsAfter((root) => {
      appendFileSync(reqFile(root), '| TGT-999 | implemented | a requirement no test names | test |\n');
    });
    expect(err).toContain('TGT-999');
    expect(err).toContain('has no test');
  });

  it('the same requirement marked pending is listed apart and does not fail', () => {
    const root = copyProject();
    appendFileSync(reqFile(root), '| TGT-999 | pending | a requirement no test names yet | test |\n');
    const r = runTrace(root, '--check');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/pending \(not failing\):.* TGT-999/);
  });

  it('a test title naming an unknown id fails the trace, naming the file, line and id', () => {
    const err = failsAfter((root) => {
      writeFileSync(join(root, 'test', 'unknown-id.test.ts'), "import { it } from 'vitest';\n\nit('[TGT-998] names an id nobody defined', () => {});\n");
    });
    expect(err).toContain('test/unknown-id.test.ts:3');
    expect(err).toContain('TGT-998');
  });

  it('tagging the unreferenced requirement in a test title makes it pass again', () => {
    const root = copyProject();
    appendFileSync(reqFile(root), '| TGT-999 | implemented | a requirement one test names | test |\n');
    writeFileSync(join(root, 'test', 'names-it.test.ts'), "import { it } from 'vitest';\nit(`[TGT-999] now named`, () => {});\n");
    expect(runTrace(root, '--check').code).toBe(0);
  });

  it('a hazard naming a control function its file does not declare, or a file that does not exist', () => {
    const err = failsAfter((root) => {
      const text = readFileSync(hazFile(root), 'utf8');
      writeFileSync(hazFile(root), text.replace('`src/needle/vertical.ts#verticalNeedle`', '`src/needle/vertical.ts#noSuchFunction`, `src/needle/gone.ts#verticalNeedle`'));
    });
    expect(err).toContain('src/needle/vertical.ts declares no noSuchFunction');
    expect(err).toContain('control file src/needle/gone.ts does not exist');
  });

  it('a hazard naming an unknown requirement, no control, or nothing tested', () => {
    const err = failsAfter((root) => {
      appendFileSync(reqFile(root), '| QAI-999 | pending | a requirement not built yet | test |\n');
      appendFileSync(hazFile(root), [
        '', '## HAZ-998 a hazard with a requirement nobody wrote', '- Severity: S3 serious',
        '- Controls: `src/margins/margins.ts#computeMargins`', '- Requirements: TGT-997', '',
        '## HAZ-999 a hazard with no control and only a pending requirement', '- Severity: S2 minor',
        '- Requirements: QAI-999', '',
      ].join('\n'));
    });
    expect(err).toContain('HAZ-998: requirement TGT-997 is not in requirements.md');
    expect(err).toContain('HAZ-998 (hazards.md');
    expect(err).toContain('HAZ-999 (hazards.md');
    expect(err).toMatch(/HAZ-999 .*names no control/);
    expect(err).toMatch(/HAZ-999 .*has no test/);
  });

  it('a hazard naming a known anomaly that known-anomalies.md does not list', () => {
    const err = failsAfter((root) => {
      appendFileSync(hazFile(root), '\n## HAZ-999 with an anomaly nobody recorded\n- Severity: S2 minor\n- Controls: `src/cli/io.ts#worst`\n- Requirements: TGT-021\n- Known anomalies: KA-999\n');
    });
    expect(err).toContain('HAZ-999: known anomaly KA-999 is not in known-anomalies.md');
  });

  it('a test naming a hazard directly counts for it', () => {
    const root = copyProject();
    appendFileSync(reqFile(root), '| QAI-999 | pending | a requirement not built yet | test |\n');
    appendFileSync(hazFile(root), '\n## HAZ-999 verified only by a test that names it\n- Severity: S2 minor\n- Controls: `src/cli/io.ts#worst`\n- Requirements: QAI-999\n');
    writeFileSync(join(root, 'test', 'names-hazard.test.ts'), "describe('[HAZ-999] the hazard', () => {});\n");
    expect(runTrace(root, '--check').code).toBe(0);
  });

  it('a malformed requirements file: a duplicate id, an unknown status, no source', () => {
    const err = failsAfter((root) => {
      appendFileSync(reqFile(root), '| TGT-001 | implemented | again | x |\n| TGT-996 | done | a status nobody defined | x |\n| TGT-995 | pending | no source |  |\n');
    });
    expect(err).toContain('TGT-001 is defined twice');
    expect(err).toContain('TGT-996 has status "done"');
    expect(err).toContain('TGT-995 names no source');
  });
});

describe('[API-046] with a test run\'s results, a requirement needs a test that passed', () => {
  const SRC = [
    "describe('[TGT-001] group ${x}', () => {",
    "  it.each([1, 2])('case %d', () => {});",
    '});',
    "describe('outer', () => { it('[TGT-002] alone', () => {}); });",
    "it('[TGT-003] never ran', () => {});",
  ].join('\n');
  const report = (a: string, b: string) => ({ testResults: [{ name: '/r/test/x.test.ts', assertionResults: [
    { ancestorTitles: ['[TGT-001] group 7'], title: 'case 1', status: a },
    { ancestorTitles: ['[TGT-001] group 7'], title: 'case 2', status: 'skipped' },
    { ancestorTitles: ['outer'], title: '[TGT-002] alone', status: b },
  ] }] });

  it('a describe counts when any test inside it passed; template and printf parts match anything', () => {
    const t = parseTestTitles(SRC, 'test/x.test.ts');
    outcomes('/r', t, report('passed', 'failed'));
    expect(t.filter((x: { ids: string[] }) => x.ids.length).map((x: { ids: string[]; outcome: string }) => [x.ids[0], x.outcome]))
      .toEqual([['TGT-001', 'passed'], ['TGT-002', 'failed'], ['TGT-003', 'not run']]);
    outcomes('/r', t, report('skipped', 'passed'));
    expect(t.filter((x: { ids: string[] }) => x.ids.length).map((x: { outcome: string }) => x.outcome)).toEqual(['skipped', 'passed', 'not run']);
  });

  it('--results: a requirement whose only test was skipped fails the trace, naming the test and what happened', () => {
    const root = copyProject();
    appendFileSync(reqFile(root), '| TGT-999 | implemented | a requirement whose test is skipped | test |\n');
    writeFileSync(join(root, 'test', 'skipped.test.ts'), "import { it } from 'vitest';\nit.skip('[TGT-999] skipped here', () => {});\n");
    const results = join(root, 'results.json');
    const write = (status: string) => writeFileSync(results, JSON.stringify({ testResults: [{ name: join(root, 'test', 'skipped.test.ts'), assertionResults: [{ ancestorTitles: [], title: '[TGT-999] skipped here', status }] }] }));
    write('skipped');
    const r = runTrace(root, '--check', '--results', results);
    expect(r.code).toBe(1);
    expect(r.err).toContain('TGT-999 has no test that passed in results.json: test/skipped.test.ts:2 skipped');
    write('passed');
    expect(runTrace(root, '--check', '--results', results).err).not.toContain('TGT-999');
  });
});

describe('the title parser', () => {
  it('reads describe, it and test titles with their modifiers, in every quote, with line numbers', () => {
    const src = [
      "describe('[TGT-001] a', () => {",
      '  it("[TGT-002, TGT-003] b", () => {});',
      '  test.each([[1, 2],',
      '    [3, 4]])(`[TGT-004] c %d ${x}`, () => {});',
      "  describe.skipIf(!ok)('[TGT-005] d', () => {});",
      "  it.concurrent('no tag [30, 0] and [5, -1, 1e-17]', () => {});",
      '});',
    ].join('\n');
    const t = parseTestTitles(src, 'f.ts');
    expect(t.map((x: { line: number; kind: string; ids: string[] }) => [x.line, x.kind, x.ids])).toEqual([
      [1, 'describe', ['TGT-001']], [2, 'it', ['TGT-002', 'TGT-003']], [3, 'test', ['TGT-004']],
      [5, 'describe', ['TGT-005']], [6, 'it', []],
    ]);
    // the describes a title sits in, outermost first, tags left out
    expect(t.map((x: { within: string[] }) => x.within)).toEqual([[], ['a'], ['a'], ['a'], ['a']]);
  });

  it('ignores titles in comments and it( written inside a string', () => {
    const src = "// it('[ZZZ-001] commented out', () => {});\n/* test('[ZZZ-002] x') */\nconst s = \"it('[ZZZ-003] in a fixture')\";\nit('[TGT-001] real', () => {});\n";
    const t = parseTestTitles(src, 'f.ts');
    expect(t.map((x: { ids: string[] }) => x.ids)).toEqual([['TGT-001']]);
  });

  it('a quote inside a regular expression literal does not open a string; escaped quotes read as the runner shows them', () => {
    const src = [
      "describe('[TGT-001] outer', () => {",
      "  it('x', () => { expect(s).toMatch(/3 o'clock (lateral)/); const half = a / 2 / b; });",
      "  it('[TGT-002] the patient\\'s left', () => {});",
      '});',
      "it('[TGT-003] after', () => {});",
    ].join('\n');
    const t = parseTestTitles(src, 'f.ts');
    expect(t.map((x: { title: string; within: string[] }) => [x.title, x.within])).toEqual([
      ['[TGT-001] outer', []], ['x', ['outer']], ["[TGT-002] the patient's left", ['outer']], ['[TGT-003] after', []],
    ]);
  });

  it('a bracket counts only when every member is an id', () => {
    expect(tagsOf('[TGT-001] x [API-002, HAZ-003] y')).toEqual(['TGT-001', 'API-002', 'HAZ-003']);
    expect(tagsOf('[TGT-001, 3] [a] [] [30, 0]')).toEqual([]);
  });

  it('reads hazards: severity, controls, requirements; a section heading ends a hazard', () => {
    const { hazards, problems } = parseHazards([
      '## HAZ-001 one', '- Severity: S4 critical', '- Controls: `a.ts#f`, `b.ts#C.m`', '- Requirements: TGT-001, API-002',
      '## Notes', '- Requirements: TGT-009', '## HAZ-002 two', '- Severity: none',
    ].join('\n'));
    expect(hazards[0]).toMatchObject({ id: 'HAZ-001', severity: 'S4 critical', controls: [{ file: 'a.ts', fn: 'f' }, { file: 'b.ts', fn: 'C.m' }], requirements: ['TGT-001', 'API-002'] });
    expect(hazards[1].requirements).toEqual([]);
    expect(problems).toEqual(['hazards.md:7: HAZ-002 has no severity S1-S5']);
  });
});
