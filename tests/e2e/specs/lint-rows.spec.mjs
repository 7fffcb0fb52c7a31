// The Lint tab of a large topology (500 endpoints, 10,000 rules, evaluated in the engine's
// worker): the findings stay in the worker and the page takes the rows on screen, so a scroll
// and a filter ask for more rows; each row keeps its number in the lint's order, its link to
// the group's rules, and its fix button. Screenshots at 1024x768 and 1440x900.

import { SglabPage, id } from './sglab-page.mjs';
import { largeTopology } from '../fixtures.mjs';

export const tests = [
  {
    name: 'lint-rows-from-the-worker',
    async run({ page, shot, expect }) {
      const app = new SglabPage(page);
      await app.waitFor('diagram-svg');
      await page.evaluate((t) => window.sglab.load(t), JSON.stringify(largeTopology()));
      await page.waitForFunction(() => document.querySelector('[data-testid="topology-title"]').textContent.includes('Large'));
      await page.evaluate(() => window.sglab.lastEvaluation());
      await app.click('tab-lint');
      await app.waitFor('lint-summary', { timeout: 60000 });
      const summary = await app.text('lint-summary');
      const [, total, warnings] = summary.match(/^(\d+) findings: \d+ errors, (\d+) warnings/) || [];
      expect(Number(total) > 1000 && Number(warnings) > 20, `thousands of findings, tens of warnings, got ${summary}`);
      await page.waitForSelector('[data-testid="finding-0"]');
      const drawn = await page.locator('[data-testid^="finding-"]').count();
      expect(drawn > 0 && drawn < 100, `only the findings on screen are drawn, got ${drawn}`);
      // Scrolled to the end: the last finding, taken in from the worker.
      await page.locator('.findings.virtual-list').evaluate((list) => { list.scrollTop = list.scrollHeight; });
      await page.waitForSelector(`[data-testid="finding-${Number(total) - 1}"]`);
      await page.locator('.findings.virtual-list').evaluate((list) => { list.scrollTop = 0; });
      await page.waitForSelector('[data-testid="finding-0"]');
      await page.setViewportSize({ width: 1024, height: 768 });
      await shot('all-1024x768');
      await page.setViewportSize({ width: 1440, height: 900 });
      await shot('all-1440x900');

      // The warnings only (a few among thousands of infos): rows asked for with the filter,
      // numbered in the lint's order.
      await page.selectOption(id('lint-filter'), 'warning');
      await page.waitForFunction(() => document.querySelector('.findings .finding:not(.finding-pending)')?.classList.contains('warning'));
      const severities = await page.locator('[data-testid^="finding-"]').evaluateAll((items) => items.map((item) => item.classList.contains('warning')));
      expect(severities.length > 0 && severities.every(Boolean), `every row drawn is a warning, got ${severities}`);
      // Fewer warnings than a virtualised list holds: every one drawn, taken in from the worker.
      await page.waitForFunction((n) => {
        const rows = [...document.querySelectorAll('.findings .finding')];
        return rows.length === n && rows.every((row) => row.classList.contains('warning'));
      }, Number(warnings));
      const numbers = await page.locator('.findings [data-testid^="finding-"]').evaluateAll((items) => items.map((item) => Number(item.dataset.testid.slice('finding-'.length))));
      expect(numbers.every((n, i) => n < Number(total) && (i === 0 || n > numbers[i - 1])), `the warnings keep their numbers, in order, got ${numbers}`);
      await shot('warnings');

      // A row's link selects its group: the rules dock shows it.
      const link = page.locator('.findings [data-testid^="finding-"] button.link').first();
      const text = await link.innerText();
      const group = text.split(' of ').pop();
      await link.focus();
      await page.keyboard.press('Enter');
      await page.waitForSelector(`[data-testid="rules-${group}"]`);
    },
  },
];
