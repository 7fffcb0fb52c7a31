// Large type for projectors: the button enlarges the page's text and the diagram (a fit never
// shrinks the drawing below 1.5 times its size), and the choice survives a reload.

import { SglabPage } from './sglab-page.mjs';

/** The diagram's zoom, read from the viewport group's transform. */
async function zoom(page) {
  const transform = await page.locator('g[data-viewport="true"]').getAttribute('transform');
  const match = /scale\(([-0-9.e]+)/.exec(transform || '');
  return match ? Number(match[1]) : NaN;
}

export const tests = [
  {
    name: 'large-type',
    async run({ page, shot, expect }) {
      const app = new SglabPage(page);
      await app.waitFor('diagram-svg');
      const before = await zoom(page);
      const fontBefore = await page.evaluate(() => parseFloat(getComputedStyle(document.querySelector('[data-testid="app"]')).fontSize));

      await app.click('large-type');
      await page.waitForFunction(() => document.querySelector('[data-testid="large-type"]').getAttribute('aria-pressed') === 'true');
      await page.waitForFunction((z) => {
        const t = document.querySelector('g[data-viewport="true"]').getAttribute('transform');
        const m = /scale\(([-0-9.e]+)/.exec(t || '');
        return m && Number(m[1]) >= 1.5 && Number(m[1]) !== z;
      }, before);
      const after = await zoom(page);
      const fontAfter = await page.evaluate(() => parseFloat(getComputedStyle(document.querySelector('[data-testid="app"]')).fontSize));
      expect(after >= 1.5, `the diagram is drawn at 1.5x or more, got ${after} (was ${before})`);
      expect(fontAfter > fontBefore, `the page's text is larger: ${fontBefore}px -> ${fontAfter}px`);
      await shot('large-type');

      await page.reload();
      await app.waitFor('diagram-svg');
      await page.waitForFunction(() => document.querySelector('[data-testid="large-type"]').getAttribute('aria-pressed') === 'true');
      expect((await zoom(page)) >= 1.5, 'after a reload the diagram is still large');

      await app.click('large-type');
      await page.waitForFunction(() => document.querySelector('[data-testid="large-type"]').getAttribute('aria-pressed') === 'false');
      await page.waitForFunction((z) => {
        const t = document.querySelector('g[data-viewport="true"]').getAttribute('transform');
        const m = /scale\(([-0-9.e]+)/.exec(t || '');
        return m && Math.abs(Number(m[1]) - z) < 1e-6;
      }, before);
    },
  },
];
