/**
 * Canvas drawing: the detector images (synthetic or the request's marks) and the side
 * view of needle and breast. Drawing only: every number drawn comes from the library.
 */
import { CHI2_3DOF_95, GAUGE_OUTER_DIAMETER, type TargetingResult } from 'stereotax';
import { random, type ProjectedScene } from './synthetic.js';

/** What part of the detector a view's canvas shows: u to the right, v downward (chest wall at the top). */
export interface ImageWindow {
  uMin: number;
  vMin: number;
  mmPerPx: number;
  width: number;
  height: number;
}

export const IMAGE_WINDOW: ImageWindow = { uMin: -40, vMin: -4, mmPerPx: 0.2, width: 400, height: 320 };

/** A 2-D context sized for the device's pixel ratio, drawing in CSS pixels. */
export function context(canvas: HTMLCanvasElement, width: number, height: number): CanvasRenderingContext2D {
  const dpr = Math.max(1, Math.min(3, globalThis.devicePixelRatio || 1));
  if (canvas.width !== Math.round(width * dpr)) canvas.width = Math.round(width * dpr);
  if (canvas.height !== Math.round(height * dpr)) canvas.height = Math.round(height * dpr);
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const ctx = canvas.getContext('2d')!;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return ctx;
}

const toPx = (w: ImageWindow, u: number, v: number) => [(u - w.uMin) / w.mmPerPx, (v - w.vMin) / w.mmPerPx] as const;

/** A disc of radius r whose brightness follows the radial colour stops. */
function glow(ctx: CanvasRenderingContext2D, x: number, y: number, r: number, stops: [number, string][]): void {
  const g = ctx.createRadialGradient(x, y, 0, x, y, r);
  for (const [at, colour] of stops) g.addColorStop(at, colour);
  ctx.fillStyle = g;
  ctx.beginPath();
  ctx.arc(x, y, r, 0, 2 * Math.PI);
  ctx.fill();
}

/** The synthetic image: dark detector, breast tissue brighter, dense features brightest. */
export function drawSynthetic(ctx: CanvasRenderingContext2D, w: ImageWindow, view: ProjectedScene, seed: number, spicules: { angle: number; length: number }[]): void {
  ctx.fillStyle = '#050505';
  ctx.fillRect(0, 0, w.width, w.height);
  ctx.save();
  const path = new Path2D();
  for (const ring of view.outlines) {
    ring.forEach((p, k) => {
      const [x, y] = toPx(w, p.u, p.v);
      if (k === 0) path.moveTo(x, y);
      else path.lineTo(x, y);
    });
    path.closePath();
  }
  ctx.fillStyle = '#3a3a3a';
  ctx.fill(path, 'nonzero');
  ctx.clip(path, 'nonzero');
  ctx.globalCompositeOperation = 'lighter';
  for (const b of view.blobs) {
    const [x, y] = toPx(w, b.u, b.v);
    glow(ctx, x, y, b.r / w.mmPerPx, [[0, `rgba(200,200,200,${b.density.toFixed(3)})`], [1, 'rgba(200,200,200,0)']]);
  }
  ctx.globalCompositeOperation = 'source-over';
  // The lesion: a dense spiculated mass, and its calcifications.
  const [lx, ly] = toPx(w, view.lesion.u, view.lesion.v);
  const lr = view.lesion.r / w.mmPerPx;
  ctx.strokeStyle = 'rgba(230,230,230,0.55)';
  ctx.lineWidth = 1.2;
  for (const s of spicules) {
    ctx.beginPath();
    ctx.moveTo(lx, ly);
    ctx.lineTo(lx + Math.cos(s.angle) * lr * s.length, ly + Math.sin(s.angle) * lr * s.length);
    ctx.stroke();
  }
  glow(ctx, lx, ly, lr, [[0, 'rgba(245,245,245,0.95)'], [0.75, 'rgba(225,225,225,0.8)'], [1, 'rgba(200,200,200,0)']]);
  ctx.fillStyle = '#ffffff';
  for (const c of view.calcs) {
    const [x, y] = toPx(w, c.u, c.v);
    ctx.fillRect(x - 0.8, y - 0.8, 1.6, 1.6);
  }
  ctx.restore();
  // Quantum noise, the same for a given seed.
  const img = ctx.getImageData(0, 0, ctx.canvas.width, ctx.canvas.height);
  const rnd = random(seed);
  for (let i = 0; i < img.data.length; i += 4) {
    const n = (rnd() - 0.5) * 18;
    img.data[i] += n;
    img.data[i + 1] += n;
    img.data[i + 2] += n;
  }
  ctx.putImageData(img, 0, 0);
}

/** A plain detector field for a request's marks (no synthetic anatomy behind them). */
export function drawBlank(ctx: CanvasRenderingContext2D, w: ImageWindow): void {
  ctx.fillStyle = '#1c1f24';
  ctx.fillRect(0, 0, w.width, w.height);
  ctx.strokeStyle = '#2e333b';
  ctx.lineWidth = 1;
  const step = 10;
  for (let u = Math.ceil(w.uMin / step) * step; u < w.uMin + w.width * w.mmPerPx; u += step) {
    const [x] = toPx(w, u, 0);
    ctx.beginPath();
    ctx.moveTo(x, 0);
    ctx.lineTo(x, w.height);
    ctx.stroke();
  }
  for (let v = Math.ceil(w.vMin / step) * step; v < w.vMin + w.height * w.mmPerPx; v += step) {
    const [, y] = toPx(w, 0, v);
    ctx.beginPath();
    ctx.moveTo(0, y);
    ctx.lineTo(w.width, y);
    ctx.stroke();
  }
}

/** The mark (yellow ring) and, once computed, the target projected back into the view (cyan cross). */
export function drawMarks(ctx: CanvasRenderingContext2D, w: ImageWindow, mark: { u: number; v: number } | undefined, reprojected: { u: number; v: number } | undefined, label: string): void {
  if (mark) {
    const [x, y] = toPx(w, mark.u, mark.v);
    ctx.strokeStyle = '#ffd23f';
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    ctx.arc(x, y, 7, 0, 2 * Math.PI);
    ctx.stroke();
    ctx.beginPath();
    ctx.moveTo(x - 11, y);
    ctx.lineTo(x - 4, y);
    ctx.moveTo(x + 4, y);
    ctx.lineTo(x + 11, y);
    ctx.moveTo(x, y - 11);
    ctx.lineTo(x, y - 4);
    ctx.moveTo(x, y + 4);
    ctx.lineTo(x, y + 11);
    ctx.stroke();
  }
  if (reprojected) {
    const [x, y] = toPx(w, reprojected.u, reprojected.v);
    ctx.strokeStyle = '#38d9e6';
    ctx.lineWidth = 1.2;
    ctx.beginPath();
    ctx.moveTo(x - 4, y - 4);
    ctx.lineTo(x + 4, y + 4);
    ctx.moveTo(x + 4, y - 4);
    ctx.lineTo(x - 4, y + 4);
    ctx.stroke();
  }
  ctx.fillStyle = 'rgba(0,0,0,0.55)';
  ctx.fillRect(0, 0, 150, 20);
  ctx.fillStyle = '#f0f0f0';
  ctx.font = '12px system-ui, sans-serif';
  ctx.fillText(label, 6, 14);
}

/**
 * The keyboard cursor (a dashed white square with a magenta centre dot, unlike the yellow
 * mark and the cyan back-projection), at (x, y) in CSS pixels; drawn while the view has focus.
 */
export function drawCursor(ctx: CanvasRenderingContext2D, x: number, y: number): void {
  ctx.save();
  ctx.setLineDash([3, 2]);
  ctx.lineWidth = 1.5;
  ctx.strokeStyle = '#ffffff';
  ctx.strokeRect(x - 9, y - 9, 18, 18);
  ctx.setLineDash([]);
  ctx.strokeStyle = '#000000';
  ctx.lineWidth = 1;
  ctx.strokeRect(x - 10.5, y - 10.5, 21, 21);
  ctx.fillStyle = '#ff4fd8';
  ctx.fillRect(x - 1, y - 1, 3, 3);
  ctx.restore();
}

/** 2x2 symmetric eigen-decomposition: semi-axes sqrt(k * lambda) and the major axis's angle. */
function ellipse2(cxx: number, cxz: number, czz: number, k: number): { a: number; b: number; angle: number } {
  const m = (cxx + czz) / 2;
  const d = Math.hypot((cxx - czz) / 2, cxz);
  const l1 = Math.max(m + d, 0);
  const l2 = Math.max(m - d, 0);
  return { a: Math.sqrt(k * l1), b: Math.sqrt(k * l2), angle: 0.5 * Math.atan2(2 * cxz, cxx - czz) };
}

export interface SideGeometry {
  thickness: number;
  /** Breast half-width along x at the target's y; undefined when unknown (a loaded request). */
  halfWidth?: number;
  /** Lateral approach: the skin positions, when the request gives them. */
  nearSkinX?: number;
  farSkinX?: number;
}

/**
 * The side view, looking along y (from the chest wall): x to the right, z up. Support
 * at z = 0, the paddle and its window at z = thickness, the needle with its aperture at
 * the target, the pre-fire tip, the stroke margin, and the 95 % ellipsoid seen from the side
 * (the shadow of the 3-D ellipsoid: the x-z block of the covariance times chi2(3 dof, 95 %)).
 */
export function drawSide(ctx: CanvasRenderingContext2D, width: number, height: number, r: TargetingResult | undefined, s: SideGeometry): void {
  ctx.fillStyle = '#f8f9fb';
  ctx.fillRect(0, 0, width, height);
  const T = s.thickness;
  const xSpan = 150;
  const zLo = -14;
  const zHi = T + 34;
  // The right-hand column holds the magnified inset; the breast gets the rest.
  const inset = 170;
  const plot = width - inset;
  const scale = Math.min((plot - 20) / xSpan, (height - 20) / (zHi - zLo));
  const X = (x: number) => plot / 2 + x * scale;
  const Z = (z: number) => height - 10 - (z - zLo) * scale;
  ctx.font = '11px system-ui, sans-serif';
  ctx.lineWidth = 1;

  // Breast between support and paddle.
  const hw = s.halfWidth ?? 65;
  ctx.fillStyle = '#f3d9c8';
  ctx.strokeStyle = '#b98a6f';
  ctx.beginPath();
  const rr = Math.min(T / 2, hw);
  ctx.roundRect(X(-hw), Z(T), 2 * hw * scale, T * scale, rr * scale);
  ctx.fill();
  ctx.stroke();
  // Support (below z = 0) and paddle (above z = T), the paddle with its window round the needle.
  ctx.fillStyle = '#7d8794';
  ctx.fillRect(X(-xSpan / 2), Z(0), xSpan * scale, 6 * scale);
  const windowHalf = 25;
  const windowCentre = r && r.needle?.approach === 'vertical' ? r.target.x : 0;
  ctx.fillStyle = 'rgba(120,160,200,0.55)';
  ctx.fillRect(X(-xSpan / 2), Z(T + 4), (windowCentre - windowHalf + xSpan / 2) * scale, 4 * scale);
  ctx.fillRect(X(windowCentre + windowHalf), Z(T + 4), (xSpan / 2 - windowCentre - windowHalf) * scale, 4 * scale);
  ctx.fillStyle = '#333';
  ctx.fillText('support (z = 0)', X(-xSpan / 2) + 4, Z(0) + 6 * scale + 12);
  ctx.fillText(`paddle (z = ${T.toFixed(1)} mm)`, X(-xSpan / 2) + 4, Z(T + 4) - 4);
  ctx.fillText('window', X(windowCentre + windowHalf) - 40, Z(T + 4) - 4);
  if (!r) {
    ctx.fillStyle = '#555';
    ctx.fillText('mark the lesion on both views, or load a request', X(-40), Z(T / 2));
    return;
  }
  const t = r.target;
  const n = r.needle;
  if (n?.approach === 'vertical') {
    const od = n.device.outerDiameter ?? (n.device.gauge !== undefined ? GAUGE_OUTER_DIAMETER[n.device.gauge] : undefined) ?? 2;
    const half = Math.max((od / 2) * scale, 1.5);
    const x = X(t.x);
    // Shaft from above the paddle to the aperture, the aperture, the solid tip.
    ctx.fillStyle = '#9aa3ad';
    ctx.fillRect(x - half, Z(T + 30), 2 * half, Z(n.apertureProximalZ) - Z(T + 30));
    ctx.fillStyle = n.skinClearance < 0 ? '#d6453d' : '#2f9e44';
    ctx.fillRect(x - half, Z(n.apertureProximalZ), 2 * half, Z(n.apertureDistalZ) - Z(n.apertureProximalZ));
    ctx.fillStyle = n.postfireTipZ < 0 ? '#d6453d' : '#9aa3ad';
    ctx.beginPath();
    ctx.moveTo(x - half, Z(n.apertureDistalZ));
    ctx.lineTo(x + half, Z(n.apertureDistalZ));
    ctx.lineTo(x, Z(n.postfireTipZ));
    ctx.closePath();
    ctx.fill();
    ctx.fillStyle = '#222';
    ctx.fillText(`aperture ${n.apertureDistalZ.toFixed(1)} to ${n.apertureProximalZ.toFixed(1)} mm`, x + half + 6, Z((n.apertureDistalZ + t.z) / 2) + 4);
    if (n.prefireTipZ !== n.postfireTipZ) {
      ctx.strokeStyle = '#555';
      ctx.setLineDash([3, 3]);
      ctx.beginPath();
      ctx.moveTo(x - half - 8, Z(n.prefireTipZ));
      ctx.lineTo(x + half + 8, Z(n.prefireTipZ));
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillText('pre-fire tip', x - half - 70, Z(n.prefireTipZ) + 4);
    }
    // Depth from the skin under the paddle down to the target.
    const dx = x + half + 10;
    ctx.strokeStyle = '#c2255c';
    ctx.beginPath();
    ctx.moveTo(dx, Z(T));
    ctx.lineTo(dx, Z(t.z));
    ctx.moveTo(dx - 4, Z(T));
    ctx.lineTo(dx + 4, Z(T));
    ctx.moveTo(dx - 4, Z(t.z));
    ctx.lineTo(dx + 4, Z(t.z));
    ctx.stroke();
    ctx.fillStyle = '#c2255c';
    ctx.fillText(`depth ${r.depthFromSkin.toFixed(2)} mm`, dx + 6, Z((T + t.z) / 2) + 4);
    // Stroke margin: from the support up to the fired tip (down, in red, when it is negative).
    const bad = n.strokeMargin < n.minStrokeMargin;
    const warn = !bad && n.strokeMargin < n.warnStrokeMargin;
    ctx.strokeStyle = bad ? '#d6453d' : warn ? '#e08a00' : '#1864ab';
    ctx.lineWidth = 1.5;
    const ax = x - half - 16;
    ctx.beginPath();
    ctx.moveTo(ax, Z(0));
    ctx.lineTo(ax, Z(n.postfireTipZ));
    ctx.moveTo(ax - 4, Z(0));
    ctx.lineTo(ax + 4, Z(0));
    ctx.moveTo(ax - 4, Z(n.postfireTipZ));
    ctx.lineTo(ax + 4, Z(n.postfireTipZ));
    ctx.stroke();
    ctx.lineWidth = 1;
    ctx.fillStyle = ctx.strokeStyle;
    ctx.fillText(`stroke margin ${n.strokeMargin.toFixed(2)} mm`, ax - 128, Z(Math.max(n.postfireTipZ, 0)) - 4);
  } else if (n?.approach === 'lateral') {
    const half = Math.max(n.outerRadius * scale, 1.5);
    const z = Z(t.z);
    const dir = n.side === '+x' ? 1 : -1;
    ctx.fillStyle = '#9aa3ad';
    ctx.fillRect(Math.min(X(n.apertureProximalX), X(dir * 80)), z - half, Math.abs(X(dir * 80) - X(n.apertureProximalX)), 2 * half);
    ctx.fillStyle = '#2f9e44';
    ctx.fillRect(Math.min(X(n.apertureProximalX), X(n.apertureDistalX)), z - half, Math.abs(X(n.apertureDistalX) - X(n.apertureProximalX)), 2 * half);
    ctx.fillStyle = '#9aa3ad';
    ctx.beginPath();
    ctx.moveTo(X(n.apertureDistalX), z - half);
    ctx.lineTo(X(n.apertureDistalX), z + half);
    ctx.lineTo(X(n.postfireTipX), z);
    ctx.closePath();
    ctx.fill();
    ctx.fillStyle = '#222';
    ctx.fillText(`lateral from ${n.side}: support ${n.supportClearance.toFixed(2)} mm, paddle ${n.paddleClearance.toFixed(2)} mm clear`, X(-70), Z(T + 16));
    for (const [label, sx] of [['entry skin', s.nearSkinX], ['far skin', s.farSkinX]] as const) {
      if (sx === undefined) continue;
      ctx.strokeStyle = '#b98a6f';
      ctx.setLineDash([2, 3]);
      ctx.beginPath();
      ctx.moveTo(X(sx), Z(0));
      ctx.lineTo(X(sx), Z(T));
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillText(label, X(sx) - 20, Z(-6));
    }
  }
  // The target, and the inset with the uncertainty.
  ctx.strokeStyle = '#c2255c';
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  ctx.moveTo(X(t.x) - 5, Z(t.z));
  ctx.lineTo(X(t.x) + 5, Z(t.z));
  ctx.moveTo(X(t.x), Z(t.z) - 5);
  ctx.lineTo(X(t.x), Z(t.z) + 5);
  ctx.stroke();
  ctx.lineWidth = 1;
  const u = r.uncertainty;
  if (u) {
    const e = ellipse2(u.covariance[0][0], u.covariance[0][2], u.covariance[2][2], CHI2_3DOF_95);
    const box = 150;
    const bx = plot + (inset - box) / 2;
    const by = 8;
    const halfMm = Math.max(1.6 * e.a, 0.5);
    const k = box / 2 / halfMm;
    ctx.fillStyle = '#ffffff';
    ctx.strokeStyle = '#888';
    ctx.fillRect(bx, by, box, box);
    ctx.strokeRect(bx, by, box, box);
    ctx.save();
    ctx.beginPath();
    ctx.rect(bx, by, box, box);
    ctx.clip();
    ctx.translate(bx + box / 2, by + box / 2);
    ctx.strokeStyle = '#c2255c';
    ctx.fillStyle = 'rgba(194,37,92,0.15)';
    ctx.beginPath();
    // Canvas y runs down, z up: the angle flips sign.
    ctx.ellipse(0, 0, e.a * k, Math.max(e.b * k, 0.5), -e.angle, 0, 2 * Math.PI);
    ctx.fill();
    ctx.stroke();
    ctx.beginPath();
    ctx.moveTo(-4, 0);
    ctx.lineTo(4, 0);
    ctx.moveTo(0, -4);
    ctx.lineTo(0, 4);
    ctx.stroke();
    ctx.restore();
    ctx.fillStyle = '#222';
    ctx.font = '10px system-ui, sans-serif';
    ctx.fillText('95 % ellipsoid, side view', bx + 4, by + box - 18);
    ctx.fillText(`box ${(2 * halfMm).toFixed(1)} mm wide`, bx + 4, by + box - 5);
  }
}
