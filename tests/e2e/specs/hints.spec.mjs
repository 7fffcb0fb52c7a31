// Keys said on screen: Undo and Redo show Ctrl+Z and Ctrl+Y, which do what the buttons do, at
// 1024x768 and 1440x900 without sideways scrolling.
// A first VPC on an empty canvas is fitted: the drawing is fitted again when it stops being
// empty, so the region is drawn as the Fit button would draw it.

import { SglabPage } from './sglab-page.mjs';
import { SIZES } from '../axe.mjs';

/** The visible text of a button and whether its key hint is drawn inside the window. */
const hint = (page, testid) =>
  page.evaluate((testid) => {
    const button = document.querySelector(`[data-testid="${testid}"]`);
    const key = button.querySelector('kbd');
    const r = key ? key.getBoundingClientRect() : null;
    return {
      text: button.innerText,
      shown: !!r && r.width > 0 && r.height > 0 && r.left >= 0 && r.right <= innerWidth && r.top >= 0 && r.bottom <= innerHeight,
    };
  }, testid);

const transform = (page) => page.locator('g[data-viewport="true"]').getAttribute('transform');

export const tests = [
  {
    name: 'keys-on-buttons',
    async run({ page, shot, expect }) {
      const app = new SglabPage(page);
      await app.waitFor('diagram-svg');
      for (const size of SIZES) {
        await page.setViewportSize(size);
        const undo = await hint(page, 'undo');
        const redo = await hint(page, 'redo');
        expect(undo.shown && undo.text.includes('Ctrl+Z'), `Undo shows Ctrl+Z at ${size.width}: ${JSON.stringify(undo)}`);
        expect(redo.shown && redo.text.includes('Ctrl+Y'), `Redo shows Ctrl+Y at ${size.width}: ${JSON.stringify(redo)}`);
        const sideways = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
        expect(sideways <= 0, `no sideways scrolling at ${size.width}: ${sideways} px`);
        await shot(`keys-${size.width}`);
      }

      // Undo's key does what the button says.
      await app.click('new-topology');
      await page.waitForFunction(() => JSON.parse(window.sglab.topology()).endpoints.length === 0);
      await page.keyboard.press('Control+z');
      await page.waitForFunction(() => JSON.parse(window.sglab.topology()).endpoints.length > 0);
    },
  },
  {
    name: 'first-vpc-fitted',
    async run({ page, shot, expect }) {
      const app = new SglabPage(page);
      await app.waitFor('diagram-svg');
      for (const size of SIZES) {
        await page.setViewportSize(size);
        await app.click('new-topology');
        await app.waitFor('hint-add-vpc');
        await app.click('hint-add-vpc');
        await app.waitFor('hint-add-group');
        await page.waitForSelector('[data-testid^="diagram-vpc-"]');
        const added = await transform(page);
        await app.click('zoom-fit');
        const fitted = await transform(page);
        expect(added === fitted, `the first VPC is fitted at ${size.width}: ${added} then Fit gives ${fitted}`);
        const region = await page.evaluate(() => {
          const svg = document.querySelector('[data-testid="diagram-svg"]').getBoundingClientRect();
          const r = document.querySelector('[data-testid^="diagram-vpc-"] rect').getBoundingClientRect();
          return { inside: r.left >= svg.left && r.right <= svg.right && r.top >= svg.top && r.bottom <= svg.bottom, width: r.width };
        });
        expect(region.inside && region.width >= 300, `the region is on screen and large: ${JSON.stringify(region)}`);
        await shot(`first-vpc-${size.width}`);
      }
    },
  },
];
