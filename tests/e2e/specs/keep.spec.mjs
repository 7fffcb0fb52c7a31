// Keeping work: the autosave restores the last topology after a reload; a corrupted autosave
// shows a notice, keeps the bad data downloadable and opens the example; the diagram exports as
// SVG and PNG and the topology as sglab JSON.

import { readFile } from 'node:fs/promises';
import { SglabPage } from './sglab-page.mjs';

export const tests = [
  {
    name: 'autosave-and-corrupted-save',
    async run({ page, baseUrl, openApp, shot, expect }) {
      const app = new SglabPage(page);
      await app.waitFor('diagram-svg');
      await app.click('add-external');
      await app.waitFor('diagram-node-ext-1');
      await page.waitForFunction(() => (localStorage.getItem('sglab.autosave.v1') || '').includes('ext-1'));
      await openApp(baseUrl);
      await app.waitFor('diagram-node-ext-1');
      expect(true, 'the reload restores the autosaved topology');

      // The app saves once more when the page goes away; damage the save after that.
      await page.evaluate(() => {
        window.addEventListener('pagehide', () => localStorage.setItem('sglab.autosave.v1', '{"sglab": 1, "endpoints": [ broken'));
      });
      await openApp(baseUrl);
      await app.waitFor('notice-error');
      expect((await app.text('notice-error')).includes('autosaved topology could not be read'), 'a notice explains the damaged save');
      expect((await app.text('topology-title')).includes('AI gateway'), 'the example opens instead');
      const kept = await page.evaluate(() => localStorage.getItem('sglab.autosave.v1.unreadable'));
      expect(kept && kept.includes('broken'), 'the unreadable save is kept');
      const download = page.waitForEvent('download');
      await app.click('notice-download');
      const file = await download;
      const text = await readFile(await file.path(), 'utf8');
      expect(text.includes('broken'), 'the unreadable save downloads as it was');
      await shot('corrupted-save');
    },
  },
  {
    name: 'exports',
    async run({ page, shot, expect }) {
      const app = new SglabPage(page);
      await app.waitFor('diagram-svg');
      const exported = async (testid) => {
        const download = page.waitForEvent('download');
        await app.click('export-menu');
        await app.click(testid);
        const file = await download;
        return { name: file.suggestedFilename(), bytes: await readFile(await file.path()) };
      };
      const svg = await exported('export-svg');
      expect(svg.name.endsWith('.svg'), `an SVG file, got ${svg.name}`);
      const svgText = svg.bytes.toString('utf8');
      expect(svgText.startsWith('<svg') && svgText.includes('viewBox') && svgText.includes('tcp 8080'), 'the SVG holds the whole diagram with its labels');
      expect(!svgText.includes('transform="translate'), 'without the screen pan and zoom');

      const png = await exported('export-png');
      expect(png.name.endsWith('.png'), `a PNG file, got ${png.name}`);
      expect(png.bytes.subarray(1, 4).toString('latin1') === 'PNG' && png.bytes.length > 5000, 'a real PNG image');

      const json = await exported('export-json');
      const topology = JSON.parse(json.bytes.toString('utf8'));
      expect(topology.sglab === 1 && topology.security_groups.length === 3, 'the sglab JSON export');
      await shot('exported');
    },
  },
];
