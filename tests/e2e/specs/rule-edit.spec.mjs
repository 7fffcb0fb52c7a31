// Editing a rule: 200/1 is refused inline with the vendor's reason and changes nothing; a
// valid range is applied; a managed group's table is read-only with the reason shown.

import { SglabPage } from './sglab-page.mjs';

export const tests = [
  {
    name: 'reversed-port-range',
    async run({ page, shot, expect }) {
      const app = new SglabPage(page);
      await app.waitFor('diagram-svg');
      const before = await app.topology();
      await app.click('tree-group-service-sg1');
      await app.waitFor('rules-service-sg1');
      await app.commitField('rule-service-sg1-0-ports', '200/1');
      await app.waitFor('rule-service-sg1-0-ports-error');
      const error = await app.text('rule-service-sg1-0-ports-error');
      expect(error.includes('200/1') && error.includes('InvalidParam.PortRange'), `the vendor's reason is shown, got ${error}`);
      expect(JSON.stringify(await app.topology()) === JSON.stringify(before), 'the topology is unchanged');
      await shot('error');

      await app.commitField('rule-service-sg1-0-ports', '8080/8081');
      await page.waitForFunction(() => !document.querySelector('[data-testid="rule-service-sg1-0-ports-error"]'));
      const after = await app.topology();
      expect(JSON.stringify(after).includes('8080/8081'), 'a valid range is applied');

      await app.click('tree-group-sg-ai-gateway');
      await app.waitFor('read-only-sg-ai-gateway');
      expect(await app.locator('rule-sg-ai-gateway-0-ports').isDisabled(), 'managed group rules are read-only');
      await shot('managed');
    },
  },
];
