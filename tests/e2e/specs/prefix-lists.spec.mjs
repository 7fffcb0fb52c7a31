// Prefix lists: create one in the tree, give it entries (a malformed one is refused with the
// core's message, naming the entry, and changes nothing), name it as the source of a new
// inbound rule, see a query's verdict follow its entries, and see its deletion refused while
// the rule still names it.

import { SglabPage } from './sglab-page.mjs';

/** Waits until the tree item `testid` contains `text`. */
async function treeShows(page, testid, text) {
  await page.waitForFunction(
    ([testid, text]) => document.querySelector(`[data-testid="${testid}"]`)?.textContent.includes(text),
    [testid, text],
  );
}

export const tests = [
  {
    name: 'create-use-and-keep',
    async run({ page, shot, expect }) {
      const app = new SglabPage(page);
      await app.waitFor('diagram-svg');

      await app.click('add-prefix-list');
      await app.waitFor('prefix-list-cidrs');
      await treeShows(page, 'tree-prefix-list-pl-1', '0 entries');
      expect((await app.text('tree-prefix-list-pl-1')).includes('new prefix list (pl-1)'), 'the tree lists the new prefix list by name and id');
      expect((await app.text('prefix-list-hint')).includes('pl-1'), 'the inspector says how to use the list in a rule');

      // A malformed entry: refused with the core's message naming it; nothing changes.
      const before = await app.topology();
      await app.commitField('prefix-list-cidrs', '203.0.113.0/28\n10.0.0.0/33');
      await app.waitFor('prefix-list-cidrs-error');
      const error = await app.text('prefix-list-cidrs-error');
      expect(error.includes('entry 2') && error.includes('10.0.0.0/33') && error.includes('too long for IPv4'), `the bad entry is named in the core's words, got ${error}`);
      expect(JSON.stringify(await app.topology()) === JSON.stringify(before), 'the topology is unchanged');
      await shot('entry-refused');

      await app.commitField('prefix-list-cidrs', '203.0.113.0/28, 192.168.2.0/24');
      await treeShows(page, 'tree-prefix-list-pl-1', '2 entries');
      expect((await app.locator('prefix-list-cidrs-error').count()) === 0, 'the error is gone');
      await app.commitField('prefix-list-name', 'office');
      await treeShows(page, 'tree-prefix-list-pl-1', 'office (pl-1)');
      const list = (await app.topology()).prefix_lists.find((l) => l.id === 'pl-1');
      expect(JSON.stringify(list.cidrs) === JSON.stringify(['203.0.113.0/28', '192.168.2.0/24']), `both entries are saved, got ${JSON.stringify(list)}`);

      // The ECS backend gets a public address, so that hosts on the internet can be asked about.
      await app.click('tree-endpoint-ecs-backend');
      await app.commitField('endpoint-public-ip', '198.51.100.20');
      await page.waitForFunction(() => JSON.parse(window.sglab.topology()).endpoints.find((e) => e.id === 'ecs-backend').public_ip === '198.51.100.20');

      // A new inbound rule of the ECS backend's group names the list as its source.
      await app.click('tree-group-service-sg2');
      await app.click('add-ingress-service-sg2');
      await app.waitFor('rule-service-sg2-1-peer');
      const placeholder = await app.locator('rule-service-sg2-1-peer').getAttribute('placeholder');
      expect(placeholder.includes('pl-'), `the peer field mentions prefix lists, got ${placeholder}`);
      await app.commitField('rule-service-sg2-1-peer', 'pl-1');
      await page.waitForFunction(() => JSON.parse(window.sglab.topology()).security_groups.find((g) => g.id === 'service-sg2').rules[1]?.prefix_list === 'pl-1');

      // Inside an entry: allowed by that rule.
      await app.ask({ from: 'client', to: 'ecs-backend', port: 80 });
      expect((await app.verdict()) === 'allow', 'the internet client inside 203.0.113.0/28 reaches the backend on 80');
      expect((await app.locator('rule-service-sg2-1').getAttribute('data-mark')) === 'allow', 'the prefix-list rule decides it');
      await shot('inside-allowed');

      // Outside every entry: denied.
      await app.click('add-external');
      await app.waitFor('endpoint-cidr');
      await app.commitField('endpoint-cidr', '203.0.113.99');
      await page.waitForFunction(() => JSON.parse(window.sglab.topology()).endpoints.find((e) => e.id === 'ext-1')?.cidr === '203.0.113.99/32');
      await app.ask({ from: 'ext-1', to: 'ecs-backend', port: 80 });
      expect((await app.verdict()) === 'deny', 'a host outside the entries is blocked');
      await shot('outside-denied');

      // Deleting the list while the rule names it is refused with the rule named.
      await app.click('tree-prefix-list-pl-1');
      await app.waitFor('delete-prefix-list');
      expect((await app.text('prefix-list-meta')).includes('used by: service-sg2 rule 2'), 'the inspector lists the rule that uses it');
      await app.waitFor('rules-service-sg2');
      await app.click('delete-prefix-list');
      await app.waitFor('notice-error');
      const refusal = await app.text('notice-error');
      expect(refusal.includes('pl-1') && refusal.includes('service-sg2 rule 2'), `the refusal names the rule, got ${refusal}`);
      expect((await app.topology()).prefix_lists.some((l) => l.id === 'pl-1'), 'the prefix list is kept');
      await shot('delete-refused');
    },
  },
];
