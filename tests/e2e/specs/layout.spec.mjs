// The responsive layout from 1024x768 up, on the built-in AI-gateway example: no sideways
// scrolling, a diagram of at least 60% of the viewport's height (also with the explanation
// open, which is a drawer below 1440px wide), the query bar on one row, the rule table's port
// and peer columns on screen, and the left panel as a drawer with a toggle below 1200px.

import { SglabPage } from './sglab-page.mjs';

const SIZES = [
  { width: 1024, height: 768 },
  { width: 1280, height: 720 },
  { width: 1440, height: 900 },
];

/** What the specs measure of the layout. */
async function measure(page) {
  return page.evaluate(() => {
    const rect = (selector) => {
      const element = document.querySelector(selector);
      return element ? element.getBoundingClientRect().toJSON() : null;
    };
    const shown = (element) => {
      const r = element.getBoundingClientRect();
      return r.width > 2 && r.height > 2 && getComputedStyle(element).visibility !== 'hidden';
    };
    const bar = [...document.querySelector('[data-testid="query-bar"]').children].filter(shown).map((e) => e.getBoundingClientRect());
    return {
      scrollWidth: document.scrollingElement.scrollWidth,
      innerWidth,
      innerHeight,
      svg: rect('[data-testid="diagram-svg"]'),
      // One row: a horizontal line crosses every visible child of the query bar.
      barRow: Math.min(...bar.map((r) => r.bottom)) - Math.max(...bar.map((r) => r.top)),
      barCount: bar.length,
    };
  });
}

/** Whether the element is on screen and not hidden. */
async function visible(page, selector) {
  return page.evaluate((selector) => {
    const element = document.querySelector(selector);
    if (!element || getComputedStyle(element).visibility === 'hidden') return false;
    const r = element.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && r.left >= 0 && r.right <= innerWidth && r.top >= 0 && r.top < innerHeight;
  }, selector);
}

function checkFrame(m, where, expect) {
  expect(m.scrollWidth <= m.innerWidth, `${where}: no sideways scrolling (scroll width ${m.scrollWidth} > ${m.innerWidth})`);
  expect(m.svg.height >= 0.6 * m.innerHeight, `${where}: the diagram is ${m.svg.height.toFixed(0)} px tall, under 60% of ${m.innerHeight}`);
  expect(m.svg.bottom <= m.innerHeight + 1 && m.svg.right <= m.innerWidth + 1, `${where}: the diagram is on screen (${JSON.stringify(m.svg)})`);
}

export const tests = SIZES.map((size) => ({
  name: `responsive-${size.width}x${size.height}`,
  async run({ page, baseUrl, openApp, shot, expect }) {
    const app = new SglabPage(page);
    const where = `${size.width}x${size.height}`;
    await page.setViewportSize(size);
    await openApp(baseUrl);
    await app.waitFor('diagram-svg');

    const m = await measure(page);
    checkFrame(m, where, expect);
    expect(m.barCount >= 6 && m.barRow > 0, `${where}: the query bar is on one row (overlap ${m.barRow} px of ${m.barCount} children)`);
    await shot('start');

    // The left panel: in place from 1200px up, a drawer with a toggle below.
    const toggleShown = await visible(page, '[data-testid="left-panel-toggle"]');
    if (size.width < 1200) {
      expect(toggleShown, `${where}: the left panel's toggle is shown`);
      expect(!(await visible(page, '[data-testid="tree"]')), `${where}: the left panel starts closed`);
      await app.click('left-panel-toggle');
      await page.waitForFunction(() => document.querySelector('[data-testid="left-panel-toggle"]').getAttribute('aria-expanded') === 'true');
      await page.waitForFunction(() => getComputedStyle(document.querySelector('.left-panel')).visibility === 'visible');
      expect(await visible(page, '[data-testid="tree"]'), `${where}: the toggle opens the left panel`);
      checkFrame(await measure(page), `${where} with the left panel open`, expect);
      await shot('left-panel');
      await app.click('left-panel-close');
      await page.waitForFunction(() => getComputedStyle(document.querySelector('.left-panel')).visibility === 'hidden');
    } else {
      expect(!toggleShown, `${where}: no toggle where the left panel has room`);
      expect(await visible(page, '[data-testid="tree"]'), `${where}: the left panel is in place`);
    }

    // A group's rule table keeps its port and peer columns on screen.
    await page.locator('[data-testid="diagram-group-service-sg1"] text').first().click();
    await app.waitFor('rules-service-sg1');
    const headers = await page.evaluate(() => {
      const table = document.querySelector('[data-testid="rules-service-sg1"]');
      const scroll = table.querySelector('.table-scroll').getBoundingClientRect();
      return [...table.querySelectorAll('th')].map((th) => {
        const r = th.getBoundingClientRect();
        return { text: th.textContent, inside: r.width > 0 && r.left >= scroll.left - 1 && r.right <= Math.min(scroll.right, innerWidth) + 1 };
      });
    });
    for (const name of ['Port range', 'Source / destination']) {
      const header = headers.find((h) => h.text === name);
      expect(header && header.inside, `${where}: the rule table's "${name}" column is on screen (${JSON.stringify(headers)})`);
    }
    checkFrame(await measure(page), `${where} with a group's rules`, expect);
    await shot('rules');

    // The explanation opens without shrinking the diagram below its minimum.
    await app.ask({ from: 'client', to: 'pod-app-2', port: 80 });
    const open = await measure(page);
    checkFrame(open, `${where} with the explanation open`, expect);
    expect(await visible(page, '[data-testid="verdict"]'), `${where}: the verdict is on screen`);
    expect(open.svg.width >= 0.45 * size.width, `${where}: the explanation leaves the diagram ${open.svg.width.toFixed(0)} px wide`);
    await shot('explanation');
  },
}));
