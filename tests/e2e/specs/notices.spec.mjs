// Notices that do not pile up, an empty canvas that says what to do, a VPC drawn as a region,
// and edge labels clear of the boxes, at 1024x768 and 1440x900.

import { SglabPage } from './sglab-page.mjs';

const SIZES = [
  { width: 1024, height: 768 },
  { width: 1440, height: 900 },
];
/** The most height the notices take by default, in CSS pixels. */
const BUDGET = 60;

/** Opens a file that is not a topology: an error notice naming it. */
async function openBroken(page, name) {
  await page.setInputFiles('[data-testid="file-input"]', {
    name,
    mimeType: 'application/json',
    buffer: Buffer.from('{"this is": "not a topology"'),
  });
  await page.waitForFunction((wanted) => document.querySelector('[data-testid="notice-error"]')?.textContent.includes(wanted), name);
}

async function noticesHeight(page) {
  return page.locator('[data-testid="notices"]').evaluate((element) => element.getBoundingClientRect().height);
}

export const tests = [
  {
    name: 'three-notices-fit-and-information-expires',
    async run({ page, shot, expect }) {
      const app = new SglabPage(page);
      await app.waitFor('diagram-svg');
      for (const size of SIZES) {
        await page.setViewportSize(size);
        while ((await page.locator('[data-testid="notice-dismiss"]').count()) > 0) {
          await page.locator('[data-testid="notice-dismiss"]').first().click();
        }
        await openBroken(page, `first-${size.width}.json`);
        await openBroken(page, `second-${size.width}.json`);
        await app.openExample('ai-gateway');
        await app.waitFor('notice-info');
        const height = await noticesHeight(page);
        expect(height <= BUDGET, `three notices take ${height} px at ${size.width}, more than ${BUDGET}`);
        expect((await app.text('notices-more')) === '1 more', `the older error is folded, got ${await app.text('notices-more')}`);
        expect((await app.text('notice-error')).includes(`second-${size.width}.json`), 'the newest error shows');
        expect((await page.locator('[data-testid="notice-info"]').count()) === 1, 'one information notice shows');
        await shot(`three-${size.width}`);

        // The folded notice opens on request, and the stack folds again.
        await app.click('notices-more');
        expect((await page.locator('[data-testid="notice-error"]').count()) === 2, 'both errors show when expanded');
        expect((await page.locator('[data-testid="notices-more"]').getAttribute('aria-expanded')) === 'true', 'the toggle says it is expanded');
        await shot(`expanded-${size.width}`);
        await app.click('notices-more');
        expect((await page.locator('[data-testid="notice-error"]').count()) === 1, 'folded again');

        // The pointer on the notices holds the information; once it leaves, it goes.
        await page.locator('[data-testid="notice-info"]').hover();
        await page.waitForTimeout(7000);
        expect((await page.locator('[data-testid="notice-info"]').count()) === 1, 'held while hovered');
        await page.mouse.move(size.width / 2, size.height - 20);
        await page.waitForSelector('[data-testid="notice-info"]', { state: 'detached', timeout: 9000 });
        expect((await page.locator('[data-testid="notice-error"]').count()) === 1, 'the error stays until dismissed');
        const after = await noticesHeight(page);
        expect(after <= 34, `one error takes one line, got ${after} px`);
        await shot(`expired-${size.width}`);
      }
    },
  },
  {
    name: 'advice-goes-and-the-empty-canvas-helps',
    async run({ page, shot, expect }) {
      const app = new SglabPage(page);
      await app.waitFor('diagram-svg');
      for (const size of SIZES) {
        await page.setViewportSize(size);
        await app.click('new-topology');
        await page.waitForFunction(() => document.querySelector('[data-testid="notices"]')?.textContent.includes('add a VPC'));
        await app.waitFor('empty-hint');
        const hint = await app.text('empty-hint');
        expect(hint.includes('Add a VPC') && hint.includes('example'), `the hint says what to do, got ${hint}`);
        await shot(`empty-${size.width}`);

        // The hint's buttons are reached by keyboard.
        await page.locator('[data-testid="hint-add-vpc"]').focus();
        await page.keyboard.press('Enter');
        await app.waitFor('hint-add-group');
        const notices = await app.text('notices');
        expect(!notices.includes('add a VPC'), `the advice to add a VPC is gone, got ${notices}`);

        // A VPC alone is drawn as a titled region.
        const vpc = page.locator('[data-testid^="diagram-vpc-"]').first();
        const box = await vpc.boundingBox();
        expect(box && box.width > 100 && box.height > 60, `the VPC region is drawn, got ${JSON.stringify(box)}`);
        expect((await app.text('diagram-vpc-title')).startsWith('VPC'), 'the region is titled');
        await shot(`vpc-alone-${size.width}`);

        await page.keyboard.press('Tab');
        await app.click('hint-add-group');
        await app.waitFor('hint-add-node');
        await app.click('hint-add-node');
        await page.waitForSelector('[data-testid="empty-hint"]', { state: 'detached' });
        const topology = await app.topology();
        expect(topology.endpoints.length === 1 && topology.security_groups.length === 1, 'the hint added a group and an instance');
        const inside = await page.evaluate(() => {
          const region = document.querySelector('[data-testid^="diagram-vpc-"] rect').getBoundingClientRect();
          const group = document.querySelector('[data-testid^="diagram-group-"] rect').getBoundingClientRect();
          return group.left >= region.left && group.top > region.top && group.right <= region.right && group.bottom <= region.bottom;
        });
        expect(inside, 'the group is drawn inside its VPC');
        await shot(`vpc-group-node-${size.width}`);

        // From an empty topology again, the hint opens an example.
        await app.click('new-topology');
        await app.click('hint-example');
        await app.waitFor('diagram-group-sg-ai-gateway');
        expect((await page.locator('[data-testid="empty-hint"]').count()) === 0, 'no hint on a drawn topology');
      }
    },
  },
  {
    name: 'edge-labels-clear-of-boxes',
    async run({ page, shot, expect }) {
      const app = new SglabPage(page);
      await app.waitFor('diagram-svg');
      await app.openExample('ai-gateway');
      await app.waitFor('diagram-group-sg-ai-gateway');
      for (const size of SIZES) {
        await page.setViewportSize(size);
        for (const shown of [false, true]) {
          if (shown) {
            await page.locator('[data-testid="show-external"]').check();
            await page.locator('[data-testid="show-intra"]').check();
          }
          await app.click('zoom-fit');
          await page.waitForTimeout(200);
          const overlaps = await page.evaluate(() => {
            const rects = (selector) => [...document.querySelectorAll(selector)].map((element) => ({ element, rect: element.getBoundingClientRect() }));
            const labels = [...document.querySelectorAll('[data-testid="edge-label"]')].map((text) => ({
              text: text.textContent,
              rect: text.previousElementSibling.getBoundingClientRect(),
            }));
            const boxes = [
              ...rects('[data-testid^="diagram-group-"] > text').map(({ element, rect }) => ({ what: `group title ${element.textContent}`, rect })),
              ...rects('[data-testid^="diagram-node-"] > rect:first-of-type').map(({ element, rect }) => ({ what: `card ${element.parentElement.dataset.testid}`, rect })),
            ];
            const hit = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
            const found = [];
            for (const label of labels) {
              for (const box of boxes) {
                if (hit(label.rect, box.rect)) found.push(`${label.text} over ${box.what}`);
              }
            }
            return { found, labels: labels.length };
          });
          expect(overlaps.labels > 0, 'labels are drawn');
          expect(overlaps.found.length === 0, `labels over boxes at ${size.width}: ${overlaps.found.join('; ')}`);
          await shot(`labels-${shown ? 'all' : 'default'}-${size.width}`);
        }
        await page.locator('[data-testid="show-external"]').uncheck();
        await page.locator('[data-testid="show-intra"]').uncheck();
      }
    },
  },
];
