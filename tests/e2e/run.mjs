// End-to-end runner for the sglab web app.
//
// Serves the built app (`dist/`) on 127.0.0.1, drives Debian's Chromium through playwright-core,
// and runs every spec in `tests/e2e/specs/`. A test fails when it throws, when the page logs a
// console error or an uncaught exception, or when the page requests any host but 127.0.0.1.
//
// Usage: node tests/e2e/run.mjs [--dist dist] [name-filter]
// Each spec file exports `tests = [{ name, async run({ page, context, baseUrl, shot, expect, openApp }) }]`.

import { readdir, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { root, serve, checkPrerequisites, launch, localOnly } from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
let dist = path.join(root, 'dist');
let filter = null;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--dist') dist = path.resolve(args[++i]);
  else filter = args[i];
}
const screenshotDir = path.join(root, 'target', 'e2e-screenshots');

function expect(condition, message) {
  if (!condition) throw new Error(`expectation failed: ${message}`);
}

async function main() {
  checkPrerequisites(dist, 'e2e');
  await mkdir(screenshotDir, { recursive: true });
  const server = await serve(dist);
  const baseUrl = `http://127.0.0.1:${server.address().port}/`;
  const specDir = path.join(here, 'specs');
  const specFiles = (await readdir(specDir)).filter((f) => f.endsWith('.spec.mjs')).sort();

  let passed = 0;
  let failed = 0;
  for (const specFile of specFiles) {
    const { tests } = await import(pathToFileURL(path.join(specDir, specFile)).href);
    for (const test of tests) {
      const fullName = `${specFile.replace(/\.spec\.mjs$/, '')}/${test.name}`;
      if (filter && !fullName.includes(filter)) continue;
      const { context, close } = await launch({ acceptDownloads: true });
      const problems = [];
      await localOnly(context, (problem) => problems.push(problem));
      const watch = (page) => {
        page.on('console', (msg) => {
          if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
        });
        page.on('pageerror', (err) => problems.push(`uncaught exception: ${err.message}`));
      };
      context.pages().forEach(watch);
      context.on('page', watch);
      const started = Date.now();
      let error = null;
      try {
        const page = context.pages()[0] || (await context.newPage());
        const openApp = async (target, p = page) => {
          await p.goto(target || baseUrl);
          await p.waitForSelector('[data-testid="app"]', { timeout: 20000 });
        };
        await openApp(baseUrl);
        const shot = async (name, p = page) => {
          const file = path.join(screenshotDir, `${fullName.replace(/\//g, '-')}-${name}.png`);
          await p.screenshot({ path: file });
          return file;
        };
        await test.run({ page, context, baseUrl, shot, expect, openApp, root });
      } catch (e) {
        error = e;
      }
      await close();
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      if (!error && problems.length > 0) error = new Error(problems.join('\n'));
      if (error) {
        failed++;
        console.log(`FAIL ${fullName} (${seconds} s)\n  ${String(error.stack || error).split('\n').join('\n  ')}`);
      } else {
        passed++;
        console.log(`ok   ${fullName} (${seconds} s)`);
      }
    }
  }
  server.close();
  console.log(`e2e: ${passed} passed, ${failed} failed; screenshots in ${path.relative(root, screenshotDir)}/`);
  process.exit(failed > 0 || passed === 0 ? 1 : 0);
}

main().catch((e) => {
  console.error(`e2e: ${e.stack || e}`);
  process.exit(2);
});
