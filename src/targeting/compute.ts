/**
 * A validated targeting request computed: one capacity-1 triangulation batch per view count
 * (reconfigured only when the geometry or angles change), the target, ray gaps and distances,
 * the classic estimate, the uncertainty, the needle block, then the findings.
 */
import { StereotaxError, makeIssue } from '../core/errors.js';
import type { Finding } from '../core/findings.js';
import type { Engine } from '../engine/engine.js';
import { requestNeedle } from '../needle/checks.js';
import { TriangulationBatch } from './batch.js';
import type { Vec3 } from './geometry.js';
import { targetingFindings } from './findings.js';
// Tomosynthesis hook (owned by dicom-schemas): a request with a `tomosynthesis` block is computed there.
import { computeTomosynthesis, type TomosynthesisInput } from './tomosynthesis.js';
import { SYMMETRY_TOLERANCE, type TargetingInput, type TargetingResult, type ViewMark } from './types.js';
import { ellipsoid95, type Matrix3 } from './uncertainty.js';

/**
 * A capacity-1 batch for the single-request API, one per view count, with its columns
 * held in plain fields (rebuilt only when wasm memory grows) and the geometry and
 * angles it was last configured with (configure is skipped when they are unchanged).
 */
interface Scratch {
  b: TriangulationBatch;
  buffer: ArrayBufferLike | undefined;
  u: Float64Array[];
  v: Float64Array[];
  d: Float64Array[];
  x: Float64Array;
  y: Float64Array;
  z: Float64Array;
  gap: Float64Array;
  g0: number;
  g1: number;
  g2: number;
  angles: number[];
}

const scratch = new WeakMap<Engine, Scratch[]>();

let lastEngine: Engine | undefined;
let lastByViews: Scratch[] = [];

/** Object.is for numbers, without the SameValue call: -0 and 0 configure different sources. */
function same(a: number, b: number): boolean {
  return a === b ? a !== 0 || 1 / a === 1 / b : a !== a && b !== b;
}

function scratchBatch(engine: Engine, input: TargetingInput): Scratch {
  let byViews: Scratch[];
  if (engine === lastEngine) byViews = lastByViews;
  else {
    let found = scratch.get(engine);
    if (!found) scratch.set(engine, (found = []));
    byViews = lastByViews = found;
    lastEngine = engine;
  }
  const V = input.views.length;
  const g = input.geometry;
  let s = byViews[V];
  if (!s) {
    const angles = input.views.map((v) => v.angle);
    const b = new TriangulationBatch(engine, { capacity: 1, geometry: g, angles, covariance: true, jacobian: true });
    const none = new Float64Array(0);
    s = byViews[V] = { b, buffer: undefined, u: [], v: [], d: [], x: none, y: none, z: none, gap: none,
      g0: g.sourceToDetector, g1: g.sourceToSupport, g2: g.rotationAxisHeight, angles };
  } else {
    let unchanged = same(s.g0, g.sourceToDetector) && same(s.g1, g.sourceToSupport) && same(s.g2, g.rotationAxisHeight);
    for (let k = 0; unchanged && k < V; k++) unchanged = same(s.angles[k], input.views[k].angle);
    if (!unchanged) {
      const angles = input.views.map((v) => v.angle);
      s.b.configure(g, angles);
      s.g0 = g.sourceToDetector;
      s.g1 = g.sourceToSupport;
      s.g2 = g.rotationAxisHeight;
      s.angles = angles;
    }
  }
  // Growing wasm memory detaches the old buffer, which empties every view of it: a held
  // column of length 0 says the views must be rebuilt, without reading memory.buffer.
  const buffer = s.x.length === 0 ? engine.wasm.memory.buffer : s.buffer;
  if (s.buffer !== buffer) {
    const b = s.b;
    for (let k = 0; k < V; k++) {
      s.u[k] = b.u(k);
      s.v[k] = b.v(k);
      s.d[k] = b.rayDistance(k);
    }
    s.x = b.x;
    s.y = b.y;
    s.z = b.z;
    s.gap = b.rayGap;
    s.buffer = engine.wasm.memory.buffer;
  }
  return s;
}

/** Computes a validated request with a loaded engine. */
export function computeTargeting(engine: Engine, input: TargetingInput | TomosynthesisInput): TargetingResult {
  if ('tomosynthesis' in input) return computeTomosynthesis(input); // tomosynthesis hook
  const V = input.views.length;
  const s = scratchBatch(engine, input);
  const b = s.b;
  for (let k = 0; k < V; k++) {
    s.u[k][0] = input.views[k].u;
    s.v[k][0] = input.views[k].v;
  }
  if (b.triangulate() > 0) {
    throw new StereotaxError([makeIssue('degenerate_input', ['views'], 'marks whose rays cross', 'parallel rays',
      'views: the back-projected rays are parallel, so they do not locate a point; check the marks and angles')]);
  }
  const target: Vec3 = { x: s.x[0], y: s.y[0], z: s.z[0] };
  // Assembled field by field so the JSON reads in the spec's order, findings last.
  const depthFromSkin = input.thickness - target.z;
  const result = (input.id !== undefined ? { id: input.id, target, depthFromSkin } : { target, depthFromSkin }) as TargetingResult;

  if (V === 2) {
    result.rayGap = s.gap[0];
  } else {
    result.pairwiseRayGaps = [];
    for (let j = 0; j < V; j++) {
      for (let k = j + 1; k < V; k++) {
        b.pairGap(j, k);
        result.pairwiseRayGaps.push({ views: [j, k], gap: s.gap[0] });
      }
    }
  }
  const rayDistances: number[] = new Array(V);
  for (let k = 0; k < V; k++) rayDistances[k] = s.d[k][0];
  result.rayDistances = rayDistances;

  const a0 = input.views[0].angle, a1 = input.views[1].angle;
  if (V === 2 && Math.abs(a0 + a1) <= SYMMETRY_TOLERANCE) {
    const plus = a0 > 0 ? 0 : 1;
    result.classic = b.classic(plus, 1 - plus, (Math.abs(a0) + Math.abs(a1)) / 2);
  }

  if (input.imageSigma !== undefined) {
    b.propagate(input.imageSigma);
    const [xx, xy, xz, yy, yz, zz] = (['xx', 'xy', 'xz', 'yy', 'yz', 'zz'] as const).map((t) => b.covariance(t)[0]);
    const covariance: Matrix3 = [[xx, xy, xz], [xy, yy, yz], [xz, yz, zz]];
    const jacobian = [0, 1, 2].map((row) => Array.from({ length: 2 * V }, (_, m) => b.jacobianColumn(row, m)[0]));
    result.uncertainty = {
      imageSigma: input.imageSigma,
      sigma: { x: Math.sqrt(xx), y: Math.sqrt(yy), z: Math.sqrt(zz) },
      covariance,
      ellipsoid95: ellipsoid95(covariance),
      jacobian,
    };
  }

  let needleFindings: Finding[] | undefined;
  if (input.needle) {
    const checked = requestNeedle(target, input.thickness, input.needle);
    result.needle = checked.needle;
    needleFindings = checked.findings;
  }
  const marks: ViewMark[] = new Array(V);
  for (let k = 0; k < V; k++) {
    const w = input.views[k];
    marks[k] = { angle: w.angle, u: w.u, v: w.v };
  }
  result.marks = marks;

  const findings = targetingFindings(input, result);
  if (needleFindings) for (const f of needleFindings) findings.push(f);
  result.findings = findings;
  return result;
}
