/**
 * Pairing the views and labelling the beads with no help (qa-images.md section 3.2).
 *
 * 1. Every detection of the primary pair of views (the two furthest apart in angle) is
 *    paired with every detection of the other whose ray passes within `gapTolerance`;
 *    each pair's ray intersection is a candidate bead position (true beads and ghosts).
 * 2. Hypotheses: for a few well-spread triples of phantom targets, every triple of
 *    candidates with the same pairwise distances (within tolerance) gives a rigid
 *    transform (turned about z by any angle, tilted at most MAX_TILT); each transform
 *    labels every candidate that a transformed target lands near, one detection used
 *    once, and is refitted by least squares over what it labelled.
 * 3. The assignment with the most labelled beads, then the least rms residual, wins;
 *    another distinct assignment with as many beads and an rms within twice the best
 *    makes the registration ambiguous (a symmetric phantom).
 * 4. The winner's beads are then looked for in every view (scouts included) where the
 *    triangulated or registered bead projects, so a bead hidden in one view of the
 *    primary pair is still found in two others.
 */
import { apply, dist3, rigidFit, tiltDeg, type Rigid, type V3 } from './linalg.js';
import { intersectRays, project, rayGap, rayOf, type SourceModel } from './projection.js';

/** Largest tilt of the phantom (degrees) a hypothesis may have: the spec's 10 plus room for a miscalibrated unit. */
export const MAX_TILT = 12;

export interface ViewMarks {
  angle: number;
  /** Detections in detector mm. */
  marks: { u: number; v: number }[];
}

export interface Assignment {
  /** For each phantom target: the detection index in each view, or -1. */
  marks: number[][];
  rigid: Rigid;
  /** Targets labelled in the primary pair. */
  count: number;
  rms: number;
}

export interface CorrespondResult {
  best: Assignment | undefined;
  /** A second assignment that fits within twice the best residual: the labels cannot be told apart. */
  rival: Assignment | undefined;
  primary: [number, number];
  hypotheses: number;
}

interface Cand { i: number; j: number; p: V3 }

export interface CorrespondOptions {
  gapTolerance?: number;
  maxHypotheses?: number;
}

function minSpacing(points: readonly V3[]): number {
  let m = Infinity;
  for (let a = 0; a < points.length; a++) for (let b = a + 1; b < points.length; b++) m = Math.min(m, dist3(points[a], points[b]));
  return m;
}

function triangleArea(a: V3, b: V3, c: V3): number {
  const u = [b[0] - a[0], b[1] - a[1], b[2] - a[2]], v = [c[0] - a[0], c[1] - a[1], c[2] - a[2]];
  return 0.5 * Math.hypot(u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]);
}

/** Base triples: large, well-shaped triangles, each target in as few as possible. */
function baseTriples(targets: readonly V3[], count: number): [number, number, number][] {
  const n = Math.min(targets.length, 40);
  const all: { t: [number, number, number]; score: number }[] = [];
  for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++) for (let c = b + 1; c < n; c++) {
    const area = triangleArea(targets[a], targets[b], targets[c]);
    const longest = Math.max(dist3(targets[a], targets[b]), dist3(targets[a], targets[c]), dist3(targets[b], targets[c]));
    if (longest > 0) all.push({ t: [a, b, c], score: area / longest });
  }
  all.sort((p, q) => q.score - p.score);
  const out: [number, number, number][] = [];
  const used = new Map<number, number>();
  for (const { t } of all) {
    if (out.length >= count) break;
    if (t.some((k) => (used.get(k) ?? 0) >= 2) && out.length < targets.length / 3) continue;
    out.push(t);
    for (const k of t) used.set(k, (used.get(k) ?? 0) + 1);
  }
  return out;
}

/** Targets seen in two or more views. */
function seenTwice(a: Assignment): number {
  return a.marks.filter((row) => row.filter((d) => d >= 0).length >= 2).length;
}

export function correspond(views: readonly ViewMarks[], model: SourceModel, targets: readonly V3[], o: CorrespondOptions = {}): CorrespondResult {
  // The primary pair is the two views furthest apart in angle; when its assignment leaves
  // targets unseen (beads outside one view's field), the other pairs are tried too and the
  // assignment that sees the most targets in two views wins.
  const pairs: [number, number][] = [];
  for (let a = 0; a < views.length; a++) for (let b = a + 1; b < views.length; b++) pairs.push([a, b]);
  pairs.sort((p, q) => Math.abs(views[q[0]].angle - views[q[1]].angle) - Math.abs(views[p[0]].angle - views[p[1]].angle));
  let chosen: CorrespondResult | undefined;
  let hypotheses = 0;
  for (const [A, B] of pairs) {
    const r = correspondPair(views, model, targets, o, A, B);
    hypotheses += r.hypotheses;
    if (r.best && (!chosen?.best || seenTwice(r.best) > seenTwice(chosen.best) || (seenTwice(r.best) === seenTwice(chosen.best) && r.best.rms < chosen.best.rms))) chosen = r;
    if (!chosen) chosen = r;
    if (chosen.best && seenTwice(chosen.best) === targets.length) break;
  }
  return { ...chosen!, hypotheses };
}

function correspondPair(views: readonly ViewMarks[], model: SourceModel, targets: readonly V3[], o: CorrespondOptions, A: number, B: number): CorrespondResult {
  const gapTol = o.gapTolerance ?? 1.5;
  const maxHyp = o.maxHypotheses ?? 200_000;
  const raysA = views[A].marks.map((m) => rayOf(model, views[A].angle, m.u, m.v));
  const raysB = views[B].marks.map((m) => rayOf(model, views[B].angle, m.u, m.v));
  const sourceZ = model.sourceToSupport;
  const cands: Cand[] = [];
  for (let i = 0; i < raysA.length; i++) for (let j = 0; j < raysB.length; j++) {
    if (rayGap(raysA[i], raysB[j]) > gapTol) continue;
    const p = intersectRays([raysA[i], raysB[j]]);
    if (p && p[2] > model.detectorZ && p[2] < 0.8 * sourceZ) cands.push({ i, j, p });
  }
  const spacing = minSpacing(targets);
  const matchTol = Math.min(3, 0.4 * spacing);
  const distTol = (d: number) => 1 + 0.05 * d;
  const found = new Map<string, Assignment>();
  let hypotheses = 0;

  const label = (rigid: Rigid): { map: number[]; rms: number } => {
    const pred = targets.map((t) => apply(rigid.rotation, rigid.translation, t));
    // Nearest candidate per target, then each detection used once (the nearer wins).
    const pairs: { t: number; c: number; d: number }[] = [];
    pred.forEach((p, t) => {
      let best = -1, bd = matchTol;
      cands.forEach((c, k) => { const d = dist3(p, c.p); if (d < bd) { bd = d; best = k; } });
      if (best >= 0) pairs.push({ t, c: best, d: bd });
    });
    pairs.sort((a, b) => a.d - b.d);
    const map = new Array<number>(targets.length).fill(-1);
    const usedA = new Set<number>(), usedB = new Set<number>();
    let ss = 0, n = 0;
    for (const { t, c, d } of pairs) {
      if (usedA.has(cands[c].i) || usedB.has(cands[c].j)) continue;
      usedA.add(cands[c].i); usedB.add(cands[c].j);
      map[t] = c; ss += d * d; n++;
    }
    return { map, rms: n ? Math.sqrt(ss / n) : Infinity };
  };

  const refit = (map: number[]): Rigid | undefined => {
    const P: V3[] = [], Q: V3[] = [];
    map.forEach((c, t) => { if (c >= 0) { P.push(targets[t]); Q.push(cands[c].p); } });
    return P.length >= 3 ? rigidFit(P, Q) : undefined;
  };

  const consider = (rigid: Rigid) => {
    hypotheses++;
    let { map } = label(rigid);
    if (map.filter((c) => c >= 0).length < 3) return;
    let r = refit(map);
    if (!r || tiltDeg(r.rotation) > MAX_TILT) return;
    ({ map } = label(r));
    const key = map.join(',');
    if (found.has(key)) return;
    found.set(key, undefined as never); // seen: evaluated once
    r = refit(map);
    if (!r || tiltDeg(r.rotation) > MAX_TILT) return;
    const final = { map };
    let ss = 0, n = 0;
    final.map.forEach((c, t) => { if (c >= 0) { ss += dist3(apply(r!.rotation, r!.translation, targets[t]), cands[c].p) ** 2; n++; } });
    const marks = final.map.map((c) => {
      const row = new Array<number>(views.length).fill(-1);
      if (c >= 0) { row[A] = cands[c].i; row[B] = cands[c].j; }
      return row;
    });
    found.set(key, { marks, rigid: r, count: n, rms: Math.sqrt(ss / n) });
  };

  const triples = targets.length >= 3 ? baseTriples(targets, 10) : [];
  outer: for (const [a, b, c] of triples) {
    const dab = dist3(targets[a], targets[b]), dac = dist3(targets[a], targets[c]), dbc = dist3(targets[b], targets[c]);
    for (const q1 of cands) {
      for (const q2 of cands) {
        if (q2.i === q1.i || q2.j === q1.j || Math.abs(dist3(q1.p, q2.p) - dab) > distTol(dab)) continue;
        for (const q3 of cands) {
          if (q3.i === q1.i || q3.i === q2.i || q3.j === q1.j || q3.j === q2.j) continue;
          if (Math.abs(dist3(q1.p, q3.p) - dac) > distTol(dac) || Math.abs(dist3(q2.p, q3.p) - dbc) > distTol(dbc)) continue;
          const r = rigidFit([targets[a], targets[b], targets[c]], [q1.p, q2.p, q3.p]);
          if (tiltDeg(r.rotation) > MAX_TILT + 3) continue;
          consider(r);
          if (hypotheses >= maxHyp) break outer;
        }
      }
    }
  }
  const ranked = [...found.values()].filter((x) => x).sort((p, q) => q.count - p.count || p.rms - q.rms);
  const best = ranked[0];
  if (!best) return { best: undefined, rival: undefined, primary: [A, B], hypotheses };
  const rival = ranked.slice(1).find((x) => x.count === best.count && x.rms <= 2 * best.rms);
  extendToAllViews(views, model, targets, best, [A, B]);
  return { best, rival, primary: [A, B], hypotheses };
}

/**
 * Looks for every target in every view where it should be: the triangulated position
 * (primary pair) or else the registered one, projected with the believed geometry; the
 * nearest free detection within a tolerance (at most 3 mm, and under half the distance
 * to the next predicted bead) is taken, nearest first.
 */
function extendToAllViews(views: readonly ViewMarks[], model: SourceModel, targets: readonly V3[], best: Assignment, [A, B]: [number, number]): void {
  const where: V3[] = targets.map((t, k) => {
    const row = best.marks[k];
    if (row[A] >= 0 && row[B] >= 0) {
      const p = intersectRays([rayOf(model, views[A].angle, views[A].marks[row[A]].u, views[A].marks[row[A]].v), rayOf(model, views[B].angle, views[B].marks[row[B]].u, views[B].marks[row[B]].v)]);
      if (p) return p;
    }
    return apply(best.rigid.rotation, best.rigid.translation, t);
  });
  views.forEach((view, k) => {
    const pred = where.map((p) => project(model, view.angle, p));
    const used = new Set(best.marks.map((r) => r[k]).filter((d) => d >= 0));
    const pairs: { t: number; d: number; dist: number }[] = [];
    pred.forEach((p, t) => {
      if (best.marks[t][k] >= 0) return;
      let near = Infinity;
      pred.forEach((q, s) => { if (s !== t) near = Math.min(near, Math.hypot(p[0] - q[0], p[1] - q[1])); });
      const tol = Math.min(3, 0.45 * near);
      view.marks.forEach((m, d) => {
        const dist = Math.hypot(m.u - p[0], m.v - p[1]);
        if (dist <= tol && !used.has(d)) pairs.push({ t, d, dist });
      });
    });
    pairs.sort((a, b) => a.dist - b.dist);
    for (const { t, d } of pairs) {
      if (best.marks[t][k] >= 0 || used.has(d)) continue;
      best.marks[t][k] = d;
      used.add(d);
    }
  });
}
