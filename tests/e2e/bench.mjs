// WebAssembly benchmark of the engine in the built app, against the native figures.
//
// Reads `target/bench/native.json` (written by the core example `bench_fixtures`: the fixture
// files and the native median of `matrix()` and `group_matrix_of()` on each), opens the built
// app (`dist/`) in Debian's Chromium for each fixture, loads the fixture's JSON through
// `window.sglab.load`, and measures in WebAssembly:
//
// - `window.sglab.benchMatrix(runs)`: the median of the core's `matrix()` and
//   `group_matrix_of()` on the loaded topology, the very calls timed natively;
// - load to usable: from `window.sglab.load` to the frame that shows the results (the
//   promise of `sglab.lastEvaluation()`), with the longest main-thread task meanwhile
//   (PerformanceObserver 'longtask') and the engine's memory (`memory_mib`: the worker's when
//   the engine ran there) and the page's;
// - an edit through the UI (a rule's priority in the rules dock): the time from the change
//   event to the next painted frame and to the frame with the recomputed results, the app's
//   recompute (`sglab.lastEvaluation()`: matrix, diagram edges, layout) and the longest
//   main-thread task, the median of several edits;
// - the Lint tab: from the click to its findings shown, and the longest main-thread task meanwhile.
//
// Fixtures written with `bench_fixtures --write-only` have no native timings; for them the
// core's matrix is not timed on the page (`benchMatrix`), only the app.
//
// Prints a table with the WASM/native ratios, the gzipped size of each .wasm and the first
// load (every .wasm, .js and .css fetched until the built-in example shows, gzipped, against
// the product's 600 KiB), and writes `target/bench/wasm.json`.
//
// With `--profile DIR`, the load, the first edit and the Lint tab are also recorded with
// Chromium's sampling profiler (CDP `Profiler`): `DIR/<fixture>-load.cpuprofile`,
// `-edit.cpuprofile` and `-lint.cpuprofile` (open them in Chromium's DevTools, Performance
// panel), and the longest stretch of main-thread work of each is broken down by function (self
// and total milliseconds) on the standard error. The WebAssembly functions are named when the
// build keeps the name section (a build with `wasm-opt -g`); the sampling slows the page, so
// the figures of a profiled run are not the benchmark's.
//
// Usage: node tests/e2e/bench.mjs [--dist dist] [--dir target/bench] [--runs N] [--edits N] [--profile DIR] [name-filter]
// (for the browser table alone: `bench_fixtures --write-only`, then the filter `free-combos`).

import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { root, serve, checkPrerequisites, launch, localOnly, firstLoad, FIRST_LOAD_BUDGET } from './harness.mjs';

const args = process.argv.slice(2);
let dist = path.join(root, 'dist');
let dir = path.join(root, 'target', 'bench');
let runs = 15;
let edits = 7;
let filter = null;
let profileDir = null;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--dist') dist = path.resolve(args[++i]);
  else if (args[i] === '--dir') dir = path.resolve(args[++i]);
  else if (args[i] === '--runs') runs = Number(args[++i]);
  else if (args[i] === '--edits') edits = Number(args[++i]);
  else if (args[i] === '--profile') profileDir = path.resolve(args[++i]);
  else filter = args[i];
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};
const fixed = (value, digits = 1) => (typeof value === 'number' && Number.isFinite(value) ? value.toFixed(digits) : '-');

/** In the page: the long tasks (PerformanceObserver 'longtask') since the last reset. */
function watchLongTasks() {
  window.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) window.__longTasks.push(entry.duration);
  }).observe({ type: 'longtask', buffered: true });
}
const takeLongTasks = (page) => page.evaluate(() => {
  const tasks = window.__longTasks.splice(0);
  return { longest: tasks.length ? Math.max(...tasks) : 0, count: tasks.length };
});

/** Starts Chromium's sampling profiler on the page (when `--profile` is given). */
async function startProfile(page) {
  if (!profileDir) return null;
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  return cdp;
}

/**
 * Stops the profiler, writes the profile as `name.cpuprofile` and prints the longest stretch of
 * main-thread work (consecutive samples outside `(idle)`) broken down by function.
 */
async function stopProfile(cdp, name) {
  if (!cdp) return;
  const { profile } = await cdp.send('Profiler.stop');
  await cdp.detach();
  await mkdir(profileDir, { recursive: true });
  await writeFile(path.join(profileDir, `${name}.cpuprofile`), JSON.stringify(profile));
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children || []) parent.set(child, node.id);
  const label = (node) => {
    const f = node.callFrame;
    const where = f.url ? ` ${path.basename(f.url)}` : '';
    return `${f.functionName || '(anonymous)'}${where}`;
  };
  // The longest run of samples outside (idle) and (garbage collector)-only gaps.
  const samples = profile.samples;
  const deltas = profile.timeDeltas;
  const idle = (id) => byId.get(id).callFrame.functionName === '(idle)';
  let best = { from: 0, to: 0, ms: 0 };
  let start = -1;
  let ms = 0;
  for (let i = 0; i <= samples.length; i++) {
    if (i < samples.length && !idle(samples[i])) {
      if (start < 0) { start = i; ms = 0; }
      ms += (deltas[i + 1] ?? 0) / 1000;
    } else if (start >= 0) {
      if (ms > best.ms) best = { from: start, to: i, ms };
      start = -1;
    }
  }
  const self = new Map();
  const total = new Map();
  for (let i = best.from; i < best.to; i++) {
    const ms = (deltas[i + 1] ?? 0) / 1000;
    const node = byId.get(samples[i]);
    self.set(label(node), (self.get(label(node)) || 0) + ms);
    const seen = new Set();
    for (let id = samples[i]; id != null; id = parent.get(id)) {
      const key = label(byId.get(id));
      if (!seen.has(key)) {
        seen.add(key);
        total.set(key, (total.get(key) || 0) + ms);
      }
    }
  }
  const top = (map) => [...map].sort((a, b) => b[1] - a[1]).slice(0, 30);
  console.error(`profile ${name}: longest main-thread stretch ${best.ms.toFixed(0)} ms`);
  console.error('  total ms (self and callees):');
  for (const [key, value] of top(total)) console.error(`    ${value.toFixed(0).padStart(7)}  ${key}`);
  console.error('  self ms:');
  for (const [key, value] of top(self)) console.error(`    ${value.toFixed(0).padStart(7)}  ${key}`);
}

/** Loads a fixture into a fresh app and measures it. */
async function measure(baseUrl, fixture) {
  const { context, close } = await launch();
  const problems = [];
  await localOnly(context, (problem) => problems.push(problem));
  try {
    const page = context.pages()[0] || (await context.newPage());
    page.on('pageerror', (err) => problems.push(`uncaught exception: ${err.message}`));
    await page.addInitScript(watchLongTasks);
    await page.goto(baseUrl);
    await page.waitForSelector('[data-testid="app"]', { timeout: 20000 });
    const text = await readFile(fixture.file, 'utf8');
    const topology = JSON.parse(text);
    await takeLongTasks(page);
    const loadProfile = await startProfile(page);
    // Load to usable: from the call to the results drawn (lastEvaluation() resolves after the
    // frame that shows them).
    const loaded = await page.evaluate(async (t) => {
      const started = performance.now();
      const diagnostics = await window.sglab.load(t);
      const evaluation = await window.sglab.lastEvaluation();
      return { diagnostics, evaluation, millis: performance.now() - started };
    }, text);
    const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length > 0) throw new Error(`${fixture.name} does not load: ${JSON.stringify(errors.slice(0, 3))}`);
    if (loaded.evaluation.endpoints !== topology.endpoints.length) throw new Error(`${fixture.name}: evaluated ${JSON.stringify(loaded.evaluation)}`);
    const loadTasks = await takeLongTasks(page);
    await stopProfile(loadProfile, `${fixture.name}-load`);
    const load = loaded.evaluation;

    // Edits: the priority of the first rule of the first group with rules, through the
    // rules dock, as a user makes it: the time to the next painted frame (the edit shown) and
    // to the frame with the recomputed results.
    const group = topology.security_groups.find((g) => (g.rules || []).length > 0);
    const recomputes = [];
    const frames = [];
    const results = [];
    const stages = [];
    let editTasks = { longest: 0, count: 0 };
    if (group && edits > 0) {
      await page.locator(`[data-testid="tree-group-${group.id}"]`).first().click();
      const field = `[data-testid="rule-${group.id}-0-priority"]`;
      await page.waitForSelector(field, { timeout: 20000 });
      await page.evaluate(() => window.sglab.lastEvaluation());
      await takeLongTasks(page);
      for (let i = 0; i < edits; i++) {
        // Let the deferred validation and autosave of the previous edit run first.
        await page.waitForTimeout(700);
        const editProfile = i === 0 ? await startProfile(page) : null;
        const result = await page.evaluate(async (selector) => {
          const input = document.querySelector(selector);
          const before = (await window.sglab.lastEvaluation()).revision;
          input.value = String((Number(input.value) % 100) + 1);
          const started = performance.now();
          input.dispatchEvent(new Event('change', { bubbles: true }));
          await new Promise((resolve) => requestAnimationFrame(() => resolve()));
          const frame = performance.now() - started;
          let evaluation = await window.sglab.lastEvaluation();
          while (evaluation.revision === before) {
            await new Promise((resolve) => setTimeout(resolve, 0));
            evaluation = await window.sglab.lastEvaluation();
          }
          return { frame, results: performance.now() - started, evaluation };
        }, field);
        await stopProfile(editProfile, `${fixture.name}-edit`);
        frames.push(result.frame);
        results.push(result.results);
        recomputes.push(result.evaluation.millis);
        stages.push(result.evaluation);
      }
      editTasks = await takeLongTasks(page);
    }
    // The Lint tab: from the click to its findings shown (the lint runs in the engine's worker
    // once the tab is shown), with the longest main-thread task meanwhile.
    await page.evaluate(() => window.sglab.lastEvaluation());
    await takeLongTasks(page);
    const lintProfile = await startProfile(page);
    const lintStarted = Date.now();
    await page.locator('[data-testid="tab-lint"]').click();
    await page.waitForSelector('[data-testid="lint-summary"]', { timeout: 300000 });
    const lintMillis = Date.now() - lintStarted;
    await stopProfile(lintProfile, `${fixture.name}-lint`);
    const lintSummary = await page.locator('[data-testid="lint-summary"]').innerText();
    const lintTasks = await takeLongTasks(page);
    // The core's matrix timed on the page (a long task by design, after the measurements); not
    // for fixtures without native timings.
    const bench = fixture.matrix_ms == null
      ? {}
      : await page.evaluate((n) => window.sglab.benchMatrix(n), fixture.matrix_ms > 200 ? Math.max(3, Math.min(runs, 5)) : runs);
    if (problems.length > 0) throw new Error(problems.join('\n'));
    const middle = stages.length > 0 ? stages.find((s) => s.millis === median(recomputes)) : null;
    return {
      name: fixture.name,
      endpoints: topology.endpoints.length,
      rules: load.rules,
      load_to_usable_ms: loaded.millis,
      load_longest_task_ms: loadTasks.longest,
      load_long_tasks: loadTasks.count,
      load_evaluation: load,
      memory_mib: load.memory_mib,
      page_memory_mib: load.page_memory_mib,
      in_worker: load.in_worker,
      wasm_matrix_ms: bench.matrix_ms,
      wasm_matrix_min_ms: bench.matrix_min_ms,
      wasm_group_matrix_ms: bench.group_matrix_ms,
      wasm_runs: bench.runs,
      classes: bench.classes,
      port_sets: bench.port_sets,
      native_matrix_ms: fixture.matrix_ms,
      native_group_matrix_ms: fixture.group_matrix_ms,
      edits: recomputes.length,
      edit_recompute_ms: recomputes.length ? median(recomputes) : null,
      edit_recompute_max_ms: recomputes.length ? Math.max(...recomputes) : null,
      edit_stages: middle,
      edit_to_frame_ms: frames.length ? median(frames) : null,
      edit_to_results_ms: results.length ? median(results) : null,
      edit_longest_task_ms: editTasks.longest,
      lint_tab_ms: lintMillis,
      lint_longest_task_ms: lintTasks.longest,
      lint_summary: lintSummary,
    };
  } finally {
    await close();
  }
}

async function main() {
  checkPrerequisites(dist, 'bench');
  const native = JSON.parse(await readFile(path.join(dir, 'native.json'), 'utf8'));
  const fixtures = native.fixtures.filter((f) => !filter || f.name.includes(filter));
  const server = await serve(dist);
  const baseUrl = `http://127.0.0.1:${server.address().port}/`;
  const rows = [];
  let first = [];
  try {
    const { context, close } = await launch();
    try {
      first = await firstLoad(context.pages()[0] || (await context.newPage()), baseUrl);
    } finally {
      await close();
    }
    for (const fixture of fixtures) {
      console.error(`bench: ${fixture.name} ...`);
      rows.push(await measure(baseUrl, fixture));
    }
  } finally {
    server.close();
  }

  const wasmFiles = (await readdir(dist)).filter((f) => f.endsWith('.wasm'));
  let wasmBytes = 0;
  let wasmGzip = 0;
  const wasmSizes = [];
  for (const file of wasmFiles) {
    const body = await readFile(path.join(dist, file));
    const gzip = gzipSync(body, { level: 9 }).length;
    wasmBytes += body.length;
    wasmGzip += gzip;
    wasmSizes.push(`${file} ${body.length} bytes, gzipped ${gzip}`);
  }
  const firstGzip = first.reduce((sum, f) => sum + f.gzip, 0);

  const header = ['topology', 'endpoints', 'classes', 'port sets', 'native matrix ms', 'WASM matrix ms', 'ratio', 'native group ms', 'WASM group ms', 'ratio', 'edit recompute ms', 'edit to frame ms'];
  const lines = rows.map((r) => [
    r.name,
    String(r.endpoints),
    String(r.classes ?? '-'),
    String(r.port_sets ?? '-'),
    fixed(r.native_matrix_ms, 2),
    fixed(r.wasm_matrix_ms, 2),
    `${fixed(r.wasm_matrix_ms / r.native_matrix_ms, 2)}x`,
    fixed(r.native_group_matrix_ms, 2),
    fixed(r.wasm_group_matrix_ms, 2),
    `${fixed(r.wasm_group_matrix_ms / r.native_group_matrix_ms, 2)}x`,
    fixed(r.edit_recompute_ms),
    fixed(r.edit_to_frame_ms),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const format = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(format(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const line of lines) console.log(format(line));
  console.log('');
  for (const r of rows) {
    if (r.edit_stages) {
      const s = r.edit_stages;
      console.log(`${r.name}: edit recompute ${fixed(r.edit_recompute_ms)} ms (max ${fixed(r.edit_recompute_max_ms)}; matrix ${fixed(s.matrix_millis)}, diagram edges ${fixed(s.edges_millis)}, layout ${fixed(s.layout_millis)}), edit to next frame ${fixed(r.edit_to_frame_ms)} ms, median of ${r.edits} edits; load ${fixed(r.load_seconds, 2)} s`);
    }
  }
  console.log('');
  const browserHeader = ['topology', 'endpoints', 'rules', 'engine', 'load to usable ms', 'longest task (load) ms', 'edit to next frame ms', 'edit to results ms', 'longest task (edits) ms', 'Lint tab shown ms', 'longest task (Lint) ms', 'engine memory MiB', 'page memory MiB'];
  const browserLines = rows.map((r) => [
    r.name,
    String(r.endpoints),
    String(r.rules),
    r.in_worker ? 'worker' : 'page',
    fixed(r.load_to_usable_ms, 0),
    fixed(r.load_longest_task_ms, 0),
    fixed(r.edit_to_frame_ms),
    fixed(r.edit_to_results_ms),
    fixed(r.edit_longest_task_ms, 0),
    fixed(r.lint_tab_ms, 0),
    fixed(r.lint_longest_task_ms, 0),
    fixed(r.memory_mib, 0),
    fixed(r.page_memory_mib, 0),
  ]);
  const browserWidths = browserHeader.map((h, i) => Math.max(h.length, ...browserLines.map((l) => l[i].length)));
  const browserFormat = (cells) => `| ${cells.map((c, i) => c.padEnd(browserWidths[i])).join(' | ')} |`;
  console.log(browserFormat(browserHeader));
  console.log(`|${browserWidths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const line of browserLines) console.log(browserFormat(line));
  console.log(`wasm: ${wasmSizes.join('; ')}`);
  console.log(`first load: ${first.map((f) => `${f.file} ${f.gzip}`).join(', ')}: ${firstGzip} bytes gzipped (${(firstGzip / 1024).toFixed(1)} KiB; budget ${FIRST_LOAD_BUDGET / 1024} KiB)`);
  await writeFile(
    path.join(dir, 'wasm.json'),
    JSON.stringify({ rows, wasm_bytes: wasmBytes, wasm_gzip_bytes: wasmGzip, first_load: first, first_load_gzip_bytes: firstGzip }, null, 2) + '\n',
  );
}

main().catch((e) => {
  console.error(`bench: ${e.stack || e}`);
  process.exit(1);
});
