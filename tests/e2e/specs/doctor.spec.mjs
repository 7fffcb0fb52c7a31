// The doctor: the four causes of the gateway documents' FAQ ("the gateway cannot reach my
// service"), each reproduced by clicking from the AI-gateway example, diagnosed in the
// explanation panel, and fixed with one click that re-evaluates the query.

import { SglabPage, id } from './sglab-page.mjs';

/** Clicks the fix button of the diagnosis `code` and waits for the verdict to turn allow. */
async function applyFix(app, code) {
  await app.page.locator(`${id(`diagnosis-${code}`)} button.fix`).first().click();
  await app.page.waitForFunction(() => document.querySelector('[data-testid="verdict"]')?.getAttribute('data-verdict') === 'allow');
}

export const tests = [
  {
    name: 'faq-service-port-changed',
    async run({ page, shot, expect }) {
      const app = new SglabPage(page);
      await app.waitFor('diagram-svg');
      // The service on pod 1 moves from 8080 to 8081.
      await app.click('tree-endpoint-pod-app-1');
      await app.waitFor('service-0-ports');
      await app.commitField('service-0-ports', '8081/8081');
      await page.waitForFunction(() => JSON.parse(window.sglab.topology()).endpoints.find((e) => e.id === 'pod-app-1').services[0].port === 8081);

      await app.ask({ from: 'gw-node-1', to: 'pod-app-1', port: 8081 });
      expect((await app.verdict()) === 'deny', 'the gateway cannot reach the moved service');
      await app.waitFor('diagnosis-port-outside-rule');
      const text = await app.text('diagnosis-port-outside-rule');
      expect(text.includes('8080'), `the diagnosis names the authorized port 8080, got ${text}`);
      await shot('diagnosed');

      await applyFix(app, 'port-outside-rule');
      expect((await app.verdict()) === 'allow', 'after the fix the gateway reaches 8081');
      const gateway = (await app.topology()).gateways.find((g) => g.id === 'gw-ai');
      const authorization = gateway.authorizations.find((a) => a.backend_group === 'service-sg1');
      expect(authorization.port_ranges.includes('8081/8081'), `the fix is an authorization listed on the gateway, got ${JSON.stringify(authorization)}`);
      await shot('fixed');
    },
  },
  {
    name: 'faq-service-down',
    async run({ page, shot, expect }) {
      const app = new SglabPage(page);
      await app.waitFor('diagram-svg');
      await app.click('tree-endpoint-pod-app-2');
      await app.waitFor('service-0-up');
      await app.locator('service-0-up').uncheck();
      await page.waitForFunction(() => JSON.parse(window.sglab.topology()).endpoints.find((e) => e.id === 'pod-app-2').services[0].up === false);

      await app.ask({ from: 'gw-node-1', to: 'pod-app-2', port: 8080 });
      expect((await app.verdict()) === 'allow', 'the groups allow it');
      expect((await app.text('service')).includes('down'), 'the service is reported down');
      await app.waitFor('diagnosis-service-down');
      await shot('diagnosed');

      await app.page.locator(`${id('diagnosis-service-down')} button.fix`).click();
      await page.waitForFunction(() => document.querySelector('[data-testid="service"]').textContent.includes('listening'));
      expect((await app.locator('diagnosis-service-down').count()) === 0, 'the diagnosis is gone');
      await app.click('doctor-toggle');
      await app.waitFor('doctor-none');
      await shot('fixed');
    },
  },
  {
    name: 'faq-rule-in-other-node-group',
    async run({ page, shot, expect }) {
      const app = new SglabPage(page);
      await app.waitFor('diagram-svg');
      // A new node in a group of its own runs the service on 8080; the authorization is in
      // service-sg1, the group of the ACK nodes.
      await app.click('tree-vpc-vpc-ai');
      await app.click('add-group');
      await app.waitFor('tree-group-sg-1');
      await app.click('add-node');
      await app.waitFor('tree-endpoint-i-1');
      await app.click('tree-endpoint-i-1');
      await app.click('add-service');
      await page.waitForFunction(() => (JSON.parse(window.sglab.topology()).endpoints.find((e) => e.id === 'i-1').services || []).length === 1);

      await app.ask({ from: 'gw-node-1', to: 'i-1', port: 8080 });
      expect((await app.verdict()) === 'deny', 'the gateway cannot reach the new node');
      await app.waitFor('diagnosis-rule-in-other-node-group');
      const text = await app.text('diagnosis-rule-in-other-node-group');
      expect(text.includes('service-sg1'), `the diagnosis names the group that holds the rule, got ${text}`);
      await shot('diagnosed');

      await applyFix(app, 'rule-in-other-node-group');
      const group = (await app.topology()).security_groups.find((g) => g.id === 'sg-1');
      expect(group.rules.some((r) => r.priority === 1 && r.policy === 'accept' && r.port_range === '8080/8080'), `sg-1 got the priority-1 rule, got ${JSON.stringify(group.rules)}`);
      await shot('fixed');
    },
  },
  {
    name: 'faq-node-in-several-groups',
    async run({ page, shot, expect }) {
      const app = new SglabPage(page);
      await app.waitFor('diagram-svg');
      // A second group with a drop of 8080 at priority 1, added to the ECS backend.
      await app.click('tree-vpc-vpc-ai');
      await app.click('add-group');
      await app.waitFor('tree-group-sg-1');
      await app.click('tree-group-sg-1');
      await app.click('add-ingress-sg-1');
      await app.waitFor('rule-sg-1-0-policy');
      await page.selectOption(id('rule-sg-1-0-policy'), 'drop');
      await app.commitField('rule-sg-1-0-ports', '8080/8080');
      await app.commitField('rule-sg-1-0-peer', '0.0.0.0/0');
      await page.waitForFunction(() => {
        const rule = JSON.parse(window.sglab.topology()).security_groups.find((g) => g.id === 'sg-1').rules[0];
        return rule.policy === 'drop' && rule.port_range === '8080/8080' && rule.cidr === '0.0.0.0/0';
      });
      await app.click('tree-endpoint-ecs-backend');
      await app.locator('member-sg-1').check();
      await page.waitForFunction(() => JSON.parse(window.sglab.topology()).endpoints.find((e) => e.id === 'ecs-backend').groups.includes('sg-1'));

      await app.ask({ from: 'gw-node-1', to: 'ecs-backend', port: 8080 });
      expect((await app.verdict()) === 'deny', 'the drop in the other group wins');
      await app.waitFor('diagnosis-drop-in-other-group');
      const text = await app.text('diagnosis-drop-in-other-group');
      expect(text.includes('sg-1') && text.includes('service-sg2'), `the diagnosis names both groups, got ${text}`);
      await shot('diagnosed');

      await applyFix(app, 'drop-in-other-group');
      expect((await app.verdict()) === 'allow', 'after the fix the accept decides');
      await shot('fixed');
    },
  },
];
