// The lint view: findings with their codes and locations, a one-click fix that removes the
// finding; and a rule added that changes nothing is called out with the rules or default that
// already decide it.

import { SglabPage, id } from './sglab-page.mjs';

export const tests = [
  {
    name: 'lint-shadowed-rule-fix',
    async run({ page, shot, expect }) {
      const app = new SglabPage(page);
      await app.openExample('drop-wins-tie');
      await page.waitForFunction(() => JSON.parse(window.sglab.topology()).security_groups.some((g) => g.id === 'sg-app'));
      await app.click('tab-lint');
      await app.waitFor('lint');
      expect((await app.text('lint-summary')).startsWith('2 findings'), `two findings, got ${await app.text('lint-summary')}`);
      const codes = await page.locator('[data-testid^="finding-"]').evaluateAll((items) => items.map((item) => item.getAttribute('data-code')));
      expect(codes.length === 2 && codes.every((code) => code === 'shadowed-rule'), `both are shadowed rules, got ${codes}`);
      expect((await app.text('finding-0')).includes('rule 1 of sg-app'), 'the first names rule 1 of sg-app');
      await shot('findings');

      await app.click('lint-fix-0');
      await page.waitForFunction(() => JSON.parse(window.sglab.topology()).security_groups.find((g) => g.id === 'sg-app').rules.length === 3);
      const rules = (await app.topology()).security_groups.find((g) => g.id === 'sg-app').rules;
      expect(rules[0].policy === 'drop', `the shadowed accept is gone, got ${JSON.stringify(rules)}`);
      // Without the accept, the drop of port 80 now only repeats the default: the lint says so.
      await page.waitForFunction(() => document.querySelector('[data-testid="finding-0"]')?.getAttribute('data-code') === 'redundant-rule');
      expect((await app.text('finding-1')).includes('rule 3 of sg-app'), 'the shadowed drop of 443 is now rule 3');
      await shot('fixed');

      await page.selectOption(id('lint-filter'), 'error');
      expect((await page.locator('[data-testid^="finding-"]').count()) === 0, 'no errors');
    },
  },
  {
    name: 'added-rule-changes-nothing',
    async run({ page, shot, expect }) {
      const app = new SglabPage(page);
      await app.waitFor('diagram-svg');
      await app.click('tree-group-service-sg2');
      await app.waitFor('rules-service-sg2');
      // A basic group allows all egress by default: an egress accept changes nothing.
      await app.click('add-egress-service-sg2');
      await app.waitFor('notice-warning');
      const text = await app.text('notice-warning');
      expect(text.includes('changes nothing') && text.includes('default'), `the notice says the default already allows it, got ${text}`);
      await shot('changes-nothing');
    },
  },
];
