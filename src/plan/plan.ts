/**
 * `stereotax plan`: is this needle plan safe with this device, approach and breast,
 * and if not, what to change; where localization devices go and whether they will
 * be found; where a placed device landed. Every section is optional; at least one.
 */
import { checkBiopsyDevice, checkCatalog, mergeCatalogs, shippedCatalog, type BiopsyDevice, type Catalog } from '../devices/catalog.js';
import type { Engine } from '../engine/engine.js';
import { loadEngine, type LoadOptions } from '../engine/engine.js';
import type { Finding } from '../core/findings.js';
import type { Vec3 } from '../targeting/geometry.js';
import { toVec3, type Tuple3 } from '../core/vec3.js';
import { parseValue } from '../core/schema/index.js';
import { PlanNeedle, PlanPoint, PlanRequest } from './request-schema.js';
import { computeTargeting, parseTargetingRequest, type TargetingResult } from '../targeting/targeting.js';
import { Checker, guardParse, isArray, type Path } from '../core/validate.js';
import { checkLocalization, planLocalization, type LocalizationInput, type LocalizationResult } from './localization.js';
import { mitigate, runChecks, type Mitigation, type NeedleScenario } from './mitigations.js';
import { DEFAULT_LIMITS, type LateralSetup, type NeedleBlock, type NeedleLimits } from '../needle/checks.js';
import { checkPlacement, checkPostPlacement, type PostPlacementInput, type PostPlacementResult } from './post-placement.js';

export interface PlanInput {
  id?: string;
  catalog: Catalog;
  thickness?: number;
  target?: Vec3;
  /** When the target comes from marks: the targeting request to triangulate. */
  targeting?: unknown;
  lesionRadius?: number;
  needle?: { approach: 'vertical' | 'lateral'; device: BiopsyDevice; limits: NeedleLimits; lateral?: LateralSetup; mitigations: boolean };
  localization?: LocalizationInput;
  postPlacement?: PostPlacementInput;
}

export interface PlanResult {
  id?: string;
  target?: Vec3;
  /** The triangulation, when the target came from marks. */
  targeting?: TargetingResult;
  needle?: NeedleBlock & { device: BiopsyDevice };
  mitigations?: Mitigation[];
  localization?: LocalizationResult;
  postPlacement?: PostPlacementResult;
  findings: Finding[];
}

const FIELDS = Object.keys(PlanRequest.properties);
const NEEDLE = PlanNeedle.properties;
const NEEDLE_FIELDS = Object.keys(NEEDLE);
const NEEDLE_REQUIRED = ['device'];
const field = PlanRequest.properties;

function checkTarget(c: Checker, v: unknown, path: Path): Vec3 | undefined {
  const t = parseValue(c, PlanPoint, v, path);
  if (t === undefined) return undefined;
  return isArray(t) ? toVec3(t as Tuple3) : { x: t.x, y: t.y, z: t.z };
}

export function parsePlanRequest(request: unknown): PlanInput {
  return guardParse(() => checkPlanRequest(request));
}

function checkPlanRequest(request: unknown): PlanInput {
  const c = new Checker();
  const r = c.object(request, [], FIELDS, []);
  if (!r) c.done();
  const req = r!;
  const id = c.optional(req, 'id', (v) => parseValue(c, field.id, v, ['id']));
  const user = req.catalog === undefined ? undefined : checkCatalog(c, req.catalog, ['catalog']);
  const catalog = user ? mergeCatalogs(shippedCatalog(), user) : shippedCatalog();
  const thickness = req.thickness === undefined ? undefined : parseValue(c, field.thickness, req.thickness, ['thickness']);
  const lesionRadius = req.lesionRadius === undefined ? undefined : parseValue(c, field.lesionRadius, req.lesionRadius, ['lesionRadius']);
  if (req.needle === undefined && req.localization === undefined && req.postPlacement === undefined) {
    c.add('missing_field', ['needle'], 'at least one of needle, localization, postPlacement', undefined, 'needle: the plan needs at least one of needle, localization or postPlacement');
  }
  let target: Vec3 | undefined;
  let targeting: unknown;
  const fromMarks = req.views !== undefined || req.geometry !== undefined;
  if (req.target !== undefined && fromMarks) c.add('invalid_value', ['target'], 'either target or geometry and views, not both', 'both');
  else if (req.target !== undefined) target = checkTarget(c, req.target, ['target']);
  else if (fromMarks) {
    targeting = Object.fromEntries(['geometry', 'thickness', 'views', 'detector', 'imageSigma', 'maxRayGap'].filter((k) => req[k] !== undefined).map((k) => [k, req[k]]));
    try {
      parseTargetingRequest(targeting);
    } catch (e) {
      for (const issue of (e as { issues?: Checker['issues'] }).issues ?? []) c.issues.push(issue);
    }
  }

  let needle: PlanInput['needle'];
  if (req.needle !== undefined) {
    const n = c.object(req.needle, ['needle'], NEEDLE_FIELDS, NEEDLE_REQUIRED);
    if (n) {
      const approach = n.approach === undefined ? NEEDLE.approach.default as 'vertical' : parseValue(c, NEEDLE.approach, n.approach, ['needle', 'approach']);
      let device: BiopsyDevice | undefined;
      if (typeof n.device === 'string') {
        device = catalog.biopsyDevices.find((d) => d.id === n.device);
        if (!device) c.add('unknown_reference', ['needle', 'device'], `a biopsy device id in the catalog (${catalog.biopsyDevices.map((d) => d.id).join(', ')})`, n.device);
      } else if (n.device !== undefined) {
        const inline = n.device !== null && typeof n.device === 'object' && !('id' in n.device) ? { id: 'inline', kind: 'vacuum-probe', ...(n.device as object) } : n.device;
        device = checkBiopsyDevice(c, inline, ['needle', 'device']);
      }
      const lim = (key: keyof NeedleLimits) => (n[key] === undefined ? DEFAULT_LIMITS[key] : parseValue(c, NEEDLE[key], n[key], ['needle', key]));
      const limits = {
        minStrokeMargin: lim('minStrokeMargin'),
        warnStrokeMargin: lim('warnStrokeMargin'),
        minClearance: lim('minClearance'),
        minVerticalThickness: lim('minVerticalThickness'),
      };
      const lateral = n.lateral === undefined ? undefined : parseValue(c, NEEDLE.lateral, n.lateral, ['needle', 'lateral']) as LateralSetup | undefined;
      const mit = n.mitigations === undefined ? NEEDLE.mitigations.default as boolean : parseValue(c, NEEDLE.mitigations, n.mitigations, ['needle', 'mitigations']);
      if (target === undefined && targeting === undefined && req.target === undefined) {
        c.add('missing_field', ['target'], 'the target: target { x, y, z }, or geometry and views to triangulate', undefined);
      }
      if (req.thickness === undefined) c.add('missing_field', ['thickness'], 'the compressed thickness (mm)', undefined);
      if (approach && device && Object.values(limits).every((x) => x !== undefined) && mit !== undefined) {
        const l = limits as NeedleLimits;
        needle = { approach, device, limits: { ...l, warnStrokeMargin: Math.max(l.warnStrokeMargin, l.minStrokeMargin) }, mitigations: mit, ...(lateral ? { lateral } : {}) };
      }
    }
  }
  // Fail closed: a needle block that yields no check must be refused even if no field named a reason.
  if (req.needle !== undefined && needle === undefined && c.ok) c.add('invalid_value', ['needle'], 'a needle block the engine can check', req.needle);
  const localization = req.localization === undefined ? undefined : checkLocalization(c, req.localization, ['localization'], catalog, thickness);
  const postPlacement = req.postPlacement === undefined ? undefined : checkPostPlacement(c, req.postPlacement, ['postPlacement']);
  c.done();
  const input: PlanInput = { catalog };
  if (id !== undefined) input.id = id;
  if (thickness !== undefined) input.thickness = thickness;
  if (target) input.target = target;
  if (targeting) input.targeting = targeting;
  if (lesionRadius !== undefined) input.lesionRadius = lesionRadius;
  if (needle) input.needle = needle;
  if (localization) input.localization = localization;
  if (postPlacement) input.postPlacement = postPlacement;
  return input;
}

export function computePlan(engine: Engine, input: PlanInput): PlanResult {
  const result = { ...(input.id !== undefined ? { id: input.id } : {}) } as PlanResult;
  const findings: Finding[] = [];
  let target = input.target;
  if (input.targeting !== undefined) {
    result.targeting = computeTargeting(engine, parseTargetingRequest(input.targeting));
    target = result.targeting.target;
    findings.push(...result.targeting.findings.map((f) => ({ ...f, path: `targeting.${f.path ?? ''}` })));
  }
  if (target) result.target = target;
  if (input.needle && target && input.thickness !== undefined) {
    const n = input.needle;
    const scenario: NeedleScenario = {
      target, thickness: input.thickness, device: n.device, approach: n.approach, limits: n.limits,
      ...(n.lateral ? { lateral: n.lateral } : {}), ...(input.lesionRadius !== undefined ? { lesionRadius: input.lesionRadius } : {}),
    };
    const outcome = runChecks(scenario);
    result.needle = { ...outcome.block, device: n.device };
    findings.push(...outcome.findings);
    if (n.mitigations) result.mitigations = mitigate(scenario, outcome, input.catalog.biopsyDevices);
  }
  if (input.localization && input.thickness !== undefined) {
    const l = planLocalization(input.localization, input.thickness);
    result.localization = l.result;
    findings.push(...l.findings);
  }
  if (input.postPlacement) {
    const p = checkPlacement(engine, input.postPlacement);
    result.postPlacement = p.result;
    findings.push(...p.findings);
  }
  result.findings = findings;
  return result;
}

export async function plan(request: unknown, options: LoadOptions = {}): Promise<PlanResult> {
  const input = parsePlanRequest(request);
  return computePlan(await loadEngine(options), input);
}

export function planWith(engine: Engine, request: unknown): PlanResult {
  return computePlan(engine, parsePlanRequest(request));
}
