/**
 * The page: loads the engine (wasm SIMD where the browser has it, scalar otherwise),
 * builds a targeting request from two clicks on the synthetic stereo pair or takes one
 * as JSON, computes it with the library and shows the numbers, findings and side view.
 * Every number shown is the library's; the page only draws.
 */
import {
  dicomTargetsWith, loadEngine, parseJson, shippedCatalog, simdSupported, StereotaxError, targetWith, TYPICAL_GEOMETRIES,
  type DicomElement, type Engine, type KernelChoice, type NeedleDevice, type TargetingResult,
} from 'stereotax';
import { context, drawBlank, drawCursor, drawMarks, drawSide, drawSynthetic, IMAGE_WINDOW, type ImageWindow, type SideGeometry } from './draw.js';
import { EXAMPLE_PROFILE, readFiles } from './dicom.js';
import { halfWidth, makeScene, projectPoints, projectScene, type ProjectedScene, type Scene } from './synthetic.js';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

const ANGLES = [15, -15] as const;
const THICKNESS = 45;
const GEOMETRY = TYPICAL_GEOMETRIES.default;

const EXAMPLE = {
  id: 'README example: typical unit, +/-15 degree pair, 14G gun',
  geometry: { sourceToDetector: 660, sourceToSupport: 640, rotationAxisHeight: -20 },
  thickness: '4.5 cm',
  views: [{ angle: 15, u: -5.41, v: 32.36 }, { angle: '-15 deg', u: 15.98, v: 32.36 }],
  imageSigma: 0.1,
  needle: { approach: 'vertical', device: { name: '14G spring-loaded gun, 22 mm throw', gauge: 14, throw: 22, apertureLength: 18, tipLength: 4 } },
};

type Mark = { u: number; v: number };

const state: {
  engine?: Engine;
  seed: number;
  scene?: Scene;
  projected: ProjectedScene[];
  marks: (Mark | undefined)[];
  /** 'synthetic': the clickable pair; 'request': a loaded JSON request. */
  mode: 'synthetic' | 'request';
  request?: Record<string, unknown>;
  result?: TargetingResult;
  windows: ImageWindow[];
  /** The keyboard cursor per view, in CSS pixels of the canvas (where Enter marks). */
  cursors: { x: number; y: number }[];
} = {
  seed: 1, projected: [], marks: [undefined, undefined], mode: 'synthetic', windows: [IMAGE_WINDOW, IMAGE_WINDOW],
  cursors: [0, 1].map(() => ({ x: Math.round(IMAGE_WINDOW.width / 2), y: Math.round(IMAGE_WINDOW.height / 2) })),
};

// CSP violations are counted where the test (and a curious engineer) can read them.
let violations = 0;
document.addEventListener('securitypolicyviolation', () => {
  violations++;
  document.body.dataset.cspViolations = String(violations);
});

const devices = shippedCatalog().biopsyDevices;

function requestDevice(id: string): NeedleDevice {
  const d = devices.find((x) => x.id === id) ?? devices[0];
  const out: NeedleDevice = { name: d.name, throw: d.throw, apertureLength: d.apertureLength, tipLength: d.tipLength };
  if (d.gauge !== undefined) out.gauge = d.gauge;
  return out;
}

async function startEngine(choice: KernelChoice): Promise<void> {
  const badge = $('engine');
  try {
    const engine = await loadEngine({ kernel: choice });
    state.engine = engine;
    const simd = simdSupported();
    badge.textContent = engine.kernel === 'simd'
      ? 'WebAssembly SIMD (f64x2)'
      : `WebAssembly scalar${simd ? ' (chosen)' : ' (this browser has no wasm SIMD)'}`;
    badge.dataset.kernel = engine.kernel;
    badge.dataset.simdSupported = String(simd);
    document.body.dataset.state = 'ready';
  } catch (err) {
    state.engine = undefined;
    badge.textContent = `not loaded: ${(err as Error).message}`;
    badge.dataset.kernel = 'error';
    document.body.dataset.state = 'engine-error';
    throw err;
  }
}

function newScene(): void {
  if (!state.engine) return;
  state.scene = makeScene(state.seed, GEOMETRY, THICKNESS);
  state.projected = ANGLES.map((a) => projectScene(state.engine!, state.scene!, a));
  state.marks = [undefined, undefined];
  state.mode = 'synthetic';
  state.windows = [IMAGE_WINDOW, IMAGE_WINDOW];
  state.result = undefined;
  state.request = undefined;
  // The synthetic truth, for anyone checking the round trip (the browser test does).
  const l = state.scene.lesion;
  Object.assign($('images').dataset, { lesionX: String(l.x), lesionY: String(l.y), lesionZ: String(l.z), seed: String(state.seed) });
  ANGLES.forEach((a, k) => {
    const c = $<HTMLCanvasElement>(`view-${k}`);
    const w = state.windows[k];
    Object.assign(c.dataset, {
      angle: String(a), uMin: String(w.uMin), vMin: String(w.vMin), mmPerPx: String(w.mmPerPx),
      lesionU: String(state.projected[k].lesion.u), lesionV: String(state.projected[k].lesion.v),
    });
  });
  showResult();
}

function viewLabel(k: number): string {
  const angle = state.mode === 'request' ? Number((state.result?.marks[k]?.angle ?? NaN)) : ANGLES[k];
  return `${angle > 0 ? '+' : ''}${angle}°`;
}

function drawViews(): void {
  for (let k = 0; k < 2; k++) {
    const canvas = $<HTMLCanvasElement>(`view-${k}`);
    const w = state.windows[k];
    const ctx = context(canvas, w.width, w.height);
    let mark = state.marks[k];
    if (state.mode === 'synthetic' && state.scene) drawSynthetic(ctx, w, state.projected[k], state.seed * 7919 + k, state.scene.spicules);
    else drawBlank(ctx, w);
    let back: Mark | undefined;
    if (state.result && state.engine) {
      const angle = state.result.marks[k]?.angle;
      if (angle !== undefined) [back] = projectPoints(state.engine, requestGeometry(), angle, [state.result.target]);
      if (state.mode === 'request') mark = state.result.marks[k];
    }
    drawMarks(ctx, w, mark, back, state.mode === 'request' ? `${viewLabel(k)} (request's mark)` : `${viewLabel(k)} view`);
    const c = state.cursors[k];
    if (document.activeElement === canvas && state.mode === 'synthetic') drawCursor(ctx, c.x, c.y);
    const caption = $(`mark-${k}`);
    caption.textContent = mark ? `${viewLabel(k)}: mark u = ${mark.u.toFixed(2)} mm, v = ${mark.v.toFixed(2)} mm` : `${viewLabel(k)}: no mark`;
    const at = cursorMm(k);
    $(`cursor-${k}`).textContent = state.mode === 'synthetic' ? `cursor u = ${at.u.toFixed(2)} mm, v = ${at.v.toFixed(2)} mm` : '';
    canvas.setAttribute('aria-label', state.mode === 'synthetic'
      ? `${viewLabel(k)} view for marking the lesion: arrow keys move the cursor (with Shift, 10 pixels = ${(10 * w.mmPerPx).toFixed(0)} mm), Enter or Space marks`
      : `${viewLabel(k)} view with the request's mark`);
    canvas.dataset.cursorX = String(c.x);
    canvas.dataset.cursorY = String(c.y);
    if (mark) Object.assign(canvas.dataset, { markU: String(mark.u), markV: String(mark.v) });
    else {
      delete canvas.dataset.markU;
      delete canvas.dataset.markV;
    }
  }
}

/** The image position (mm) under view k's keyboard cursor: the same mapping as a click's. */
function cursorMm(k: number): Mark {
  const w = state.windows[k], c = state.cursors[k];
  return { u: w.uMin + c.x * w.mmPerPx, v: w.vMin + c.y * w.mmPerPx };
}

/** The marks and the result in words, for a screen reader (the text alternative of the canvases). */
function describeMarks(): void {
  const marks = [0, 1].map((k) => {
    const m = state.mode === 'request' ? state.result?.marks[k] : state.marks[k];
    return `${viewLabel(k)} view: ${m ? `u = ${m.u.toFixed(2)} mm, v = ${m.v.toFixed(2)} mm` : 'no mark'}`;
  });
  const r = state.result;
  const errors = r?.findings.filter((f) => f.severity === 'error').length ?? 0;
  const warnings = r?.findings.filter((f) => f.severity === 'warning').length ?? 0;
  const target = r ? `Target x = ${r.target.x.toFixed(2)}, y = ${r.target.y.toFixed(2)}, z = ${r.target.z.toFixed(2)} mm; ${errors} error and ${warnings} warning findings.` : 'No target computed.';
  $('marks-summary').textContent = `Marks: ${marks.join('; ')}. ${target}`;
  const needle = r?.needle;
  $('side').setAttribute('aria-label', r
    ? `Side view along y: target at x = ${r.target.x.toFixed(2)} mm, z = ${r.target.z.toFixed(2)} mm above the support, depth from skin ${r.depthFromSkin.toFixed(2)} mm${needle && 'strokeMargin' in needle && typeof needle.strokeMargin === 'number' ? `, stroke margin ${needle.strokeMargin.toFixed(2)} mm` : ''}`
    : 'Side view along y: support and paddle, nothing computed yet');
}

function requestGeometry() {
  const g = state.mode === 'request' ? (state.result && (state.request?.geometry as typeof GEOMETRY | undefined)) : undefined;
  // A loaded request's geometry has been validated; it may carry unit strings, so take the numbers the library used.
  return g && typeof g.sourceToDetector === 'number' && typeof g.sourceToSupport === 'number' && typeof g.rotationAxisHeight === 'number' ? g : GEOMETRY;
}

function syntheticRequest(): Record<string, unknown> | undefined {
  const [a, b] = state.marks;
  if (!a || !b) return undefined;
  const sigma = Number(($<HTMLInputElement>('sigma')).value);
  return {
    id: `synthetic pair, seed ${state.seed}`,
    geometry: { ...GEOMETRY },
    thickness: THICKNESS,
    views: [{ angle: ANGLES[0], u: a.u, v: a.v }, { angle: ANGLES[1], u: b.u, v: b.v }],
    imageSigma: Number.isFinite(sigma) ? sigma : 0.1,
    needle: { approach: 'vertical', device: requestDevice(($<HTMLSelectElement>('device')).value) },
  };
}

function showError(err: unknown): void {
  const error = $('error');
  error.hidden = false;
  $('result').dataset.state = 'error';
  if (err instanceof StereotaxError) {
    error.dataset.code = err.code;
    error.dataset.path = err.path;
    error.textContent = err.issues.map((i) => `${i.code} at ${i.path || '(request)'}: expected ${i.expected}, received ${i.received}\n  ${i.message}`).join('\n');
  } else {
    error.dataset.code = 'error';
    error.textContent = (err as Error).message;
  }
}

/** Validates and computes with the library; a StereotaxError is shown with its code, path, expected and received. */
function compute(request: unknown): void {
  const error = $('error');
  error.hidden = true;
  error.textContent = '';
  delete error.dataset.code;
  delete error.dataset.path;
  state.result = undefined;
  $('request-json').textContent = JSON.stringify(request, null, 2);
  try {
    if (!state.engine) throw new Error('the WebAssembly engine is not loaded');
    state.result = targetWith(state.engine, request);
    $('result').dataset.state = 'computed';
  } catch (err) {
    showError(err);
  }
  showResult();
}

const FIELDS: [group: string, rows: [path: string, label: string, digits: number, unit: string][]][] = [
  ['target (frame)', [['target.x', 'x', 2, 'mm'], ['target.y', 'y', 2, 'mm'], ['target.z', 'z (height above support)', 2, 'mm'], ['depthFromSkin', 'depth from skin (paddle)', 2, 'mm']]],
  ['consistency', [['rayGap', 'ray gap', 3, 'mm'], ['classic.z', 'parallel-beam z (legacy)', 2, 'mm']]],
  ['uncertainty (from marking error)', [
    ['uncertainty.sigma.x', 'σx', 3, 'mm'], ['uncertainty.sigma.y', 'σy', 3, 'mm'], ['uncertainty.sigma.z', 'σz', 3, 'mm'],
    ['uncertainty.ellipsoid95.semiAxes.0', '95 % ellipsoid semi-axis 1', 3, 'mm'],
    ['uncertainty.ellipsoid95.semiAxes.1', '95 % ellipsoid semi-axis 2', 3, 'mm'],
    ['uncertainty.ellipsoid95.semiAxes.2', '95 % ellipsoid semi-axis 3', 3, 'mm'],
  ]],
  ['DICOM: the console\'s stored target', [
    ['dicom.console.x', 'console x', 3, 'mm'], ['dicom.console.y', 'console y', 3, 'mm'], ['dicom.console.z', 'console z', 3, 'mm'],
    ['dicom.consoleDifference.x', 'console − ours, x', 4, 'mm'], ['dicom.consoleDifference.y', 'console − ours, y', 4, 'mm'],
    ['dicom.consoleDifference.z', 'console − ours, z', 4, 'mm'],
  ]],
  ['needle', [
    ['needle.strokeMargin', 'stroke margin', 2, 'mm'], ['needle.prefireTipZ', 'pre-fire tip z', 2, 'mm'], ['needle.postfireTipZ', 'post-fire tip z', 2, 'mm'],
    ['needle.apertureDistalZ', 'aperture distal z', 2, 'mm'], ['needle.apertureProximalZ', 'aperture proximal z', 2, 'mm'],
    ['needle.skinClearance', 'skin clearance', 2, 'mm'],
    ['needle.supportClearance', 'support clearance', 2, 'mm'], ['needle.paddleClearance', 'paddle clearance', 2, 'mm'],
    ['needle.postfireTipX', 'post-fire tip x', 2, 'mm'],
  ]],
];

function at(obj: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), obj);
}

function cell(tag: 'th' | 'td' | 'li' | 'span', text: string, cls?: string): HTMLElement {
  const e = document.createElement(tag);
  e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

function showResult(): void {
  const r = state.result;
  const body = $('numbers').querySelector('tbody')!;
  body.replaceChildren();
  if (r) {
    for (const [group, rows] of FIELDS) {
      const shown = rows.filter(([path]) => typeof at(r, path) === 'number');
      if (!shown.length) continue;
      const head = document.createElement('tr');
      head.className = 'group';
      const th = cell('th', group);
      th.setAttribute('colspan', '3');
      head.append(th);
      body.append(head);
      for (const [path, label, digits, unit] of shown) {
        const value = at(r, path) as number;
        const tr = document.createElement('tr');
        const td = cell('td', value.toFixed(digits));
        // Full precision for programs (and the browser test); the text is rounded for people.
        Object.assign(td.dataset, { field: path, digits: String(digits), value: String(value) });
        tr.append(cell('th', label), td, cell('td', unit, 'unit'));
        body.append(tr);
      }
    }
  }
  const list = $('findings');
  list.replaceChildren();
  if (!r) list.append(cell('li', state.mode === 'synthetic' ? 'mark the lesion on both views' : 'nothing computed', 'none'));
  else if (!r.findings.length) list.append(cell('li', 'no findings: the plan passes every check', 'none'));
  for (const f of r?.findings ?? []) {
    const li = document.createElement('li');
    li.className = f.severity;
    li.dataset.code = f.code;
    li.dataset.severity = f.severity;
    const code = cell('span', f.code, 'code');
    // The severity in words as well as colour (red: every error, console_disagrees among them; amber: warnings).
    li.append(cell('span', f.severity.toUpperCase(), 'severity'), ' ', code, `: ${f.message}`);
    list.append(li);
  }
  $('result-json').textContent = r ? JSON.stringify(r, null, 2) : '';
  describeMarks();
  if (!r) $('result').dataset.state = $('error').hidden ? 'empty' : 'error';
  drawViews();
  drawSideView();
}

function drawSideView(): void {
  const canvas = $<HTMLCanvasElement>('side');
  const ctx = context(canvas, 720, 300);
  const r = state.result;
  const thickness = r ? r.depthFromSkin + r.target.z : THICKNESS;
  const side: SideGeometry = { thickness };
  if (state.mode === 'synthetic' && state.scene) side.halfWidth = halfWidth(state.scene.outline, r ? r.target.y : state.scene.lesion.y);
  const lateral = (state.request?.needle as { lateral?: { nearSkinX?: unknown; farSkinX?: unknown } } | undefined)?.lateral;
  if (typeof lateral?.nearSkinX === 'number') side.nearSkinX = lateral.nearSkinX;
  if (typeof lateral?.farSkinX === 'number') side.farSkinX = lateral.farSkinX;
  drawSide(ctx, 720, 300, r, side);
}

function onClick(k: number, ev: MouseEvent): void {
  // A click moves the keyboard cursor there too, so keys continue from it.
  // offsetX/Y are in displayed pixels: scaled back where a narrow screen shrinks the canvas (a factor 1 otherwise).
  const canvas = ev.currentTarget as HTMLCanvasElement, w = state.windows[k];
  const sx = canvas.clientWidth ? w.width / canvas.clientWidth : 1, sy = canvas.clientHeight ? w.height / canvas.clientHeight : 1;
  markAt(k, ev.offsetX * sx, ev.offsetY * sy);
}

const KEY_STEPS: Record<string, [number, number]> = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };

/** Arrow keys move view k's cursor a pixel (Shift: ten), Enter or Space marks under it: the same mark a click there makes. */
function onKey(k: number, ev: KeyboardEvent): void {
  const step = KEY_STEPS[ev.key];
  if (step) {
    ev.preventDefault();
    if (state.mode !== 'synthetic') return;
    const w = state.windows[k], c = state.cursors[k], n = ev.shiftKey ? 10 : 1;
    c.x = Math.min(w.width - 1, Math.max(0, c.x + step[0] * n));
    c.y = Math.min(w.height - 1, Math.max(0, c.y + step[1] * n));
    drawViews();
  } else if (ev.key === 'Enter' || ev.key === ' ') {
    ev.preventDefault();
    markAt(k, state.cursors[k].x, state.cursors[k].y);
  }
}

function markAt(k: number, x: number, y: number): void {
  if (!state.engine) return;
  if (state.mode !== 'synthetic') newScene();
  const w = state.windows[k];
  state.cursors[k] = { x, y };
  state.marks[k] = { u: w.uMin + x * w.mmPerPx, v: w.vMin + y * w.mmPerPx };
  const request = syntheticRequest();
  if (request) {
    state.request = request;
    compute(request);
  } else showResult();
}

/** For a loaded request: each view's window centred on its mark. */
function fitWindows(r: TargetingResult): void {
  state.windows = [0, 1].map((k) => {
    const m = r.marks[k];
    const w = IMAGE_WINDOW;
    const spanU = w.width * w.mmPerPx;
    const spanV = w.height * w.mmPerPx;
    return m ? { ...w, uMin: m.u - spanU / 2, vMin: m.v - spanV / 2 } : w;
  });
}

function computeText(text: string): void {
  state.mode = 'request';
  state.marks = [undefined, undefined];
  state.windows = [IMAGE_WINDOW, IMAGE_WINDOW];
  state.request = undefined;
  let request: unknown;
  try {
    request = parseJson(text, 'the request');
  } catch (err) {
    state.result = undefined;
    $('request-json').textContent = '';
    showError(err);
    showResult();
    return;
  }
  state.request = request as Record<string, unknown>;
  compute(request);
  if (state.result) {
    fitWindows(state.result);
    drawViews();
  }
}

const fmt3 = (p: { x: number; y: number; z: number } | null | undefined, d = 2) => (p ? `${p.x.toFixed(d)}, ${p.y.toFixed(d)}, ${p.z.toFixed(d)}` : '–');

/** The targets of a DICOM stereo set, one row each; a row shows its target in the panels above. */
function showDicom(elements: DicomElement[]): void {
  const body = $('dicom-targets').querySelector('tbody')!;
  body.replaceChildren();
  elements.forEach((e, k) => {
    const tr = document.createElement('tr');
    tr.dataset.index = String(k);
    tr.dataset.uid = e.dicom.targetUid;
    const name = `${e.dicom.label ?? ''} ${e.dicom.targetUid}`.trim();
    if ('error' in e) {
      tr.className = 'error';
      tr.dataset.code = e.error.code;
      tr.append(cell('td', name), cell('td', e.dicom.files.join(', ')), cell('td', `${e.error.code}: ${e.error.message}`));
      (tr.lastChild as HTMLElement).setAttribute('colspan', '4');
    } else {
      const findings = cell('td', e.findings.length ? '' : 'none');
      e.findings.forEach((f, i) => {
        if (i) findings.append(', ');
        const span = cell('span', `${f.code} (${f.severity})`, `finding-code ${f.severity}`);
        span.dataset.code = f.code;
        findings.append(span);
      });
      if (e.findings.some((f) => f.severity === 'error')) tr.classList.add('has-error');
      tr.append(cell('td', name), cell('td', e.dicom.files.join(', ')), cell('td', fmt3(e.target)), cell('td', fmt3(e.dicom.console)),
        cell('td', fmt3(e.dicom.consoleDifference, 4)), findings);
      // Rows are chosen with the keyboard too: Tab to a row, Enter or Space shows it.
      tr.tabIndex = 0;
      tr.setAttribute('aria-label', `show target ${name}`);
      tr.addEventListener('keydown', (ev) => {
        if (ev.key === 'Enter' || ev.key === ' ') {
          ev.preventDefault();
          selectDicom(elements, k);
        }
      });
      tr.addEventListener('click', () => selectDicom(elements, k));
    }
    body.append(tr);
  });
  const first = elements.findIndex((e) => !('error' in e));
  if (first >= 0) selectDicom(elements, first);
  else showResult();
}

function selectDicom(elements: DicomElement[], k: number): void {
  const e = elements[k];
  if ('error' in e) return;
  for (const tr of Array.from($('dicom-targets').querySelectorAll('tbody tr'))) {
    const on = (tr as HTMLElement).dataset.index === String(k);
    tr.classList.toggle('selected', on);
    if (on) tr.setAttribute('aria-selected', 'true');
    else tr.removeAttribute('aria-selected');
  }
  state.result = e;
  $('result').dataset.state = 'computed';
  fitWindows(e);
  showResult();
}

async function computeDicom(): Promise<void> {
  state.mode = 'request';
  state.marks = [undefined, undefined];
  state.request = undefined;
  state.result = undefined;
  $('dicom-targets').querySelector('tbody')!.replaceChildren();
  const error = $('error');
  error.hidden = true;
  delete error.dataset.code;
  delete error.dataset.path;
  try {
    if (!state.engine) throw new Error('the WebAssembly engine is not loaded');
    const files = await readFiles(($<HTMLInputElement>('dicom-files')).files);
    const profile = parseJson(($<HTMLTextAreaElement>('dicom-profile')).value, 'the unit profile');
    $('request-json').textContent = JSON.stringify({ files: files.map((f) => f.name), profile }, null, 2);
    showDicom(dicomTargetsWith(state.engine, files, profile));
  } catch (err) {
    showError(err);
    showResult();
  }
}

function wire(): void {
  $<HTMLTextAreaElement>('dicom-profile').value = JSON.stringify(EXAMPLE_PROFILE, null, 2);
  $('dicom-compute').addEventListener('click', () => void computeDicom());
  const select = $<HTMLSelectElement>('device');
  for (const d of devices) {
    const o = document.createElement('option');
    o.value = d.id;
    o.textContent = d.name;
    select.append(o);
  }
  select.value = 'vacuum-9g-20';
  const recompute = () => {
    if (state.mode !== 'synthetic') return;
    const request = syntheticRequest();
    if (request) {
      state.request = request;
      compute(request);
    }
  };
  select.addEventListener('change', recompute);
  $('sigma').addEventListener('change', recompute);
  for (const k of [0, 1]) {
    const view = $(`view-${k}`);
    view.addEventListener('click', (ev) => onClick(k, ev as MouseEvent));
    view.addEventListener('keydown', (ev) => onKey(k, ev as KeyboardEvent));
    view.addEventListener('focus', () => drawViews());
    view.addEventListener('blur', () => drawViews());
  }
  $('new-lesion').addEventListener('click', () => {
    state.seed++;
    newScene();
  });
  $('clear-marks').addEventListener('click', () => newScene());
  $('example').addEventListener('click', () => {
    $<HTMLTextAreaElement>('request-text').value = JSON.stringify(EXAMPLE, null, 2);
  });
  $('compute').addEventListener('click', () => computeText($<HTMLTextAreaElement>('request-text').value));
  $('request-file').addEventListener('change', async (ev) => {
    const file = (ev.target as HTMLInputElement).files?.[0];
    if (!file) return;
    const text = await file.text();
    $<HTMLTextAreaElement>('request-text').value = text;
    computeText(text);
  });
  const kernel = $<HTMLSelectElement>('kernel');
  const fromUrl = new URLSearchParams(location.search).get('kernel');
  if (fromUrl === 'simd' || fromUrl === 'scalar' || fromUrl === 'auto') kernel.value = fromUrl;
  kernel.addEventListener('change', async () => {
    await startEngine(kernel.value as KernelChoice).catch(() => undefined);
    if (state.mode === 'synthetic') {
      const marks = state.marks;
      newScene();
      state.marks = marks;
      recompute();
      if (!state.result) showResult();
    } else computeText($<HTMLTextAreaElement>('request-text').value);
  });
}

wire();
startEngine($<HTMLSelectElement>('kernel').value as KernelChoice)
  .then(() => newScene())
  .catch(() => showResult());
