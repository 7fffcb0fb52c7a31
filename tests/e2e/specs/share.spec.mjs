// The share link carries the whole topology in the URL fragment: opening it in a new page
// shows the same topology; a corrupted link shows a notice and changes nothing. A link opened
// over other work keeps that work one click (and one undo) away; the share box says the link
// was copied only when the clipboard took it.

import { SglabPage } from './sglab-page.mjs';
import { SIZES, audit } from '../axe.mjs';

const AUTOSAVE = 'sglab.autosave.v1';
const BEFORE_LINK = 'sglab.autosave.v1.before-link';

/** Screenshots of `p` at 1024x768 and 1440x900. */
async function shots(p, shot, name) {
  for (const size of SIZES) {
    await p.setViewportSize(size);
    await shot(`${name}-${size.width}`, p);
  }
}


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
  {
    name: 'link-keeps-the-work-it-opens-over',
    async run({ page, context, openApp, shot, expect, root }) {
      const app = new SglabPage(page);
      await app.waitFor('diagram-svg');
      // The sender's topology, shared.
      await app.click('select-topology');
      await app.commitField('topology-name', 'Sender lab');
      await page.waitForFunction(() => document.querySelector('[data-testid="topology-title"]').textContent === 'Sender lab');
      await app.click('share');
      await app.waitFor('share-url');
      const url = await app.locator('share-url').inputValue();
      const shared = await app.topology();
      await app.click('share-close');
      // The recipient's own work, autosaved in this browser, differs from the link's.
      await app.click('add-external');
      await app.waitFor('diagram-node-ext-1');
      await page.waitForFunction((key) => (localStorage.getItem(key) || '').includes('ext-1'), AUTOSAVE);
      const own = await app.topology();

      const other = await context.newPage();
      await openApp(url, other);
      const opened = new SglabPage(other);
      await opened.waitFor('notice-restore');
      expect(JSON.stringify(await opened.topology()) === JSON.stringify(shared), 'the link opens as the current document');
      const notice = await opened.text('notices');
      expect(notice.includes('Opened the shared topology; your previous work is kept'), `the notice says the work is kept, got ${notice}`);
      expect(!other.url().includes('#t='), `the link leaves the address bar, got ${other.url()}`);
      const kept = await other.evaluate((key) => localStorage.getItem(key), BEFORE_LINK);
      expect(kept && kept.includes('ext-1'), 'the previous autosave is kept under its recovery key');
      await shots(other, shot, 'link-opened-over-work');
      const found = await audit(other, root, (name) => shot(name, other), 'link-notice');
      expect(found.length === 0, `axe finds no serious or critical violation:\n${found.join('\n')}`);

      // Undo returns to the previous work; Redo to the link's.
      await opened.click('undo');
      await other.waitForSelector('[data-testid="diagram-node-ext-1"]');
      expect(JSON.stringify(await opened.topology()) === JSON.stringify(own), 'undo brings the previous work back');
      await opened.click('redo');
      await other.waitForSelector('[data-testid="diagram-node-ext-1"]', { state: 'detached' });

      // Restore brings it back in one click, and is itself undoable.
      await opened.click('notice-restore');
      await other.waitForSelector('[data-testid="diagram-node-ext-1"]');
      expect(JSON.stringify(await opened.topology()) === JSON.stringify(own), 'restore brings the previous work back');
      expect((await other.locator('[data-testid="notice-restore"]').count()) === 0, 'the restore offer goes once used');
      await shots(other, shot, 'restored');
      await opened.click('undo');
      await other.waitForSelector('[data-testid="diagram-node-ext-1"]', { state: 'detached' });
      expect(JSON.stringify(await opened.topology()) === JSON.stringify(shared), 'undoing the restore shows the link again');

      // A reload does not reopen the link over newer edits.
      await opened.click('redo');
      await other.waitForSelector('[data-testid="diagram-node-ext-1"]');
      await other.waitForFunction((key) => (localStorage.getItem(key) || '').includes('ext-1'), AUTOSAVE);
      await openApp(other.url(), other);
      await opened.waitFor('diagram-node-ext-1');
      expect(true, 'the reload restores the autosave, not the link');
      await other.close();
    },
  },
  {
    name: 'link-over-the-same-topology-changes-nothing',
    async run({ page, context, openApp, expect }) {
      const app = new SglabPage(page);
      await app.waitFor('diagram-svg');
      await app.click('share');
      await app.waitFor('share-url');
      const url = await app.locator('share-url').inputValue();
      await page.waitForFunction((key) => localStorage.getItem(key) !== null, AUTOSAVE);
      const other = await context.newPage();
      await openApp(url, other);
      await new SglabPage(other).waitFor('notice-info');
      expect((await other.locator('[data-testid="notice-restore"]').count()) === 0, 'nothing to restore when the link holds the autosaved topology');
      expect((await other.evaluate((key) => localStorage.getItem(key), BEFORE_LINK)) === null, 'and nothing is kept apart');
      await other.close();
    },
  },
  {
    name: 'clipboard-copied',
    async run({ page, context, baseUrl, shot, expect }) {
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseUrl.replace(/\/$/, '') });
      const app = new SglabPage(page);
      await app.waitFor('diagram-svg');
      await app.click('share');
      await page.waitForFunction(() => (document.querySelector('[data-testid="share-status"]')?.textContent || '').startsWith('Link copied'));
      const url = await app.locator('share-url').inputValue();
      const copied = await page.evaluate(() => navigator.clipboard.readText());
      expect(copied === url, 'the clipboard holds the link the box shows');
      await shots(page, shot, 'copied');
    },
  },
  {
    name: 'clipboard-refused',
    async run({ page, context, baseUrl, shot, expect, root }) {
      const origin = baseUrl.replace(/\/$/, '');
      const cdp = await context.newCDPSession(page);
      for (const name of ['clipboard-write']) {
        await cdp.send('Browser.setPermission', { permission: { name }, setting: 'denied', origin });
      }
      const app = new SglabPage(page);
      await app.waitFor('diagram-svg');
      await app.click('share');
      await page.waitForFunction(() => (document.querySelector('[data-testid="share-status"]')?.textContent || '').startsWith('Copy the link below'));
      const status = await app.text('share-status');
      expect(status.includes('the clipboard refused') && !status.includes('copied'), `the box tells the truth, got ${status}`);
      const selected = await page.evaluate(() => {
        const input = document.querySelector('[data-testid="share-url"]');
        return document.activeElement === input && input.selectionStart === 0 && input.selectionEnd === input.value.length;
      });
      expect(selected, 'the link is selected for copying by hand');
      await shots(page, shot, 'refused');
      const found = await audit(page, root, shot, 'refused');
      expect(found.length === 0, `axe finds no serious or critical violation:\n${found.join('\n')}`);
    },
  },
];
