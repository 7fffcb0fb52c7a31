// Importing aliyun API JSON through the file input: a DescribeSecurityGroupAttribute response
// replaces the topology; a broken file lists its errors and leaves the topology untouched.

import { SglabPage } from './sglab-page.mjs';

const attribute = {
  RequestId: 'B0E4A7F7-0000-0000-0000-000000000000',
  SecurityGroupId: 'sg-bp1imported',
  SecurityGroupName: 'imported-web',
  VpcId: 'vpc-bp1imported',
  InnerAccessPolicy: 'Accept',
  Description: '',
  Permissions: {
    Permission: [
      {
        Direction: 'ingress',
        Policy: 'Accept',
        Priority: '1',
        IpProtocol: 'TCP',
        PortRange: '443/443',
        SourceCidrIp: '0.0.0.0/0',
        SourceGroupId: '',
        DestCidrIp: '',
        NicType: 'intranet',
        Description: 'https',
        SecurityGroupRuleId: 'sgr-bp1https',
      },
    ],
  },
};

export const tests = [
  {
    name: 'aliyun-file-input',
    async run({ page, shot, expect }) {
      const app = new SglabPage(page);
      await app.waitFor('diagram-svg');
      const before = await app.topology();

      const broken = JSON.parse(JSON.stringify(attribute));
      broken.Permissions.Permission[0].PortRange = '200/1';
      await page.setInputFiles('[data-testid="file-input"]', {
        name: 'broken.json',
        mimeType: 'application/json',
        buffer: Buffer.from(JSON.stringify(broken)),
      });
      await app.waitFor('notice-error');
      const error = await app.text('notice-error');
      expect(error.includes('broken.json') && error.includes('200/1'), `the error names the file and the value, got ${error}`);
      expect(JSON.stringify(await app.topology()) === JSON.stringify(before), 'the topology is untouched');
      await shot('broken');

      await page.setInputFiles('[data-testid="file-input"]', {
        name: 'describe-attribute.json',
        mimeType: 'application/json',
        buffer: Buffer.from(JSON.stringify(attribute)),
      });
      await app.waitFor('tree-group-sg-bp1imported');
      const topology = await app.topology();
      const group = topology.security_groups.find((g) => g.id === 'sg-bp1imported');
      expect(group && group.rules.length === 1, 'the imported group has its rule');
      await shot('imported');
    },
  },
  {
    name: 'paste-and-drop',
    async run({ page, shot, expect }) {
      const app = new SglabPage(page);
      await app.waitFor('diagram-svg');
      const pasted = JSON.parse(JSON.stringify(attribute));
      pasted.SecurityGroupId = 'sg-bp1pasted';
      await page.evaluate((text) => {
        const data = new DataTransfer();
        data.setData('text', text);
        document.body.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
      }, JSON.stringify(pasted));
      await app.waitFor('tree-group-sg-bp1pasted');
      expect(true, 'pasted API JSON opens');

      const dropped = JSON.parse(JSON.stringify(attribute));
      dropped.SecurityGroupId = 'sg-bp1dropped';
      await page.evaluate((text) => {
        const data = new DataTransfer();
        data.items.add(new File([text], 'dropped.json', { type: 'application/json' }));
        const target = document.querySelector('.workspace');
        target.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true }));
        target.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
      }, JSON.stringify(dropped));
      await app.waitFor('tree-group-sg-bp1dropped');
      expect((await app.text('notices')).includes('dropped.json'), 'the notice names the dropped file');
      await shot('dropped');
    },
  },
];
