// A large topology (500 endpoints, 50 groups, 10,000 rules) loads through the script API,
// the diagram opens on the overview of its groups, the matrix shows a window of it, and an
// edit still works. The recompute time is printed for the record, not asserted: the benchmark
// measures it.

import { SglabPage } from './sglab-page.mjs';
import { largeTopology } from '../fixtures.mjs';

export const tests = [
  {
    name: 'interactive-target',
    async run({ page, shot, expect }) {
      const app = new SglabPage(page);
      await app.waitFor('diagram-svg');
      const text = JSON.stringify(largeTopology());
      const diagnostics = await page.evaluate((t) => window.sglab.load(t), text);
      expect(!diagnostics.some((d) => d.severity === 'error'), `the large topology loads, got ${JSON.stringify(diagnostics.slice(0, 3))}`);
      await page.waitForFunction(() => document.querySelector('[data-testid="topology-title"]').textContent.includes('Large'));
      const evaluation = await page.evaluate(() => window.sglab.lastEvaluation());
      console.log(`  large topology: recompute ${evaluation.millis.toFixed(1)} ms for ${evaluation.endpoints} endpoints, ${evaluation.rules} rules`);
      expect(evaluation.endpoints === 500 && evaluation.rules === 10000, `counted ${JSON.stringify(evaluation)}`);
      expect((await app.text('diagram-note')).includes('per group pair'), 'the diagram says it aggregates');
      const nodes = await page.locator('svg *').count();
      expect(nodes < 12000, `the diagram stays a few thousand SVG nodes, got ${nodes}`);
      await shot('diagram');

      await app.click('tab-matrix');
      await app.waitFor('matrix-capped');
      expect((await page.locator('.cell-button').count()) <= 40 * 40, 'the matrix shows a window');
      await shot('matrix');

      await app.click('tab-diagram');
      await app.click('tree-group-sg-3');
      await app.commitField('rule-sg-3-0-priority', '100');
      await page.waitForFunction(() => JSON.parse(window.sglab.topology()).security_groups.find((g) => g.id === 'sg-3').rules[0].priority === 100);
      const edit = await page.evaluate(() => window.sglab.lastEvaluation());
      console.log(`  large topology: recompute after an edit ${edit.millis.toFixed(1)} ms`);

      // The lint of 10,000 rules: thousands of findings, only those on screen drawn.
      const started = Date.now();
      await app.click('tab-lint');
      await app.waitFor('lint-summary', { timeout: 30000 });
      console.log(`  large topology: lint tab shown ${Date.now() - started} ms after the click (${await app.text('lint-summary')})`);
      const drawn = await page.locator('[data-testid^="finding-"]').count();
      expect(drawn > 0 && drawn < 200, `the findings on screen are drawn, got ${drawn}`);
      await page.locator('.findings.virtual-list').evaluate((list) => { list.scrollTop = list.scrollHeight; });
      const total = Number((await app.text('lint-summary')).split(' ')[0]);
      await page.waitForSelector(`[data-testid="finding-${total - 1}"]`);
      await shot('lint');
    },
  },
];
