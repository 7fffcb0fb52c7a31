// The app loads on the built-in AI-gateway example, with no console error and no request
// beyond its own files (the runner fails the test on either).

import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';

export const tests = [
  {
    name: 'opens-on-the-ai-gateway-example',
    async run({ page, shot, expect, root }) {
      await page.waitForSelector('[data-testid="diagram"]', { timeout: 20000 });
      const title = await page.title();
      expect(title.includes('sglab'), `page title names sglab, got ${JSON.stringify(title)}`);
      const text = await page.locator('[data-testid="diagram"]').innerText();
      for (const name of ['service-sg1', 'service-sg2']) {
        expect(text.includes(name), `the diagram shows ${name}`);
      }
      expect(/tcp 8080/.test(text), 'the diagram labels an edge with tcp 8080');
      await page.waitForLoadState('networkidle');
      const file = await shot('example');
      await mkdir(path.join(root, 'docs'), { recursive: true });
      await copyFile(file, path.join(root, 'docs', 'screenshot.png'));
    },
  },
];
