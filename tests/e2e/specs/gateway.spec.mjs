// Gateway authorization: authorize a new backend group on 8080/8080 and watch the gateway's
// edge to it appear; delete the authorization without cascade and the edge stays.

import { SglabPage } from './sglab-page.mjs';

export const tests = [
  {
    name: 'authorize-backend',
    async run({ page, shot, expect }) {
      const app = new SglabPage(page);
      await app.waitFor('diagram-svg');
      await app.click('add-group');
      await app.waitFor('tree-group-sg-1');
      await app.click('add-node');
      await app.waitFor('diagram-node-i-1');
      expect((await app.locator('edge-sg-ai-gateway-sg-1').count()) === 0, 'no edge before the authorization');

      await app.click('tree-gateway-gw-ai');
      await app.waitFor('authorize-form');
      await page.selectOption('[data-testid="authorize-backend"]', 'sg-1');
      await page.fill('[data-testid="authorize-range"]', '8080/8080');
      await page.press('[data-testid="authorize-range"]', 'Enter');
      expect((await app.text('authorize-chips')).includes('8080/8080'), 'Enter adds the range as a chip');
      await page.fill('[data-testid="authorize-range"]', '200/1');
      await page.press('[data-testid="authorize-range"]', 'Enter');
      expect((await app.text('authorize-range-error')).includes('InvalidParam.PortRange'), 'a reversed range is refused');
      await page.fill('[data-testid="authorize-range"]', '');
      await app.click('authorize-save');

      await app.waitFor('edge-sg-ai-gateway-sg-1');
      expect((await app.text('edge-sg-ai-gateway-sg-1')).includes('tcp 8080'), 'the new edge reads tcp 8080');
      const group = (await app.topology()).security_groups.find((g) => g.id === 'sg-1');
      const rule = group.rules[0];
      expect(rule.priority === 1 && rule.policy === 'accept' && rule.protocol === 'tcp', `the backend rule is accept/1/tcp, got ${JSON.stringify(rule)}`);
      await shot('authorized');

      await app.click('revoke-sg-1');
      await page.waitForSelector('[data-testid="authorization-sg-1"]', { state: 'detached' });
      expect((await app.locator('edge-sg-ai-gateway-sg-1').count()) === 1, 'without cascade the backend rule still allows the gateway');
      await shot('revoked-without-cascade');
    },
  },
];
