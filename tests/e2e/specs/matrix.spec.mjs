// The matrix view: every pair of endpoints with the allowed ports, filters, and each cell
// opening its explanation.

import { SglabPage } from './sglab-page.mjs';

export const tests = [
  {
    name: 'matrix-cell-explains',
    async run({ page, shot, expect }) {
      const app = new SglabPage(page);
      await app.waitFor('diagram-svg');
      await app.click('tab-matrix');
      await app.waitFor('matrix');
      const cell = app.locator('cell-gw-node-1-pod-app-1');
      expect((await cell.innerText()).includes('tcp 8080'), 'the gateway node -> pod cell shows tcp 8080');
      expect((await app.locator('cell-client-pod-app-1').innerText()).includes('\u2716'), 'a blocked cell shows a cross');
      await shot('matrix');

      await page.selectOption('[data-testid="matrix-protocol"]', 'udp');
      expect((await cell.innerText()).includes('\u2716'), 'filtering to UDP leaves the cell empty');
      await page.selectOption('[data-testid="matrix-protocol"]', 'any');
      await page.fill('[data-testid="matrix-filter"]', 'pod');
      expect((await app.locator('cell-pod-app-1-pod-app-2').count()) === 1, 'the endpoint filter keeps the pods');
      expect((await app.locator('cell-gw-node-1-pod-app-1').count()) === 0, 'and hides the others');
      await page.fill('[data-testid="matrix-filter"]', '');

      await cell.click();
      await app.waitFor('explanation');
      expect((await app.verdict()) === 'allow', 'the cell opens an allowed explanation');
      expect((await app.text('question')).includes('8080'), 'on the cell\'s port');
      await shot('cell-explained');

      const download = page.waitForEvent('download');
      await app.click('export-menu');
      await app.click('export-csv');
      const file = await download;
      expect(file.suggestedFilename().endsWith('.csv'), 'the matrix exports as CSV');
    },
  },
];
