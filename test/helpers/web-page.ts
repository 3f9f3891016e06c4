// The browser page as the browser tests drive it: web/ built with Vite into a temporary
// folder, served on loopback (an optional extra Content-Security-Policy header on the HTML),
// and Debian's Chromium launched headless through playwright-core (never a downloaded browser).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const ROOT = join(import.meta.dirname, '..', '..');
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const haveChromium = existsSync(CHROMIUM);
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

export interface ServedPage {
  origin: string;
  /** Every path asked for, in order. */
  served: string[];
  /** An extra CSP header on the HTML (undefined: none). */
  extraCsp: string | undefined;
  close(): Promise<void>;
}

/** Builds web/ and serves it on 127.0.0.1 (a free port); close() stops the server and removes the build. */
export async function serveBuiltPage(): Promise<ServedPage> {
  const dist = mkdtempSync(join(tmpdir(), 'stereotax-web-'));
  const b = spawnSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'web/vite.config.ts', '--outDir', dist, '--emptyOutDir', '--logLevel', 'warn'], { cwd: ROOT, encoding: 'utf8' });
  if (b.status !== 0) throw new Error(`vite build failed: ${b.stderr}${b.stdout}`);
  const page: ServedPage = { origin: '', served: [], extraCsp: undefined, close: async () => undefined };
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    page.served.push(path);
    const file = normalize(join(dist, path === '/' ? 'index.html' : path));
    if (!file.startsWith(dist) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    const headers: Record<string, string> = { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' };
    if (page.extraCsp && extname(file) === '.html') headers['content-security-policy'] = page.extraCsp;
    res.writeHead(200, headers).end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  page.origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  page.close = async () => {
    const closed = new Promise<void>((r) => server.close(() => r()));
    server.closeAllConnections();
    await closed;
    rmSync(dist, { recursive: true, force: true });
  };
  return page;
}

/** Debian's Chromium, headless, in a fresh profile. */
export function launchChromium(viewport: { width: number; height: number }): Promise<BrowserContext> {
  return chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'stereotax-chromium-')), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--disable-quic', '--no-first-run'],
    viewport,
  });
}
