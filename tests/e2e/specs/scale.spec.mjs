// An account-sized aliyun export (5,000 instances, 500 groups, 50,000 rules, generated here)
// opened through Open...: the engine runs in its Web Worker, a progress bar names the stage,
// Cancel keeps the previous topology, and a second open completes while the page answers
// clicks. Then the compare mode at that size: a baseline pinned, a change that opens ports to
// about a million pairs, the verdict, the matrix's marks and a changed question's
// before and after, the overview's largest changes by group pair, with the page's longest task
// while the diff's answer came in.

import { SglabPage } from './sglab-page.mjs';
import { aliyunExport } from '../fixtures.mjs';
import { audit } from '../axe.mjs';


/** The export as files for the file input. */
function files() {
  return aliyunExport({ endpoints: 5000, groups: 500, rules: 50000 }).map(({ name, text }) => ({
    name,
    mimeType: 'application/json',
    buffer: Buffer.from(text),
  }));
}

/** Clicks the matrix tab (shown already: the click changes nothing) and measures, in the page, how long the click waited for the main
 * thread and how long until the next frame after it was handled. */
async function clickLatency(page) {
  await page.evaluate(() => {
    window.__click = new Promise((resolve) => {
      const tab = document.querySelector('[data-testid="tab-matrix"]');
      tab.addEventListener(
        'click',
        (event) => {
          const handled = performance.now();
          requestAnimationFrame(() => resolve({ waited: handled - event.timeStamp, frame: performance.now() - event.timeStamp }));
        },
        { once: true, capture: true },
      );
    });
  });
  await page.locator('[data-testid="tab-matrix"]').click();
  return page.evaluate(() => window.__click);
}

export const tests = [
  {
    name: 'open-cancel-reopen-5000',
    async run({ page, shot, expect }) {
      const app = new SglabPage(page);
      await app.waitFor('diagram-svg');
      const before = await app.text('topology-title');
      const export5000 = files();
      // The matrix view: the diagram draws every endpoint of 5,000, whose rendering (not the
      // engine) would hold the main thread.
      await app.click('tab-matrix');

      // First open: the progress bar shows a stage; Cancel keeps the previous topology.
      await page.setInputFiles('[data-testid="file-input"]', export5000);
      await app.waitFor('progress', { timeout: 60000 });
      const stage = await app.text('progress-stage');
      expect(['starting', 'parse', 'validate', 'classes and matrix', 'group matrix'].includes(stage), `the progress bar names a stage, got ${stage}`);
      await shot('progress');
      await app.click('progress-cancel');
      await page.waitForSelector('[data-testid="progress"]', { state: 'detached', timeout: 10000 });
      await page.waitForFunction((title) => document.querySelector('[data-testid="topology-title"]').textContent === title, before, { timeout: 10000 });
      expect((await app.text('topology-title')) === before, 'the previous topology is back after Cancel');
      await shot('cancelled');

      // Second open: completes, and a click during the evaluation is handled at once.
      const opened = Date.now();
      await page.setInputFiles('[data-testid="file-input"]', export5000);
      await app.waitFor('progress', { timeout: 60000 });
      const latency = await clickLatency(page);
      console.log(`  scale: a click during the evaluation waited ${latency.waited.toFixed(1)} ms, next frame ${latency.frame.toFixed(1)} ms`);
      expect(latency.waited < 100, `the click is handled within 100 ms, waited ${latency.waited.toFixed(1)} ms`);
      await shot('responsive');
      await page.waitForSelector('[data-testid="progress"]', { state: 'detached', timeout: 300000 });
      const evaluation = await page.evaluate(() => window.sglab.lastEvaluation());
      console.log(`  scale: evaluated in ${((Date.now() - opened) / 1000).toFixed(1)} s after the open (worker: parse ${evaluation.parse_millis.toFixed(0)} ms, matrix ${evaluation.matrix_millis.toFixed(0)} ms, group matrix ${evaluation.edges_millis.toFixed(0)} ms; page: results ${evaluation.transfer_millis.toFixed(0)} ms; memory ${evaluation.memory_mib} MiB in the worker, ${evaluation.page_memory_mib} MiB on the page)`);
      expect(evaluation.endpoints === 5000 && evaluation.in_worker, `the engine ran in its worker on 5,000 endpoints: ${JSON.stringify(evaluation)}`);
      await app.waitFor('matrix-capped', { timeout: 30000 });
      await shot('matrix');
    },
  },
  {
    name: 'compare-at-5000',
    async run({ page, shot, expect, root }) {
      const app = new SglabPage(page);
      await app.waitFor('diagram-svg');
      await app.click('tab-matrix');
      await page.setInputFiles('[data-testid="file-input"]', files());
      await app.waitFor('progress', { timeout: 60000 });
      await page.waitForSelector('[data-testid="progress"]', { state: 'detached', timeout: 300000 });
      await app.waitFor('matrix-capped', { timeout: 30000 });
      await app.locator('pin-baseline').focus();
      await page.keyboard.press('Enter');
      await page.waitForSelector('[data-testid="compare-banner"][data-verdict="equivalent"]', { timeout: 30000 });

      // Every TCP port opened from anywhere to the members of the first ten groups.
      const changed = await page.evaluate(() => {
        const topology = JSON.parse(window.sglab.topology());
        const groups = topology.security_groups.slice(0, 10);
        for (const group of groups) {
          group.rules.push({ direction: 'ingress', policy: 'accept', priority: 1, protocol: 'tcp', port_range: '1/65535', cidr: '0.0.0.0/0' });
        }
        return { text: JSON.stringify(topology), groups: groups.map((g) => g.id) };
      });
      await page.evaluate(() => {
        window.__longest = 0;
        new PerformanceObserver((list) => {
          for (const entry of list.getEntries()) window.__longest = Math.max(window.__longest, entry.duration);
        }).observe({ type: 'longtask' });
      });
      const asked = Date.now();
      const diagnostics = await page.evaluate((text) => window.sglab.load(text), changed.text);
      expect(!diagnostics.some((d) => d.severity === 'error'), `the changed topology loads, got ${JSON.stringify(diagnostics.slice(0, 3))}`);
      await page.waitForSelector('[data-testid="progress"]', { state: 'detached', timeout: 300000 });
      await page.waitForSelector('[data-testid="compare-banner"][data-verdict="more-permissive"]', { timeout: 300000 });
      const answered = Date.now() - asked;
      const counts = await app.text('compare-counts');
      const pairs = Number(((counts.match(/([\d,]+) pairs? opened/) || [])[1] || '0').replace(/,/g, ''));
      const longest = await page.evaluate(() => window.__longest);
      console.log(`  scale: the diff of ${changed.groups.length} groups opened to every address answered ${(answered / 1000).toFixed(1)} s after the load (${counts}); the page's longest task meanwhile ${longest.toFixed(0)} ms`);
      expect(pairs > 10000, `the change opens many pairs, got ${counts}`);
      const latency = await clickLatency(page);
      console.log(`  scale: a click with the diff shown waited ${latency.waited.toFixed(1)} ms, next frame ${latency.frame.toFixed(1)} ms`);
      expect(latency.waited < 100, `the click is handled within 100 ms, waited ${latency.waited.toFixed(1)} ms`);

      // The matrix's window marks the opened ports of the pairs it shows.
      await app.waitFor('compare-cell-mark', { timeout: 30000 });
      const mark = await app.text('compare-cell-mark');
      expect(mark.startsWith('+tcp'), `a matrix cell marks the opened ports, got ${mark}`);
      await shot('compare-matrix');

      // A changed pair's question shows its before and after.
      const cell = page.locator('.cell-button:has([data-testid="compare-cell-mark"])').first();
      await cell.click();
      await app.waitFor('compare-before-after', { timeout: 30000 });
      const before = await app.text('compare-before');
      const after = await app.text('compare-after');
      expect(after.includes('allow'), `before ${before} / after ${after}`);
      await shot('compare-before-after');

      // The diagram's overview lists the largest changes by group pair.
      await app.click('tab-diagram');
      await app.waitFor('compare-groups', { timeout: 30000 });
      const rows = await page.locator('[data-testid="compare-group-row"]').count();
      const first = await page.locator('[data-testid="compare-group-row"]').first().textContent();
      expect(rows > 0 && rows <= 50, `the overview lists the largest group pairs, got ${rows} rows`);
      expect(first.includes('+tcp') && changed.groups.some((id) => first.includes(id)), `a row names an opened group, got ${first}`);
      await shot('compare-overview');
      const found = await audit(page, root, shot, 'compare-overview');
      expect(found.length === 0, `axe finds no serious or critical violation:\n${found.join('\n')}`);
    },
  },
];
