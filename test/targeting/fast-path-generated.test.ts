// The fast path is generated ahead of time from the request's definition
// (scripts/fast-paths.mjs over src/targeting/request-schema.ts): the committed file is what
// `npm run fast-paths` writes, it compiles nothing at run time (a strict Content-Security-
// Policy forbids eval), and its bounds are the definition's.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const committed = readFileSync(join(root, 'src/targeting/fast-path.generated.ts'), 'utf8');

describe('src/targeting/fast-path.generated.ts', () => {
  it('is what npm run fast-paths generates from the definition (regenerate after editing it)', () => {
    const out = mkdtempSync(join(tmpdir(), 'stereotax-fast-paths-'));
    execFileSync(process.execPath, ['scripts/fast-paths.mjs'], { cwd: root, env: { ...process.env, FAST_PATH_OUT: out }, stdio: 'pipe' });
    expect(readFileSync(join(out, 'fast-path.generated.ts'), 'utf8')).toBe(committed);
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(pkg.scripts['fast-paths']).toBe('node scripts/fast-paths.mjs');
  });

  it('compiles nothing at run time', () => {
    expect(committed).not.toMatch(/new Function|\beval\s*\(/);
  });

  it('holds the definition\'s bounds as literals, each once per field', () => {
    for (const bound of ['geometry_sourceToDetector >= 100 && geometry_sourceToDetector <= 2000', 'thickness > 0 && thickness <= 300',
      'view_angle > -90 && view_angle < 90', 'device_gauge >= 5 && device_gauge <= 34', 'maxRayGap0 === undefined ? 1 :']) {
      expect(committed.split(bound).length - 1, bound).toBe(1);
    }
  });

  it('steps aside for a detector, a lateral needle or a tomosynthesis block (keys it does not scan)', () => {
    expect(committed).not.toMatch(/case "detector"|case "lateral"|case "tomosynthesis"|case "col"/);
  });
});
