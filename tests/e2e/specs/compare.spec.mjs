// Compare mode: pin the topology as the baseline, open a port by editing a rule, see the
// verdict banner, the marked edge, the question's before and after and the matrix's mark,
// undo, and see the change is equivalent again.

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
      await app.commitField('rule-service-sg1-0-ports', '8080/8081');
      await page.waitForSelector('[data-testid="compare-banner"][data-verdict="more-permissive"]', { timeout: 10000 });
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
      await page.waitForSelector('[data-testid="compare-edge"]', { state: 'detached' });
      expect((await app.locator('compare-banner').getAttribute('data-verdict')) === 'equivalent', 'undo keeps the baseline and the change is gone');
      await shot('undone');
    },
  },
];
