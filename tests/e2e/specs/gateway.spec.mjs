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
  {
    name: 'authorize-search-validation-cascade',
    async run({ page, shot, expect }) {
      const app = new SglabPage(page);
      await app.waitFor('diagram-svg');
      await app.click('tree-vpc-vpc-ai');
      await app.click('add-group');
      await app.waitFor('tree-group-sg-1');
      await app.click('add-node');
      await app.waitFor('tree-endpoint-i-1');

      await app.click('tree-gateway-gw-ai');
      await app.waitFor('authorize-form');
      // Search by id or name narrows the list of backend groups.
      await page.fill('[data-testid="authorize-backend-search"]', 'SG-1');
      const options = await page.locator('[data-testid="authorize-backend"] option').evaluateAll((o) => o.map((x) => x.value));
      expect(options.length === 1 && options[0] === 'sg-1', `the search keeps sg-1 only, got ${options}`);
      await page.fill('[data-testid="authorize-backend-search"]', 'no such group');
      await app.waitFor('authorize-backend-none');
      await page.fill('[data-testid="authorize-backend-search"]', 'sg-1');

      // Each range is checked as the console does; one port is its own range.
      const refused = { '9000/80': 'reversed', '0/10': 'port 0' };
      for (const [typed, reason] of Object.entries(refused)) {
        await page.fill('[data-testid="authorize-range"]', typed);
        await page.press('[data-testid="authorize-range"]', 'Enter');
        const error = await app.text('authorize-range-error');
        expect(error.includes(reason), `${typed} is refused naming ${reason}, got ${error}`);
      }
      await shot('refused');
      for (const [typed, shown] of [['8080', '8080/8080'], ['1/65535', '1/65535'], ['80/9000', '80/9000']]) {
        await page.fill('[data-testid="authorize-range"]', typed);
        await page.press('[data-testid="authorize-range"]', 'Enter');
        expect((await app.text('authorize-chips')).includes(shown), `${typed} is accepted as ${shown}`);
      }
      expect((await app.locator('authorize-range-error').count()) === 0, 'no error once a valid range is added');
      await app.click('authorize-save');
      await app.waitFor('authorization-sg-1');
      let rules = (await app.topology()).security_groups.find((g) => g.id === 'sg-1').rules;
      expect(rules.length === 3 && rules.every((r) => r.priority === 1 && r.policy === 'accept' && r.group === 'sg-ai-gateway'), `three priority-1 rules from the managed group, got ${JSON.stringify(rules)}`);

      // Delete with cascade: the inbound rules go too, and the edge disappears.
      await app.locator('revoke-cascade').check();
      await app.click('revoke-sg-1');
      await page.waitForSelector('[data-testid="authorization-sg-1"]', { state: 'detached' });
      rules = (await app.topology()).security_groups.find((g) => g.id === 'sg-1').rules;
      expect(rules.length === 0, `the cascade deleted the backend rules, got ${JSON.stringify(rules)}`);
      expect((await app.locator('edge-sg-ai-gateway-sg-1').count()) === 0, 'no edge to sg-1 any more');
      await shot('revoked-with-cascade');
    },
  },
];
