/**
 * The image QA page: the exposure set, the unit profile and the phantom from files, analysed
 * here (qaFromImages, the same code as `stereotax qa images`), the views drawn with every
 * bead found and its label, the residuals, the calibration and the findings.
 */
import { qaFromImages, imagesPassed, type Codecs, type QAImagesResult } from 'stereotax';
import { decodeImage, runDecoder, type CodecName } from '../src/qa-images/index.js';
import charlsFactory from '@cornerstonejs/codec-charls/wasmjs';
import charlsWasm from '@cornerstonejs/codec-charls/wasm?url';
import openjpegFactory from '@cornerstonejs/codec-openjpeg/wasmjs';
import openjpegWasm from '@cornerstonejs/codec-openjpeg/wasm?url';
import jpegFactory from '@cornerstonejs/codec-libjpeg-turbo-8bit/wasmjs';
import jpegWasm from '@cornerstonejs/codec-libjpeg-turbo-8bit/wasm?url';

type Factory = (o: object) => Promise<Record<string, new () => never>>;
const CODECS: Record<CodecName, { factory: Factory; wasm: string; decoder: string }> = {
  jpegls: { factory: charlsFactory as unknown as Factory, wasm: charlsWasm, decoder: 'JpegLSDecoder' },
  j2k: { factory: openjpegFactory as unknown as Factory, wasm: openjpegWasm, decoder: 'J2KDecoder' },
  jpeg: { factory: jpegFactory as unknown as Factory, wasm: jpegWasm, decoder: 'JPEGDecoder' },
};

/** The browser's codec provider: each wasm module fetched from beside the page, once. */
const loaded = new Map<CodecName, Promise<Record<string, new () => never>>>();
const browserCodecs: Codecs = {
  async decode(codec, encoded) {
    let m = loaded.get(codec);
    if (!m) {
      const c = CODECS[codec];
      m = c.factory({ locateFile: () => c.wasm, print: () => undefined, printErr: () => undefined });
      loaded.set(codec, m);
    }
    return runDecoder((await m) as never, CODECS[codec].decoder, encoded);
  },
};

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const fmt = (x: number, d = 3) => (Object.is(x, -0) ? 0 : x).toFixed(d);

async function readFile(input: HTMLInputElement): Promise<{ name: string; bytes: Uint8Array }[]> {
  return Promise.all(Array.from(input.files ?? []).map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })));
}

async function readJson(input: HTMLInputElement, what: string): Promise<unknown> {
  const [f] = await readFile(input);
  if (!f) throw new Error(`choose the ${what} file`);
  try {
    return JSON.parse(new TextDecoder().decode(f.bytes));
  } catch (err) {
    throw new Error(`${f.name}: not JSON (${(err as Error).message})`);
  }
}

interface Shown { canvas: HTMLCanvasElement; draw: (zoom: number) => void; zoom: number }
const shown: Shown[] = [];

/** One view drawn: the image (1st-99.5th percentile window) scaled to fit, the beads on it. */
function drawView(file: { name: string; bytes: Uint8Array }, index: number, r: QAImagesResult, image: { width: number; height: number; data: Float32Array }): Shown {
  const fig = document.createElement('figure');
  const canvas = document.createElement('canvas');
  canvas.tabIndex = 0;
  const scale = Math.min(560 / image.width, 460 / image.height);
  canvas.width = Math.round(image.width * scale);
  canvas.height = Math.round(image.height * scale);
  const view = r.views[index];
  canvas.setAttribute('role', 'img');
  const labelled = r.beads.filter((b) => b.marks.some((m) => m.file === file.name));
  canvas.setAttribute('aria-label', `${file.name}, ${view.angle} degrees: ${view.detections} detections, ${labelled.length} beads labelled`);
  const cap = document.createElement('figcaption');
  cap.textContent = `${file.name}: ${view.angle}°, ${view.columns} × ${view.rows}, ${view.transferSyntax}, ${view.detections} detections`;
  fig.append(canvas, cap);
  $('views').append(fig);
  const sample = Float32Array.from({ length: 20000 }, (_, k) => image.data[Math.floor((k * image.data.length) / 20000)]).sort();
  const lo = sample[Math.floor(0.01 * sample.length)], hi = sample[Math.floor(0.995 * sample.length)] || lo + 1;
  const ctx = canvas.getContext('2d')!;
  const draw = (zoom: number) => {
    // The whole image at zoom 1; zoomed, about the centroid of the beads shown (the phantom).
    const about = zoom > 1 && labelled.length > 0;
    const cx = about ? labelled.reduce((a, b) => a + b.marks.find((m) => m.file === file.name)!.col, 0) / labelled.length : image.width / 2;
    const cy = about ? labelled.reduce((a, b) => a + b.marks.find((m) => m.file === file.name)!.row, 0) / labelled.length : image.height / 2;
    const s = scale * zoom;
    const ox = canvas.width / 2 - cx * s, oy = canvas.height / 2 - cy * s;
    const out = ctx.createImageData(canvas.width, canvas.height);
    for (let y = 0; y < canvas.height; y++) {
      for (let x = 0; x < canvas.width; x++) {
        const sx = Math.floor((x - ox) / s), sy = Math.floor((y - oy) / s);
        const v = sx >= 0 && sy >= 0 && sx < image.width && sy < image.height ? image.data[sy * image.width + sx] : lo;
        const g = Math.max(0, Math.min(255, ((v - lo) / (hi - lo)) * 255));
        const o = 4 * (y * canvas.width + x);
        out.data[o] = out.data[o + 1] = out.data[o + 2] = g;
        out.data[o + 3] = 255;
      }
    }
    ctx.putImageData(out, 0, 0);
    ctx.font = '13px system-ui, sans-serif';
    ctx.lineWidth = 2;
    for (const b of r.beads) {
      const m = b.marks.find((mk) => mk.file === file.name);
      if (!m) continue;
      const px = ox + m.col * s, py = oy + m.row * s;
      ctx.strokeStyle = '#3bc9db';
      ctx.beginPath();
      ctx.arc(px, py, 9, 0, 2 * Math.PI);
      ctx.stroke();
      ctx.fillStyle = '#3bc9db';
      ctx.fillText(b.target ?? '?', px + 11, py - 8);
    }
    for (const f of r.findings) {
      const mt = f.code === 'bead_unexplained' && f.path === `views[${index}]` ? /column ([\d.]+), row ([\d.]+)/.exec(f.message) : null;
      if (!mt) continue;
      ctx.strokeStyle = '#ff922b';
      ctx.strokeRect(ox + Number(mt[1]) * s - 8, oy + Number(mt[2]) * s - 8, 16, 16);
    }
  };
  draw(1);
  return { canvas, draw, zoom: 1 };
}

function showResult(r: QAImagesResult): void {
  const tbody = $('beads').querySelector('tbody')!;
  tbody.replaceChildren(...r.beads.map((b) => {
    const tr = document.createElement('tr');
    const res = b.residual;
    const len = res ? Math.hypot(res.x, res.y, res.z) : NaN;
    const limit = r.qa?.limits.tolerance;
    const cells = [b.target ?? '?', fmt(b.position.x), fmt(b.position.y), fmt(b.position.z),
      res ? fmt(res.x) : '–', res ? fmt(res.y) : '–', res ? fmt(res.z) : '–', res ? fmt(len) : '–'];
    cells.forEach((t, k) => {
      const td = document.createElement(k === 0 ? 'th' : 'td');
      if (k === 0) td.setAttribute('scope', 'row');
      td.textContent = t;
      const axis = (['x', 'y', 'z'] as const)[k - 4];
      if (res && limit && axis && Math.abs(res[axis]) > limit[axis]) td.className = 'bad';
      tr.append(td);
    });
    return tr;
  }));
  $('registration').textContent = r.registration
    ? `Registration: rms ${fmt(r.registration.rms)} mm; translation ${r.registration.translation.map((t) => fmt(t, 2)).join(', ')} mm. QA session ${r.qa?.passed ? 'passed' : 'failed'}; the set ${imagesPassed(r) ? 'passes' : 'does not pass'}.`
    : 'No registration: see the findings.';
  const cal = $('calibration');
  cal.hidden = !r.calibration;
  if (r.calibration) {
    const c = r.calibration;
    const rows: [string, string, string][] = [
      ...c.angle.map((a, k): [string, string, string] => [`angle offset, ${r.views[k].file} (°)`, fmt(a.estimate, 4), fmt(a.sigma, 4)]),
      ['sourceToSupport offset (mm)', fmt(c.sourceToSupport.estimate), fmt(c.sourceToSupport.sigma)],
      ['rotationAxisHeight offset (mm)', fmt(c.rotationAxisHeight.estimate), fmt(c.rotationAxisHeight.sigma)],
      ['reprojection rms before / after (mm)', `${fmt(c.reprojectionRms.before, 4)} / ${fmt(c.reprojectionRms.after, 4)}`, ''],
    ];
    cal.querySelector('tbody')!.replaceChildren(...rows.map((row) => {
      const tr = document.createElement('tr');
      row.forEach((t, k) => { const td = document.createElement(k === 0 ? 'th' : 'td'); td.textContent = t; tr.append(td); });
      return tr;
    }));
  }
  const all = [...r.findings, ...(r.qa?.findings ?? [])];
  $('findings').replaceChildren(...(all.length ? all : [{ code: 'none', severity: 'none', message: 'no findings' }]).map((f) => {
    const li = document.createElement('li');
    li.className = f.severity;
    const code = document.createElement('span');
    code.className = 'code';
    code.textContent = f.code;
    li.append(code, `: ${f.message}`);
    return li;
  }));
  $('result-json').textContent = JSON.stringify(r, null, 2);
}

async function analyse(): Promise<void> {
  const err = $('error');
  err.hidden = true;
  document.body.dataset.state = 'busy';
  $('status').textContent = 'analysing…';
  try {
    const files = await readFile($<HTMLInputElement>('images'));
    const unit = await readJson($<HTMLInputElement>('unit'), 'unit profile');
    const phantom = await readJson($<HTMLInputElement>('phantom'), 'phantom');
    const calibrate = $<HTMLInputElement>('calibrate').checked;
    const t0 = performance.now();
    const r = await qaFromImages(files, { unit, phantom, calibrate, codecs: browserCodecs });
    const ms = performance.now() - t0;
    $('views').replaceChildren();
    shown.length = 0;
    for (const [k, f] of files.entries()) shown.push(drawView(f, k, r, (await decodeImage(f, k, browserCodecs)).image));
    showResult(r);
    $('status').textContent = `analysed in ${ms.toFixed(0)} ms`;
    document.body.dataset.state = imagesPassed(r) ? 'passed' : 'failed';
  } catch (e) {
    err.hidden = false;
    err.textContent = (e as Error).message;
    $('status').textContent = 'refused';
    document.body.dataset.state = 'error';
  }
}

$('analyse').addEventListener('click', () => void analyse());
document.addEventListener('keydown', (ev) => {
  const k = shown.findIndex((v) => v.canvas === document.activeElement);
  if (k < 0) return;
  if (ev.key === 'ArrowRight' || ev.key === 'ArrowLeft') {
    shown[(k + (ev.key === 'ArrowRight' ? 1 : shown.length - 1)) % shown.length].canvas.focus();
    ev.preventDefault();
  } else if (ev.key === '+' || ev.key === '=' || ev.key === '-') {
    const v = shown[k];
    v.zoom = Math.max(1, Math.min(16, v.zoom * (ev.key === '-' ? 0.5 : 2)));
    v.draw(v.zoom);
    ev.preventDefault();
  }
});
