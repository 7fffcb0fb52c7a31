// Accessibility: axe-core (node_modules/axe-core, pinned in package-lock.json) audits the page
// at 1024x768 and 1440x900 on the built-in example, the overview of a 5,000-endpoint aliyun
// export opened through Open... (the scale spec's fixture), the heat-map by group, the compare
// mode, the Lint tab, the share box, the Matrix tab, an open explanation (with the focus on its
// verdict) and the diagram of every built-in example. No violation of impact serious or
// critical is allowed.
//
// The page's Content-Security-Policy forbids inline scripts, so `addScriptTag` (an inline
// <script>) is refused; axe's source is evaluated through the DevTools protocol instead
// (`page.evaluate` of its text), which the policy does not govern.

import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { SglabPage } from './sglab-page.mjs';
import { aliyunExport, largeTopology } from '../fixtures.mjs';
import { audit } from '../axe.mjs';

/** Dismisses every notice, so that the audit reads the view behind them too. */
async function dismissNotices(page) {
  while ((await page.locator('[data-testid="notice-dismiss"]').count()) > 0) {
    await page.locator('[data-testid="notice-dismiss"]').first().click();
  }
}

export const tests = [
  {
    name: 'example-compare-lint-share',
    async run({ page, shot, expect, root }) {
      const app = new SglabPage(page);
      await app.waitFor('diagram-svg');
      const found = await audit(page, root, shot, 'example');

      await app.locator('pin-baseline').focus();
      await page.keyboard.press('Enter');
      await app.waitFor('compare-banner');
      found.push(...(await audit(page, root, shot, 'compare')));
      await app.click('unpin-baseline');

      await app.click('tab-lint');
      await app.waitFor('lint');
      found.push(...(await audit(page, root, shot, 'lint')));

      await app.click('tab-diagram');
      await app.click('share');
      await app.waitFor('share-url');
      found.push(...(await audit(page, root, shot, 'share')));
      expect(found.length === 0, `no serious or critical violation:\n${found.join('\n')}`);
    },
  },
  {
    name: 'matrix-explanation-examples',
    async run({ page, shot, expect, root }) {
      const app = new SglabPage(page);
      await app.waitFor('diagram-svg');
      const found = [];
      await app.click('tab-matrix');
      await app.waitFor('matrix');
      found.push(...(await audit(page, root, shot, 'matrix')));

      await app.click('tab-diagram');
      await app.ask({ from: 'gw-node-1', to: 'pod-app-1', port: 8081 });
      await page.waitForFunction(() => document.activeElement && document.activeElement.getAttribute('data-testid') === 'verdict');
      found.push(...(await audit(page, root, shot, 'explanation')));
      await page.keyboard.press('Escape');

      const examples = await page.locator('[data-testid="examples"] option[value]:not([value=""])').evaluateAll((options) => options.map((o) => o.value));
      expect(examples.length >= 5, `the built-in examples are listed, got ${examples}`);
      for (const example of examples) {
        const { name } = JSON.parse(await readFile(path.join(root, 'static', 'examples', `${example}.json`), 'utf8'));
        await app.openExample(example);
        await page.waitForFunction((wanted) => JSON.parse(window.sglab.topology()).name === wanted, name);
        await app.waitFor('diagram-svg');
        await dismissNotices(page);
        found.push(...(await audit(page, root, shot, `diagram-${example}`)));
      }
      expect(found.length === 0, `no serious or critical violation:\n${found.join('\n')}`);
    },
  },
  {
    name: 'heat-map-500',
    async run({ page, shot, expect, root }) {
      const app = new SglabPage(page);
      await app.waitFor('diagram-svg');
      const diagnostics = await page.evaluate((t) => window.sglab.load(t), JSON.stringify(largeTopology()));
      expect(!diagnostics.some((d) => d.severity === 'error'), 'the topology loads');
      await app.waitFor('overview', { timeout: 120000 });
      await page.evaluate(() => window.sglab.lastEvaluation());
      await dismissNotices(page);
      await app.click('overview-heat-tab');
      await app.waitFor('heat-map', { timeout: 60000 });
      const found = await audit(page, root, shot, 'heat-map');
      expect(found.length === 0, `no serious or critical violation:\n${found.join('\n')}`);
    },
  },
  {
    name: 'overview-5000',
    async run({ page, shot, expect, root }) {
      const app = new SglabPage(page);
      await app.waitFor('diagram-svg');
      const files = aliyunExport({ endpoints: 5000, groups: 500, rules: 50000 }).map(({ name, text }) => ({
        name,
        mimeType: 'application/json',
        buffer: Buffer.from(text),
      }));
      await page.setInputFiles('[data-testid="file-input"]', files);
      // The overview shows the groups at once; the engine's results come later.
      await app.waitFor('overview', { timeout: 120000 });
      await dismissNotices(page);
      const found = await audit(page, root, shot, 'overview-5000');
      expect(found.length === 0, `no serious or critical violation:\n${found.join('\n')}`);
    },
  },
];
