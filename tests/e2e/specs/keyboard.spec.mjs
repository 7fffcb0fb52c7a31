// The keyboard, at 1024x768 and 1440x900: the skip links reach the query bar in a few Tabs;
// the tabs (ARIA tabs pattern) and the tree (ARIA tree pattern) move with the arrow keys;
// "Why?" (or Enter in the query bar) moves the focus to the verdict, Escape and the close
// button give it back to the control that asked; the question stays in the query bar after the
// explanation closes, so that "try 8080, close, try 8081" changes the port only.

import { SglabPage, id } from './sglab-page.mjs';
import { SIZES } from '../axe.mjs';

/** The test id of the focused element (or its tag). */
const focused = (page) =>
  page.evaluate(() => {
    const a = document.activeElement;
    return a ? a.getAttribute('data-testid') || a.tagName : null;
  });

/** Presses Tab until `testid` has the focus; answers how many Tabs, or -1 after `max`. */
async function tabTo(page, testid, max) {
  for (let i = 1; i <= max; i++) {
    await page.keyboard.press('Tab');
    if ((await focused(page)) === testid) return i;
  }
  return -1;
}

/** The query bar's four fields. */
const bar = (page) =>
  page.evaluate(() => ['query-from', 'query-to', 'query-protocol', 'query-port'].map((t) => document.querySelector(`[data-testid="${t}"]`).value));

/** Reloads the page at `size`, with the focus at its start. */
async function fresh(page, size) {
  await page.setViewportSize(size);
  await page.reload();
  await page.waitForSelector(id('diagram-svg'));
  await page.evaluate(() => document.activeElement && document.activeElement.blur());
}

export const tests = [
  {
    name: 'skip-links-and-tabs',
    async run({ page, shot, expect }) {
      const app = new SglabPage(page);
      for (const size of SIZES) {
        await fresh(page, size);
        const tabs = await tabTo(page, 'skip-query', 3);
        expect(tabs >= 1 && tabs <= 3, `the skip link to the query is at most 3 Tabs from the start at ${size.width}, got ${tabs}`);
        const box = await app.locator('skip-query').boundingBox();
        expect(box && box.x >= 0 && box.width > 0, 'the focused skip link is on screen');
        await shot(`skip-link-${size.width}`);
        await page.keyboard.press('Enter');
        expect((await focused(page)) === 'query-from', `the skip link focuses the query bar, not ${await focused(page)}`);
        expect((await page.evaluate(() => document.activeElement.closest('main') !== null)), 'the query bar is in the main landmark');

        await fresh(page, size);
        expect((await tabTo(page, 'skip-diagram', 3)) > 0, 'the skip link to the diagram follows');
        await page.keyboard.press('Enter');
        expect((await page.evaluate(() => document.activeElement.id)) === 'view-panel', 'it focuses the view');

        // The tabs: one Tab stop, arrows move and select.
        const stops = await page.locator('[role="tab"][tabindex="0"]').count();
        expect(stops === 1, `one tab in the Tab order, got ${stops}`);
        await app.locator('tab-diagram').focus();
        await page.keyboard.press('ArrowRight');
        expect((await focused(page)) === 'tab-matrix', 'Right moves to the Matrix tab');
        await page.waitForFunction(() => document.querySelector('[data-testid="tab-matrix"]').getAttribute('aria-selected') === 'true');
        expect((await app.locator('tab-matrix').getAttribute('tabindex')) === '0', 'the selected tab is the Tab stop');
        expect((await page.locator('#view-panel[role="tabpanel"]').getAttribute('aria-labelledby')) === 'tab-matrix', 'the panel is labelled by its tab');
        await shot(`tabs-matrix-${size.width}`);
        await page.keyboard.press('End');
        expect((await focused(page)) === 'tab-lint', 'End moves to the last tab');
        await page.keyboard.press('ArrowRight');
        expect((await focused(page)) === 'tab-diagram', 'Right wraps to the first tab');
        await page.keyboard.press('ArrowLeft');
        expect((await focused(page)) === 'tab-lint', 'Left wraps to the last tab');
        await page.keyboard.press('Home');
        expect((await focused(page)) === 'tab-diagram', 'Home moves to the first tab');
        await page.waitForSelector(id('diagram-svg'));
      }
    },
  },
  {
    name: 'tree-arrows',
    async run({ page, shot, expect }) {
      const app = new SglabPage(page);
      for (const size of SIZES) {
        await fresh(page, size);
        const stops = await page.locator('[role="tree"] [role="treeitem"][tabindex="0"]').count();
        expect(stops === 1, `one tree item in the Tab order, got ${stops}`);
        // Below 1200 px the left panel is a drawer: open it first.
        if (await page.locator('[data-testid="left-panel-toggle"]').isVisible()) {
          await app.click('left-panel-toggle');
        }
        await page.locator('[role="tree"] [role="treeitem"][tabindex="0"]').focus();
        await page.keyboard.press('Home');
        expect((await focused(page)) === 'tree-section-vpcs', `Home goes to the first section, got ${await focused(page)}`);
        await page.keyboard.press('ArrowDown');
        expect((await focused(page)) === 'tree-vpc-vpc-ai', 'Down goes to the VPC');
        await page.keyboard.press('ArrowDown');
        expect((await focused(page)) === 'tree-section-groups', 'Down goes on to the next section');
        await page.keyboard.press('ArrowLeft');
        await page.waitForFunction(() => document.querySelector('[data-testid="tree-section-groups"]').getAttribute('aria-expanded') === 'false');
        expect((await page.locator('[data-testid^="tree-group-"]').count()) === 0, 'Left closes the section');
        await page.keyboard.press('ArrowRight');
        await page.waitForSelector(id('tree-group-service-sg1'));
        await page.keyboard.press('ArrowRight');
        expect((await focused(page)) === 'tree-group-service-sg1', `Right enters the open section, got ${await focused(page)}`);
        await page.keyboard.press('ArrowDown');
        expect((await focused(page)) === 'tree-group-service-sg2', 'Down moves to the next group');
        await page.keyboard.press('ArrowUp');
        expect((await focused(page)) === 'tree-group-service-sg1', 'Up moves back');
        await page.keyboard.press('Enter');
        await page.waitForSelector(id('rules-service-sg1'));
        expect((await app.locator('tree-group-service-sg1').getAttribute('aria-selected')) === 'true', 'Enter selects the group');
        expect((await focused(page)) === 'tree-group-service-sg1', 'the focus stays on the group');
        await shot(`tree-group-${size.width}`);

        // From the group to its first rule field: one Tab and Enter.
        const tabs = await tabTo(page, 'tree-skip-rules', 1);
        expect(tabs === 1, 'one Tab from the group reaches the skip link to its rules');
        await page.keyboard.press('Enter');
        const field = await focused(page);
        expect(field === 'rule-service-sg1-0-direction', `Enter focuses the group's first rule field, got ${field}`);
        await shot(`tree-rule-field-${size.width}`);

        // Back into the tree: the Tab stop is the selected group; End and Up.
        await page.locator('[role="tree"] [role="treeitem"][tabindex="0"]').focus();
        expect((await focused(page)) === 'tree-group-service-sg1', "the selected group is the tree's Tab stop");
        await page.keyboard.press('End');
        expect((await focused(page)) === 'tree-section-prefix-lists', 'End goes to the last item');
        await page.keyboard.press('ArrowUp');
        expect((await focused(page)) === 'tree-gateway-gw-ai', 'Up goes to the item before');
        await page.keyboard.press('ArrowLeft');
        expect((await focused(page)) === 'tree-section-gateways', 'Left goes back to the section');
      }
    },
  },
  {
    name: 'why-focus-and-question-kept',
    async run({ page, shot, expect }) {
      const app = new SglabPage(page);
      for (const size of SIZES) {
        await fresh(page, size);
        await page.selectOption(id('query-from'), 'gw-node-1');
        await page.selectOption(id('query-to'), 'pod-app-1');
        await page.fill(id('query-port'), '8080');
        await app.locator('query-submit').focus();
        await page.keyboard.press('Enter');
        await app.waitFor('explanation');
        expect((await app.verdict()) === 'allow', '8080 is allowed');
        expect((await focused(page)) === 'verdict', `"Why?" moves the focus to the verdict, not ${await focused(page)}`);
        await shot(`verdict-focused-${size.width}`);
        const asked = await bar(page);

        await page.keyboard.press('Escape');
        expect((await app.locator('explanation').count()) === 0, 'Escape closes the explanation');
        expect((await focused(page)) === 'query-submit', `the focus goes back to "Why?", not ${await focused(page)}`);
        expect(JSON.stringify(await bar(page)) === JSON.stringify(asked), `the question stays: ${await bar(page)} vs ${asked}`);
        await shot(`closed-${size.width}`);

        // Only the port changes; Enter in the port field asks.
        await app.locator('query-port').fill('8081');
        await app.locator('query-port').press('Enter');
        await app.waitFor('explanation');
        expect((await app.verdict()) === 'deny', '8081 is blocked');
        const question = await app.text('question');
        expect(question.includes('AI gateway node 1') && question.includes('app pod 1') && question.includes('8081'), `the new question, got ${question}`);
        expect((await focused(page)) === 'verdict', 'Enter in the query bar moves the focus to the verdict');

        await app.click('explanation-close');
        expect((await focused(page)) === 'query-port', `closing gives the focus back to the port field, not ${await focused(page)}`);
        const kept = await bar(page);
        expect(kept[0] === 'gw-node-1' && kept[1] === 'pod-app-1' && kept[3] === '8081', `the question stays after the close button, got ${kept}`);
      }
    },
  },
];
