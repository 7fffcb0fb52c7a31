// Opening the app shows the AI-gateway figure: groups as containers, the gateway's edges to
// both service groups labelled with the authorized ports, and the Examples menu offers others.

import { SglabPage } from './sglab-page.mjs';

export const tests = [
  {
    name: 'ai-gateway-edges',
    async run({ page, shot, expect }) {
      const app = new SglabPage(page);
      await app.waitFor('diagram-svg');
      expect((await app.text('topology-title')).includes('AI gateway'), 'the AI-gateway example opens by default');
      for (const group of ['sg-ai-gateway', 'service-sg1', 'service-sg2']) {
        expect((await app.locator(`diagram-group-${group}`).count()) === 1, `group ${group} is drawn`);
      }
      const toPods = await app.text('edge-sg-ai-gateway-service-sg1');
      expect(toPods.includes('tcp 8080'), `gateway -> service-sg1 reads tcp 8080, got ${toPods}`);
      const toEcs = await app.text('edge-sg-ai-gateway-service-sg2');
      expect(toEcs.includes('tcp 80-9000'), `gateway -> service-sg2 reads tcp 80-9000, got ${toEcs}`);
      const examples = await page.locator('[data-testid="examples"] option').allInnerTexts();
      expect(examples.length >= 7, `the Examples menu lists the built-in examples, got ${examples.length - 1}`);
      await shot('ai-gateway');

      await app.openExample('redis-behind-web');
      await page.waitForFunction(() => document.querySelector('[data-testid="topology-title"]').textContent.includes('Redis'));
      expect((await app.edgeLabels()).some((label) => label.includes('tcp 6379')), 'the Redis example shows its tcp 6379 edge');
      await shot('redis-example');
    },
  },
];
