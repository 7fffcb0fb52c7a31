// Large type for projectors: the button enlarges the page's text and the diagram (a fit never
// shrinks the drawing below 1.5 times its size), and the choice survives a reload.
// Presentation mode at 1024x768 and 1440x900: the diagram is laid out again for the screen
// (names only, larger type) and fills it, whole, with the explanation open: every text of the
// SVG is 18 px or more on screen, whole above the drawer, and none covers another; the
// explanation is a drawer below it with large Previous/Next; the panels, tabs and rule tables are
// hidden; Escape or the control leaves it and restores the layout and zoom exactly.

import { SglabPage } from './sglab-page.mjs';
import { audit } from '../axe.mjs';

/** The boxes of the layout's parts and the diagram's transform, to compare before and after. */
async function layout(page) {
  return page.evaluate(() => {
    const parts = ['toolbar', 'tree', 'query-bar', 'diagram-svg', 'rules-dock', 'explanation', 'tab-diagram'];
    const boxes = {};
    for (const part of parts) {
      const element = document.querySelector(`[data-testid="${part}"]`);
      const r = element ? element.getBoundingClientRect() : null;
      boxes[part] = r ? [r.left, r.top, r.width, r.height].map((v) => Math.round(v)).join(' ') : 'absent';
    }
    boxes.transform = document.querySelector('g[data-viewport="true"]').getAttribute('transform');
    return boxes;
  });
}

/** The drawing seen on screen: each text's size and box, and the boxes of nodes, groups and the svg. */
async function drawing(page) {
  return page.evaluate(() => {
    const svg = document.querySelector('[data-testid="diagram-svg"]');
    const texts = [...svg.querySelectorAll('text')].map((t) => {
      const r = t.getBoundingClientRect();
      return {
        text: t.textContent,
        size: parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a,
        left: r.left, top: r.top, right: r.right, bottom: r.bottom,
      };
    });
    const boxes = [...svg.querySelectorAll('[data-testid^="diagram-node-"], [data-testid^="diagram-group-"], [data-testid^="diagram-vpc-"]')].map((g) => {
      const r = g.getBoundingClientRect();
      return { id: g.dataset.testid, left: r.left, top: r.top, right: r.right, bottom: r.bottom };
    });
    const drawer = document.querySelector('[data-testid="explanation"]');
    return {
      minText: Math.min(...texts.map((t) => t.size)),
      texts,
      boxes,
      svg: svg.getBoundingClientRect().toJSON(),
      drawerTop: drawer ? drawer.getBoundingClientRect().top : innerHeight,
    };
  });
}

/** Every text of the drawing at least 18 px on screen, whole above the drawer, none over another. */
function checkReadable(shown, width, height, expect) {
  const limit = { left: Math.max(0, shown.svg.left), top: Math.max(0, shown.svg.top), right: Math.min(width, shown.svg.right), bottom: Math.min(height, shown.svg.bottom, shown.drawerTop) };
  const small = shown.texts.filter((t) => t.size < 18 - 1e-6);
  expect(small.length === 0, `every text of the diagram is 18 px or more at ${width}x${height}: ${JSON.stringify(small.slice(0, 5))}`);
  for (const item of [...shown.boxes, ...shown.texts]) {
    const inside = item.left >= limit.left - 1 && item.right <= limit.right + 1 && item.top >= limit.top - 1 && item.bottom <= limit.bottom + 1;
    expect(inside, `${item.id || item.text} is whole on screen, above the drawer, at ${width}x${height}: ${JSON.stringify(item)} in ${JSON.stringify(limit)}`);
  }
  const over = (a, b) => a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
  shown.texts.forEach((a, i) => shown.texts.slice(i + 1).forEach((b) => {
    expect(!over(a, b), `texts do not overlap at ${width}x${height}: ${JSON.stringify(a)} and ${JSON.stringify(b)}`);
  }));
}

const shownOnScreen = (page, testid) =>
  page.evaluate((testid) => {
    const element = document.querySelector(`[data-testid="${testid}"]`);
    if (!element) return false;
    const r = element.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  }, testid);

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
  {
    name: 'presentation-mode',
    async run({ page, baseUrl, openApp, shot, expect, root }) {
      const app = new SglabPage(page);
      await page.setViewportSize({ width: 1024, height: 768 });
      await openApp(baseUrl);
      await app.waitFor('diagram-svg');
      const ordinary = await drawing(page);
      await app.ask({ from: 'client', to: 'gw-node-1', port: 80 });
      await app.click('step-next');
      const before = await layout(page);

      // P (outside fields) enters presentation mode.
      await page.locator('[data-testid="verdict"]').click();
      await page.keyboard.press('p');
      await page.waitForSelector('.app.presenting');
      await page.waitForFunction((t) => document.querySelector('g[data-viewport="true"]').getAttribute('transform') !== t, before.transform);
      for (const hidden of ['tree', 'tab-diagram', 'rules-dock', 'export-menu']) {
        expect(!(await shownOnScreen(page, hidden)), `presentation hides ${hidden}`);
      }
      expect(await shownOnScreen(page, 'present'), 'the control to leave is shown');
      const shown = await drawing(page);
      console.log(`  presentation at 1024x768: smallest diagram text ${shown.minText.toFixed(1)} px on screen (ordinary layout ${ordinary.minText.toFixed(1)} px)`);
      expect(shown.boxes.length >= 8, `the example's nodes and groups are drawn (${shown.boxes.length})`);
      checkReadable(shown, 1024, 768, expect);
      const width = Math.max(...shown.boxes.map((b) => b.right)) - Math.min(...shown.boxes.map((b) => b.left));

      // The step-through, with large controls, in the drawer below the diagram.
      const controls = await page.evaluate(() => ['step-previous', 'step-next'].map((id) => document.querySelector(`[data-testid="${id}"]`).getBoundingClientRect().toJSON()));
      for (const control of controls) {
        expect(control.height >= 44 && control.width >= 120 && control.bottom <= 768, `Previous and Next are large and on screen: ${JSON.stringify(control)}`);
      }
      expect((await app.text('step-position')).startsWith('Step 2'), 'the step is kept from the ordinary layout');
      await app.click('step-previous');
      expect((await app.text('step-position')).startsWith('Step 1'), 'Previous moves back');
      await app.click('step-next');
      expect((await app.text('step-position')).startsWith('Step 2'), 'Next moves on');
      // A presenter's remote sends Page Up and Page Down: they step through the rules, and the
      // buttons show those keys.
      const position = (text) => page.waitForFunction((t) => document.querySelector('[data-testid="step-position"]').textContent.startsWith(t), text, { timeout: 5000 });
      await page.keyboard.press('PageUp');
      await position('Step 1');
      await page.keyboard.press('PageDown');
      await position('Step 2');
      expect((await app.text('step-next')).includes('PgDn') && (await app.text('step-previous')).includes('PgUp'), 'Next and Previous show their keys');
      await shot('presentation-1024');

      const violations = await audit(page, root, shot, 'presentation');
      expect(violations.length === 0, `axe finds no serious or critical violation in presentation mode:\n${violations.join('\n')}`);
      // The audit left the window at 1440x900: the drawing was fitted again to the larger screen.
      await page.waitForFunction((before) => {
        const boxes = [...document.querySelectorAll('[data-testid^="diagram-group-"], [data-testid^="diagram-node-"]')].map((g) => g.getBoundingClientRect());
        return Math.max(...boxes.map((b) => b.right)) - Math.min(...boxes.map((b) => b.left)) > before + 1;
      }, width);
      const large = await drawing(page);
      console.log(`  presentation at 1440x900: smallest diagram text ${large.minText.toFixed(1)} px on screen`);
      checkReadable(large, 1440, 900, expect);
      await shot('presentation-1440');
      await page.setViewportSize({ width: 1024, height: 768 });

      // Escape leaves and restores the layout exactly (a fit at this size gives the same transform).
      await page.keyboard.press('Escape');
      await page.waitForSelector('.app:not(.presenting)');
      await page.waitForFunction((t) => document.querySelector('g[data-viewport="true"]').getAttribute('transform') === t, before.transform);
      const after = await layout(page);
      expect(JSON.stringify(after) === JSON.stringify(before), `leaving restores the layout:\n${JSON.stringify(before)}\n${JSON.stringify(after)}`);
      expect((await app.text('step-position')).startsWith('Step 2'), 'the question and its step stay');
      await page.keyboard.press('PageUp');
      await page.waitForTimeout(200);
      expect((await app.text('step-position')).startsWith('Step 2'), 'outside presentation mode Page Up does not step');

      // The control enters and leaves too, and a reload of the tab keeps the mode.
      await app.click('present');
      await page.waitForSelector('.app.presenting');
      await page.reload();
      await page.waitForSelector('.app.presenting');
      await app.click('present');
      await page.waitForSelector('.app:not(.presenting)');
      await shot('left-1024');
    },
  },
];
