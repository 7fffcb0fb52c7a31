// The share link carries the whole topology in the URL fragment: opening it in a new page
// shows the same topology; a corrupted link shows a notice and changes nothing.

import { SglabPage } from './sglab-page.mjs';

export const tests = [
  {
    name: 'share-link-round-trip',
    async run({ page, context, openApp, shot, expect }) {
      const app = new SglabPage(page);
      await app.waitFor('diagram-svg');
      await app.click('select-topology');
      await app.commitField('topology-name', 'Shared lab');
      await page.waitForFunction(() => document.querySelector('[data-testid="topology-title"]').textContent === 'Shared lab');
      await app.click('share');
      await app.waitFor('share-url');
      const url = await app.locator('share-url').inputValue();
      expect(/#t=[A-Za-z0-9_-]+$/.test(url), `the link carries the topology in the fragment, got ${url.slice(0, 80)}`);
      await shot('link');
      const original = await app.topology();

      const other = await context.newPage();
      await openApp(url, other);
      const reopened = new SglabPage(other);
      await reopened.waitFor('diagram-svg');
      expect(JSON.stringify(await reopened.topology()) === JSON.stringify(original), 'the new page shows the same topology');
      expect((await reopened.text('topology-title')) === 'Shared lab', 'with its title');
      await shot('reopened', other);
      await other.close();
    },
  },
  {
    name: 'corrupted-link-notice',
    async run({ page, baseUrl, openApp, shot, expect }) {
      const app = new SglabPage(page);
      await app.waitFor('diagram-svg');
      const before = await app.topology();
      await openApp(`${baseUrl}#t=AAAA-this-is-not-a-topology`);
      await app.waitFor('notice-error');
      const notice = await app.text('notice-error');
      expect(notice.includes('share link is damaged'), `a notice explains the damaged link, got ${notice}`);
      expect(JSON.stringify(await app.topology()) === JSON.stringify(before), 'the topology is unchanged');
      await shot('corrupted');
    },
  },
];
