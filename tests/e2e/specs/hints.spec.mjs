// Keys said on screen: Undo and Redo show Ctrl+Z and Ctrl+Y, the step-through's Previous and
// Next show the arrows that step while it has the focus (a presenter's Page Up and Page Down
// too), at 1024x768 and 1440x900 without sideways scrolling.
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
      await app.ask({ from: 'client', to: 'gw-node-1', port: 80 });
      for (const size of SIZES) {
        await page.setViewportSize(size);
        const undo = await hint(page, 'undo');
        const redo = await hint(page, 'redo');
        expect(undo.shown && undo.text.includes('Ctrl+Z'), `Undo shows Ctrl+Z at ${size.width}: ${JSON.stringify(undo)}`);
        expect(redo.shown && redo.text.includes('Ctrl+Y'), `Redo shows Ctrl+Y at ${size.width}: ${JSON.stringify(redo)}`);
        const previous = await hint(page, 'step-previous');
        const next = await hint(page, 'step-next');
        expect(previous.shown && previous.text.includes('\u2190'), `Previous shows its arrow at ${size.width}: ${JSON.stringify(previous)}`);
        expect(next.shown && next.text.includes('\u2192'), `Next shows its arrow at ${size.width}: ${JSON.stringify(next)}`);
        const sideways = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
        expect(sideways <= 0, `no sideways scrolling at ${size.width}: ${sideways} px`);
        await shot(`keys-${size.width}`);
      }

      // The arrows and a remote's Page Down and Page Up step through while the walk has focus.
      expect((await app.text('step-position')).startsWith('Step 1'), 'the walk starts at step 1');
      await page.locator('[data-testid="step-0"] button').focus();
      await page.keyboard.press('ArrowRight');
      await page.waitForFunction(() => document.querySelector('[data-testid="step-position"]').textContent.startsWith('Step 2'));
      await page.keyboard.press('ArrowLeft');
      await page.waitForFunction(() => document.querySelector('[data-testid="step-position"]').textContent.startsWith('Step 1'));
      await page.keyboard.press('PageDown');
      await page.waitForFunction(() => document.querySelector('[data-testid="step-position"]').textContent.startsWith('Step 2'));
      await page.keyboard.press('PageUp');
      await page.waitForFunction(() => document.querySelector('[data-testid="step-position"]').textContent.startsWith('Step 1'));

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
