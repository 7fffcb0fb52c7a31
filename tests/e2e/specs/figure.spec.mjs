// The AI-gateway figure of the vendor's document, built by clicking from an empty canvas: a VPC,
// the AI gateway with its managed group, a backend group holding an ACK node and its pod
// serving 8080, and the gateway's authorization of that group on 8080/8080. The gateway then
// reaches the pod on TCP 8080 and not on 8081.

import { SglabPage } from './sglab-page.mjs';

export const tests = [
  {
    name: 'ai-gateway-from-empty-canvas',
    async run({ page, shot, expect }) {
      const app = new SglabPage(page);
      await app.waitFor('diagram-svg');
      await app.click('new-topology');
      await page.waitForFunction(() => JSON.parse(window.sglab.topology()).endpoints.length === 0);
      const empty = await app.topology();
      expect(empty.security_groups.length === 0 && (empty.vpcs || []).length === 0, 'New starts an empty topology');
      await shot('empty');

      await app.click('add-vpc');
      await app.waitFor('tree-vpc-vpc-1');
      await app.click('add-ai-gateway');
      await app.waitFor('tree-gateway-gw-1');
      await app.click('tree-vpc-vpc-1');
      await app.click('add-group');
      await app.waitFor('tree-group-sg-1');
      await app.commitField('group-name', 'service-sg1');
      await app.click('add-node');
      await app.waitFor('tree-endpoint-i-1');
      await app.click('add-cluster');
      await app.waitFor('tree-cluster-c-1');
      await app.click('tree-endpoint-i-1');
      await app.click('add-pod');
      await app.waitFor('tree-endpoint-pod-1');
      await app.click('tree-endpoint-pod-1');
      await app.click('add-service');
      await page.waitForFunction(() => (JSON.parse(window.sglab.topology()).endpoints.find((e) => e.id === 'pod-1').services || []).length === 1);

      // The gateway's Security Group Authorizations: service-sg1 on 8080/8080.
      await app.click('tree-gateway-gw-1');
      await app.waitFor('authorize-form');
      await page.selectOption('[data-testid="authorize-backend"]', 'sg-1');
      await page.fill('[data-testid="authorize-range"]', '8080/8080');
      await page.press('[data-testid="authorize-range"]', 'Enter');
      await app.click('authorize-save');
      await app.waitFor('authorization-sg-1');
      await app.waitFor('diagram-group-sg-1');
      await app.waitFor('diagram-node-pod-1');
      await shot('figure');

      await app.ask({ from: 'gw-1-node-1', to: 'pod-1', port: 8080 });
      expect((await app.verdict()) === 'allow', 'the gateway reaches the pod on TCP 8080');
      expect((await app.text('ingress-decision')).includes('sg-1'), 'the authorization rule of sg-1 decides');
      await shot('allow-8080');
      await app.ask({ from: 'gw-1-node-1', to: 'pod-1', port: 8081 });
      expect((await app.verdict()) === 'deny', 'and not on TCP 8081');
      await shot('deny-8081');
    },
  },
];
