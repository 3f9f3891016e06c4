// Browser check: bundles the built package the way a vendor's bundler would (esbuild),
// serves it on 127.0.0.1 and runs it in headless Chromium; the page writes its result
// into the DOM, which --dump-dom returns. Needs Debian's chromium (apt-get install chromium).
import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const chromium = process.env.CHROMIUM ?? '/usr/bin/chromium';
if (!existsSync(chromium)) {
  console.error(`browser-smoke: no Chromium at ${chromium} (apt-get install chromium, or set CHROMIUM)`);
  process.exit(1);
}
const dir = mkdtempSync(join(tmpdir(), 'stereotax-browser-'));
const entry = join(dir, 'entry.js');
writeFileSync(entry, `
import { target, loadEngine, simdSupported } from ${JSON.stringify(new URL('../dist/index.js', import.meta.url).pathname)};
const request = {
  geometry: { sourceToDetector: 660, sourceToSupport: 640, rotationAxisHeight: -20 },
  thickness: '4.5 cm',
  views: [{ angle: 15, u: -5.41, v: 32.36 }, { angle: '-15 deg', u: 15.98, v: 32.36 }],
  imageSigma: 0.1,
};
const out = {};
try {
  for (const kernel of ['auto', 'scalar']) {
    const engine = await loadEngine({ kernel });
    const r = await target(request, { kernel });
    out[kernel] = { kernel: engine.kernel, target: r.target, sigmaZ: r.uncertainty.sigma.z };
  }
  out.simdSupported = simdSupported();
} catch (err) {
  out.error = String(err && err.stack || err);
}
document.getElementById('result').textContent = JSON.stringify(out);
`);
await build({ entryPoints: [entry], bundle: true, format: 'esm', platform: 'browser', outfile: join(dir, 'bundle.js'), logLevel: 'error' });
const page = '<!doctype html><meta charset="utf-8"><pre id="result">pending</pre><script type="module" src="/bundle.js"></script>';
const server = createServer((req, res) => {
  if (req.url === '/bundle.js') {
    res.writeHead(200, { 'content-type': 'text/javascript' });
    res.end(readFileSync(join(dir, 'bundle.js')));
  } else {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(page);
  }
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${server.address().port}/`;
// Asynchronous: a synchronous spawn would block the server the page loads from.
const run = await new Promise((resolve) => {
  const p = spawn(chromium, [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  `--user-data-dir=${join(dir, 'profile')}`, '--virtual-time-budget=15000', '--dump-dom', url,
  ], { timeout: 60_000 });
  let stdout = '';
  let stderr = '';
  p.stdout.on('data', (d) => (stdout += d));
  p.stderr.on('data', (d) => (stderr += d));
  p.on('close', () => resolve({ stdout, stderr }));
});
server.close();
const m = /<pre id="result">([^<]*)<\/pre>/.exec(run.stdout ?? '');
const text = m ? m[1].replace(/&quot;/g, '"').replace(/&amp;/g, '&') : '';
let result;
try { result = JSON.parse(text); } catch { result = undefined; }
const ok = result && !result.error && Math.abs(result.auto.target.z - 17.5625) < 1e-3 && result.auto.target.z === result.scalar.target.z;
console.log(JSON.stringify(result ?? { dom: text, stderr: run.stderr?.slice(-2000) }, null, 2));
console.log(ok ? 'browser-smoke: PASS' : 'browser-smoke: FAIL');
process.exit(ok ? 0 : 1);
