// Browser faults: the storage full when autosaving (a notice, the work kept in the tab); a file
// over 50 MB opened or dropped and a share link over 1 MB (refused, naming the limit, the
// topology untouched); the app open in two tabs (the tab saved over is told, and keeps its
// version apart); a reload in the middle of a long evaluation (the work is there after it).

import { readFile } from 'node:fs/promises';
import { SglabPage } from './sglab-page.mjs';
import { largeTopology } from '../fixtures.mjs';

const AUTOSAVE = 'sglab.autosave.v1';
const OTHER_TAB = 'sglab.autosave.v1.other-tab';

const saved = (page) => page.evaluate((key) => localStorage.getItem(key) || '', AUTOSAVE);
const waitForSave = (page, text) =>
  page.waitForFunction(([key, wanted]) => (localStorage.getItem(key) || '').includes(wanted), [AUTOSAVE, text]);

/** Adds an external endpoint and waits for it on the diagram: `ext-N`. */
async function addExternal(app, n) {
  await app.click('add-external');
  await app.waitFor(`diagram-node-ext-${n}`);
}

/** A file of `megabytes` MB made in the page, opened through Open... or dropped on the workspace. */
async function offerHugeFile(page, how, name, megabytes) {
  await page.evaluate(
    ([how, name, megabytes]) => {
      const file = new File([new Uint8Array(megabytes * 1024 * 1024).fill(32)], name, { type: 'application/json' });
      const transfer = new DataTransfer();
      transfer.items.add(file);
      if (how === 'open') {
        const input = document.querySelector('[data-testid="file-input"]');
        input.files = transfer.files;
        input.dispatchEvent(new Event('change', { bubbles: true }));
      } else {
        const workspace = document.querySelector('.workspace');
        workspace.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
      }
    },
    [how, name, megabytes],
  );
}

/** The large topology with 1,500 more endpoints (2,000 in all), so that its first evaluation in
 * the worker lasts long enough to show its progress bar. */
function largerTopology() {
  const topology = largeTopology();
  for (let e = 500; e < 2000; e++) {
    topology.endpoints.push({ id: `i-${e}`, name: `node ${e}`, kind: 'ecs', private_ip: `10.0.${Math.floor(e / 250)}.${(e % 250) + 2}`, groups: [`sg-${e % 50}`] });
  }
  return topology;
}

export const tests = [
  {
    name: 'storage-full',
    async run({ page, shot, expect }) {
      const app = new SglabPage(page);
      await app.waitFor('diagram-svg');
      await addExternal(app, 1);
      await waitForSave(page, 'ext-1');
      const before = await saved(page);

      // From now on the browser refuses every write of the autosave, as a full storage does.
      await page.evaluate(() => {
        const setItem = Storage.prototype.setItem;
        window.restoreStorage = () => {
          Storage.prototype.setItem = setItem;
        };
        Storage.prototype.setItem = function (key, value) {
          if (key.startsWith('sglab.autosave')) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
          return setItem.call(this, key, value);
        };
      });
      await addExternal(app, 2);
      await app.waitFor('notice-warning');
      const notice = await app.text('notice-warning');
      expect(notice.includes('storage is full') && notice.includes('kept in this tab') && notice.includes('sglab JSON'), `a notice says the work is kept in the tab and how to keep it, got ${notice}`);
      const role = await page.locator('[data-testid="notices"]').getAttribute('role');
      expect(role === 'status', `the notices are a status region, got ${role}`);
      const topology = await app.topology();
      expect(topology.endpoints.some((e) => e.id === 'ext-2'), 'the work stays in memory');
      expect((await saved(page)) === before, 'the last autosave is intact');
      await shot('storage-full');

      await addExternal(app, 3);
      expect((await page.locator('[data-testid="notice-warning"]').count()) === 1, 'the notice is shown once, not on every save');

      // The storage has room again: the next save writes everything kept in memory.
      await page.evaluate(() => window.restoreStorage());
      await addExternal(app, 4);
      await waitForSave(page, 'ext-4');
      const again = await saved(page);
      expect(again.includes('ext-2') && again.includes('ext-3'), 'nothing was lost');
    },
  },
  {
    name: 'file-over-limit',
    async run({ page, shot, expect }) {
      const app = new SglabPage(page);
      await app.waitFor('diagram-svg');
      const before = JSON.stringify(await app.topology());

      await offerHugeFile(page, 'open', 'huge.json', 51);
      await app.waitFor('notice-error');
      let notice = await app.text('notice-error');
      expect(notice.includes('huge.json') && notice.includes('50 MB') && notice.includes('Nothing was opened'), `the refusal names the file and the limit, got ${notice}`);
      expect(JSON.stringify(await app.topology()) === before, 'the topology is untouched');
      await shot('file-opened');

      await app.click('notice-dismiss');
      await offerHugeFile(page, 'drop', 'dropped.tf', 60);
      await app.waitFor('notice-error');
      notice = await app.text('notice-error');
      expect(notice.includes('dropped.tf') && notice.includes('60.0 MB') && notice.includes('50 MB'), `the refusal of a dropped file, got ${notice}`);
      expect(JSON.stringify(await app.topology()) === before, 'the topology is still untouched');
      await shot('file-dropped');
    },
  },
  {
    name: 'share-link-over-limit',
    async run({ page, baseUrl, openApp, shot, expect }) {
      const app = new SglabPage(page);
      await app.waitFor('diagram-svg');
      await addExternal(app, 1);
      await waitForSave(page, 'ext-1');
      const before = await saved(page);

      await page.goto('about:blank');
      await openApp(`${baseUrl}#t=${'A'.repeat(1536 * 1024)}`);
      await app.waitFor('notice-error');
      const notice = await app.text('notice-error');
      expect(notice.includes('too long') && notice.includes('1.5 MB') && notice.includes('limit of 1 MB'), `a refusal naming the limit, got ${notice}`);
      await app.waitFor('diagram-node-ext-1');
      expect(true, 'the autosaved topology opens instead');
      expect((await saved(page)) === before, 'the autosave is untouched');
      await shot('link-refused');

      // A topology whose link would be over the limit gets no link, but the same reason.
      const topology = await app.topology();
      let seed = 3;
      const noise = () =>
        Array.from({ length: 500 }, () => {
          seed = (seed * 48271) % 2147483647;
          return 'abcdefghijklmnopqrstuvwxyz0123456789'[seed % 36];
        }).join('');
      // 3,000 rules with 500 random characters each: 1.5 MB of text whose link is over 1 MB.
      for (let r = 0; r < 3000; r++) {
        topology.security_groups[0].rules.push({ direction: 'ingress', policy: 'accept', priority: 1, protocol: 'tcp', port_range: '22/22', cidr: '10.0.0.0/8', description: noise() });
      }
      const diagnostics = await page.evaluate((t) => window.sglab.load(t), JSON.stringify(topology));
      expect(!diagnostics.some((d) => d.severity === 'error'), `the noisy topology loads, got ${JSON.stringify(diagnostics.slice(0, 2))}`);
      await app.click('share');
      const noLink = page.locator('[data-testid="notice-warning"]', { hasText: 'No share link' });
      await noLink.waitFor({ timeout: 10000 }).catch(async () => {
        const info = await page.evaluate(() => ({ json: window.sglab.topology().length, box: !!document.querySelector('[data-testid="share-box"]'), url: (document.querySelector('[data-testid="share-url"]')?.value || '').length }));
        throw new Error(`no refusal: ${JSON.stringify(info)}`);
      });
      const refused = await noLink.textContent();
      expect(refused.includes('limit of 1 MB') && (await app.locator('share-box').count()) === 0, `no link over the limit is made, got ${refused}`);
      await shot('no-link-made');
    },
  },
  {
    name: 'two-tabs',
    async run({ page, context, baseUrl, openApp, shot, expect }) {
      const first = new SglabPage(page);
      await first.waitFor('diagram-svg');
      await addExternal(first, 1);
      await waitForSave(page, 'ext-1');

      const other = await context.newPage();
      await openApp(baseUrl, other);
      const second = new SglabPage(other);
      await second.waitFor('diagram-node-ext-1');
      await second.click('add-external');
      await second.waitFor('diagram-node-ext-2');
      await second.click('add-external');
      await second.waitFor('diagram-node-ext-3');
      await waitForSave(page, 'ext-3');

      // The first tab's work would be overwritten: it is told, and its version is kept apart.
      await first.waitFor('notice-warning');
      const notice = await first.text('notice-warning');
      expect(notice.includes('another tab') && notice.includes('Nothing is lost'), `the first tab is told, got ${notice}`);
      const mine = await first.topology();
      expect(!mine.endpoints.some((e) => e.id === 'ext-3'), 'the first tab keeps its own work');
      const kept = await page.evaluate((key) => localStorage.getItem(key) || '', OTHER_TAB);
      expect(kept.includes('ext-1') && !kept.includes('ext-3'), 'its version is kept under the recovery key');
      expect((await second.locator('notice-warning').count()) === 0, 'the later tab is not disturbed');
      await shot('saved-over');

      // Later saves of the first tab go apart: the second tab's autosave stays.
      await page.bringToFront();
      await first.click('add-external');
      await first.waitFor('diagram-node-ext-2');
      await page.waitForFunction((key) => (localStorage.getItem(key) || '').includes('ext-2'), OTHER_TAB);
      const autosave = await saved(page);
      expect(autosave.includes('ext-3'), 'the second tab\'s autosave is not overwritten');
      expect(!(await page.evaluate((key) => localStorage.getItem(key), OTHER_TAB)).includes('ext-3'), 'the first tab saves apart');

      // The next start offers the kept version; downloading it hands it over and forgets it.
      await other.close();
      await openApp(baseUrl);
      await first.waitFor('notice-warning');
      expect((await first.text('notice-warning')).includes('two tabs'), 'the next start offers the kept version');
      const download = page.waitForEvent('download');
      await first.click('notice-download');
      const file = await download;
      const text = await readFile(await file.path(), 'utf8');
      expect(text.includes('ext-1') && file.suggestedFilename() === 'sglab-kept-from-another-tab.json', 'the kept version downloads');
      const left = await page.evaluate((key) => localStorage.getItem(key), OTHER_TAB);
      expect(left === null, 'and is then forgotten');
      await shot('kept-version');
    },
  },
  {
    name: 'reload-during-evaluation',
    async run({ page, shot, expect }) {
      const app = new SglabPage(page);
      await app.waitFor('diagram-svg');
      // The moment the progress bar appears (the evaluation running in the engine's worker),
      // the page notes what the autosave holds and reloads, in the middle of the evaluation.
      await page.evaluate(() => {
        const observer = new MutationObserver(() => {
          if (!document.querySelector('[data-testid="progress"]')) return;
          observer.disconnect();
          const stage = document.querySelector('[data-testid="progress-stage"]')?.textContent || '';
          const saved = (localStorage.getItem('sglab.autosave.v1') || '').includes('"i-1999"');
          sessionStorage.setItem('sglab-e2e-reload', JSON.stringify({ stage, saved }));
          location.reload();
        });
        observer.observe(document.body, { childList: true, subtree: true });
      });
      const reloaded = page.waitForEvent('load', { timeout: 30000 });
      // Loading a large topology starts its first evaluation, long enough to show progress.
      const diagnostics = await page.evaluate((t) => window.sglab.load(t), JSON.stringify(largerTopology()));
      expect(!diagnostics.some((d) => d.severity === 'error'), `the large topology loads, got ${JSON.stringify(diagnostics.slice(0, 2))}`);
      await reloaded.catch(async (error) => {
        const state = await page.evaluate(() => ({ noted: sessionStorage.getItem('sglab-e2e-reload'), title: document.querySelector('[data-testid="topology-title"]')?.textContent }));
        const evaluation = await page.evaluate(() => window.sglab.lastEvaluation());
        throw new Error(`no reload: ${JSON.stringify(state)} ${JSON.stringify(evaluation)}: ${error.message}`);
      });
      const noted = JSON.parse(await page.evaluate(() => sessionStorage.getItem('sglab-e2e-reload')));
      expect(noted && noted.saved === true, `the autosave holds the topology while it is evaluated (stage ${noted && noted.stage})`);
      await app.waitFor('app', { timeout: 20000 });
      await page.waitForFunction(() => document.querySelector('[data-testid="topology-title"]')?.textContent.includes('Large'), null, { timeout: 20000 });
      const topology = await app.topology();
      expect(topology.endpoints.length === 2000 && topology.security_groups.length === 50, 'the topology being evaluated at the reload is there after it');
      await page.evaluate(() => window.sglab.lastEvaluation());
      await shot('after-reload');
    },
  },
];
