// What the e2e runner and the WebAssembly benchmark share: the static server for `dist/` on
// 127.0.0.1 and the launch of Debian's Chromium through playwright-core (never a downloaded
// browser).

import { createServer } from 'node:http';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The repository root. */
export const root = path.resolve(here, '..', '..');
/** The browser: Debian's Chromium unless CHROMIUM names another binary. */
export const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
};

/** Serves `dir` on 127.0.0.1 on a free port; resolves to the listening server. */
export function serve(dir) {
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url, 'http://127.0.0.1');
      let file = path.normalize(path.join(dir, decodeURIComponent(url.pathname)));
      if (!file.startsWith(dir)) {
        res.writeHead(403).end();
        return;
      }
      if (url.pathname.endsWith('/')) file = path.join(file, 'index.html');
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': MIME[path.extname(file)] || 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** Exits with a clear message when the built app or the browser is missing. */
export function checkPrerequisites(dist, tool) {
  if (!existsSync(path.join(dist, 'index.html'))) {
    console.error(`${tool}: ${dist}/index.html is missing: build the app first (trunk build --release)`);
    process.exit(2);
  }
  if (!existsSync(chromiumPath)) {
    console.error(`${tool}: ${chromiumPath} is missing: install it with apt-get install -y chromium chromium-driver`);
    process.exit(2);
  }
}

/**
 * Launches headless Chromium with a fresh profile; resolves to `{ context, close }`, where
 * `close()` also removes the profile.
 */
export async function launch(options = {}) {
  const userDataDir = await mkdtemp(path.join(tmpdir(), 'sglab-e2e-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: true,
    viewport: { width: 1440, height: 900 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    ...options,
  });
  const close = async () => {
    await context.close();
    await rm(userDataDir, { recursive: true, force: true });
  };
  return { context, close };
}

/**
 * Refuses every request to a host other than 127.0.0.1 and reports it through `problem`.
 */
export async function localOnly(context, problem) {
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.protocol === 'data:' || url.protocol === 'blob:' || url.hostname === '127.0.0.1') {
      return route.continue();
    }
    problem(`request to a foreign host: ${route.request().url()}`);
    return route.abort();
  });
}

/** The product's budget for the first load: every .wasm, .js and .css, gzip -9, 600 KiB. */
export const FIRST_LOAD_BUDGET = 600 * 1024;

/**
 * Opens `url` in `page` and lists every .wasm, .js and .css the page (and any worker it starts)
 * fetched until the app shows the built-in example and the network is idle: `{ file, bytes,
 * gzip }`, the gzipped size with Node's zlib at level 9 (a few hundred bytes more than
 * `gzip -9`).
 */
export async function firstLoad(page, url) {
  const fetched = new Set();
  const onRequest = (request) => {
    const address = new URL(request.url());
    if (/\.(wasm|js|css)$/.test(address.pathname)) fetched.add(address.href);
  };
  page.context().on('request', onRequest);
  await page.goto(url);
  await page.waitForSelector('[data-testid="diagram-svg"]', { timeout: 20000 });
  await page.waitForLoadState('networkidle');
  page.context().off('request', onRequest);
  return Promise.all(
    [...fetched].sort().map(async (href) => {
      const body = Buffer.from(await (await fetch(href)).arrayBuffer());
      return { file: path.basename(new URL(href).pathname), bytes: body.length, gzip: gzipSync(body, { level: 9 }).length };
    }),
  );
}
