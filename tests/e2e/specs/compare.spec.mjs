// Compare mode: pin the topology as the baseline, open a port by editing a rule, see the
// verdict banner, the marked edge, the question's before and after and the matrix's mark,
// undo, and see the change is equivalent again. The diff runs in the engine's worker: while it
// is computed the banner says so (busy, with no verdict), and the spec prints how long it took.

import { SglabPage } from './sglab-page.mjs';

export const tests = [
  {
    name: 'compare-with-baseline',
    async run({ page, shot, expect }) {
      const app = new SglabPage(page);
      await app.waitFor('diagram-svg');
      expect((await page.locator('[data-testid="compare-banner"]').count()) === 0, 'no banner before a baseline is pinned');
      await app.locator('pin-baseline').focus();
      await page.keyboard.press('Enter');
      await app.waitFor('compare-banner');
      expect((await app.locator('compare-banner').getAttribute('data-verdict')) === 'equivalent', 'the pinned topology equals itself');

      await app.click('tree-group-service-sg1');
      await app.waitFor('rules-service-sg1');
      // Whether the waiting banner showed, busy and without a verdict, before the answer.
      await page.evaluate(() => {
        window.sawPending = false;
        new MutationObserver(() => {
          const pending = document.querySelector('[data-testid="compare-pending"]');
          if (pending && pending.getAttribute('aria-busy') === 'true' && !document.querySelector('[data-testid="compare-banner"]')) window.sawPending = true;
        }).observe(document.body, { subtree: true, childList: true, attributes: true });
      });
      const asked = Date.now();
      await app.commitField('rule-service-sg1-0-ports', '8080/8081');
      await page.waitForSelector('[data-testid="compare-banner"][data-verdict="more-permissive"]', { timeout: 10000 });
      console.log(`  compare: the first diff in the engine's worker answered ${Date.now() - asked} ms after the edit (worker module fetched and compiled)`);
      expect(await page.evaluate(() => window.sawPending), 'the banner said the diff was being computed, with no verdict, before the answer');
      const counts = await app.text('compare-counts');
      expect(counts.includes('opened') && counts.includes('tcp'), `the banner counts the opened port, got ${counts}`);
      await app.waitFor('compare-edge');
      const edge = app.locator('compare-edge').first();
      expect((await edge.getAttribute('data-change')) === 'opened', 'the edge is marked opened');
      const label = await app.text('compare-edge-label');
      expect(label.startsWith('+tcp') && label.includes('8081'), `the edge says what opened, got ${label}`);
      await shot('opened');

      // The changed question shows the baseline's answer beside the current one.
      await app.ask({ from: 'gw-node-1', to: 'pod-app-1', protocol: 'tcp', port: 8081 });
      await app.waitFor('compare-before-after');
      const before = await app.text('compare-before');
      const after = await app.text('compare-after');
      expect(before.includes('deny') && after.includes('allow'), `before ${before} / after ${after}`);
      await shot('before-after');

      // Matrix cells mark the ports opened.
      await app.click('tab-matrix');
      await app.waitFor('compare-cell-mark');
      const mark = await app.text('compare-cell-mark');
      expect(mark.startsWith('+tcp'), `a matrix cell marks the opened port, got ${mark}`);
      await app.click('tab-diagram');
      await app.waitFor('compare-edge');

      await app.click('undo');
      await page.waitForSelector('[data-testid="compare-banner"][data-verdict="equivalent"]', { timeout: 10000 });
      // A redo shows the diff already answered for that topology; another edit asks again.
      await app.click('redo');
      await page.waitForSelector('[data-testid="compare-banner"][data-verdict="more-permissive"]', { timeout: 10000 });
      const again = Date.now();
      await app.commitField('rule-service-sg1-0-ports', '8080/8082');
      await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="compare-edge-label"]')].some((label) => label.textContent.includes('8082')), null, { timeout: 10000 });
      console.log(`  compare: a second edit's diff answered ${Date.now() - again} ms after the edit`);

      // The waiting banner, held long enough to be seen by delaying the worker's module.
      await page.route(/engine_worker.*\.wasm$/, async (route) => {
        await new Promise((resolve) => setTimeout(resolve, 2500));
        await route.continue();
      });
      await app.commitField('rule-service-sg1-0-ports', '8080/8083');
      await app.waitFor('compare-pending');
      expect((await app.locator('compare-pending').getAttribute('aria-busy')) === 'true', 'the waiting banner is busy');
      expect((await page.locator('[data-testid="compare-banner"]').count()) === 0, 'no verdict while the diff is computed');
      await shot('pending');
      await page.setViewportSize({ width: 1024, height: 768 });
      await shot('pending-1024');
      await page.setViewportSize({ width: 1440, height: 900 });
      await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="compare-edge-label"]')].some((label) => label.textContent.includes('8083')), null, { timeout: 10000 });
      await page.unroute(/engine_worker.*\.wasm$/);

      await app.click('undo');
      await app.click('undo');
      await app.click('undo');
      await page.waitForSelector('[data-testid="compare-banner"][data-verdict="equivalent"]', { timeout: 10000 });
      await page.waitForSelector('[data-testid="compare-edge"]', { state: 'detached' });
      expect((await app.locator('compare-banner').getAttribute('data-verdict')) === 'equivalent', 'undo keeps the baseline and the change is gone');
      await shot('undone');
    },
  },
];
