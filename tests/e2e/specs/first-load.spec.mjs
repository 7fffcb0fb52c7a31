// The first load within the product's budget: every .wasm, .js and .css fetched before the
// user does anything on the built-in example, gzipped, is at most 600 KiB; the spec prints the
// margin. The engine's Web Worker, whose module holds the importers, the lint and the compare
// mode's diff, is fetched only when first needed: a Terraform project opened through Open...
// then loads as before.

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { SglabPage } from './sglab-page.mjs';
import { firstLoad, FIRST_LOAD_BUDGET } from '../harness.mjs';

export const tests = [
  {
    name: 'first-load-within-budget',
    async run({ page, baseUrl, shot, expect, root }) {
      const files = await firstLoad(page, baseUrl);
      const total = files.reduce((sum, f) => sum + f.gzip, 0);
      console.log(`  first load: ${files.map((f) => `${f.file} ${f.gzip}`).join(', ')}; ${total} bytes gzipped (${(total / 1024).toFixed(1)} KiB)`);
      expect(files.some((f) => f.file.endsWith('.wasm')), 'the page fetches its module');
      expect(!files.some((f) => f.file.startsWith('engine_worker')), `the worker is not fetched at start: ${files.map((f) => f.file)}`);
      console.log(`  first load: ${FIRST_LOAD_BUDGET - total} bytes under the product's budget of ${FIRST_LOAD_BUDGET}`);
      expect(total <= FIRST_LOAD_BUDGET, `the first load is at most ${FIRST_LOAD_BUDGET} bytes gzipped, got ${total}`);

      const workerFiles = [];
      page.context().on('request', (request) => {
        if (request.url().includes('engine_worker')) workerFiles.push(path.basename(new URL(request.url()).pathname));
      });
      const app = new SglabPage(page);
      const project = path.join(root, 'crates/sglab-core/tests/fixtures/terraform/literal');
      const names = ['network.tf', 'security.tf', 'servers.tf', 'variables.tf'];
      await page.setInputFiles(
        '[data-testid="file-input"]',
        await Promise.all(names.map(async (name) => ({ name, mimeType: 'text/plain', buffer: await readFile(path.join(project, name)) }))),
      );
      await page.waitForFunction(() => JSON.parse(window.sglab.topology()).endpoints.some((e) => e.id.startsWith('alicloud_instance.')), null, { timeout: 20000 });
      expect(workerFiles.some((f) => f.endsWith('.wasm')), `opening files fetches the worker's module: ${workerFiles}`);
      await app.waitFor('diagram-svg');
      await shot('opened');
    },
  },
];
