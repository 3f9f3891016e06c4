// Shared by the plan tests: the engine, a plan with only a localization block, the unit geometry
// with marks projected by the independent reference, and a refusal's issues in the forms compared.
import type { Issue } from '../../src/core/errors.js';
import { loadEngine } from '../../src/engine/engine.js';
import { planWith, type PlanResult } from '../../src/plan/plan.js';
import { codePaths, refusal } from '../helpers/refusal.js';
import { refProject } from '../reference/independent.js';

export const engine = await loadEngine();
/** Placement and surgery dates three days apart. */
export const P = '2026-11-20', S = '2026-11-23';
export const seedAt = (z = 20) => ({ device: 'magnetic-seed', position: [0, 30, z] });

/** A plan with only a localization block (thickness 50 mm unless `top` overrides). */
export const localizationPlan = (loc: Record<string, unknown>, top: Record<string, unknown> = {}) =>
  planWith(engine, { thickness: 50, ...top, localization: { placementDate: P, surgeryDate: S, ...loc } });

/** The issues of fn's refusal (fails the test if it is not refused with a StereotaxError). */
export const issuesOf = (fn: () => unknown): readonly Issue[] => refusal(fn).issues;
/** The issues of a refused plan request. */
export const planIssues = (req: unknown): readonly Issue[] => issuesOf(() => planWith(engine, req));
export const at = (issues: readonly Issue[], path: string) => issues.filter((i) => i.path === path);
export { codePaths };
export const codes = (r: PlanResult) => r.findings.map((f) => f.code);

export const G = { sourceToDetector: 660, sourceToSupport: 640, rotationAxisHeight: -20 };
export const marks = (p: [number, number, number], angles = [15, -15]) => angles.map((angle) => ({ angle, ...refProject(G, angle, p) }));
