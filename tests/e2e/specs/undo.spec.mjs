// Undo and redo, with the buttons and with Ctrl+Z / Ctrl+Shift+Z.

import { SglabPage } from './sglab-page.mjs';

export const tests = [
  {
    name: 'undo-redo',
    async run({ page, shot, expect }) {
      const app = new SglabPage(page);
      await app.waitFor('diagram-svg');
      const count = async () => (await app.topology()).endpoints.length;
      const start = await count();
      expect(await app.locator('undo').isDisabled(), 'nothing to undo at first');
      await app.click('add-external');
      await app.waitFor('diagram-node-ext-1');
      expect((await count()) === start + 1, 'an external host was added');

      await app.click('undo');
      await page.waitForSelector('[data-testid="diagram-node-ext-1"]', { state: 'detached' });
      expect((await count()) === start, 'the undo button removes it');
      await app.click('redo');
      await app.waitFor('diagram-node-ext-1');
      expect((await count()) === start + 1, 'the redo button restores it');

      await page.locator('[data-testid="diagram-svg"]').click({ position: { x: 5, y: 5 } });
      await page.keyboard.press('Control+z');
      await page.waitForSelector('[data-testid="diagram-node-ext-1"]', { state: 'detached' });
      expect((await count()) === start, 'Ctrl+Z undoes');
      await page.keyboard.press('Control+Shift+Z');
      await app.waitFor('diagram-node-ext-1');
      expect((await count()) === start + 1, 'Ctrl+Shift+Z redoes');
      await shot('redone');
    },
  },
];
