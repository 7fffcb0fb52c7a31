// Opening Terraform through Open...: the four .tf files of the corpus's literal project, chosen
// together, open as one topology whose endpoints are named by their Terraform address, and a
// query between them answers as the cloud would. A module call is refused with its file and
// line, and the topology stays as it was.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { root } from '../harness.mjs';
import { SglabPage } from './sglab-page.mjs';

const corpus = path.join(root, 'crates', 'sglab-core', 'tests', 'fixtures', 'terraform');

function file(dir, name) {
  return { name, mimeType: 'text/plain', buffer: readFileSync(path.join(corpus, dir, name)) };
}

export const tests = [
  {
    name: 'open-tf-files-and-query',
    async run({ page, shot, expect }) {
      const app = new SglabPage(page);
      await app.waitFor('diagram-svg');
      const before = await app.topology();

      await page.setInputFiles('[data-testid="file-input"]', [file('module', 'main.tf')]);
      await app.waitFor('notice-error');
      const error = await app.text('notice-error');
      expect(error.includes('main.tf') && error.includes('module.web_sg'), `the refusal names the file and the module call, got ${error}`);
      expect(JSON.stringify(await app.topology()) === JSON.stringify(before), 'the topology is untouched');

      await page.setInputFiles(
        '[data-testid="file-input"]',
        ['servers.tf', 'network.tf', 'security.tf', 'variables.tf'].map((name) => file('literal', name)),
      );
      await page.waitForFunction(() =>
        JSON.parse(window.sglab.topology()).endpoints.some((endpoint) => endpoint.id === 'alicloud_instance.web[0]'),
      );
      const topology = await app.topology();
      const ids = topology.endpoints.map((endpoint) => endpoint.id).sort();
      expect(
        JSON.stringify(ids) === JSON.stringify(['alicloud_instance.db[0]', 'alicloud_instance.web[0]', 'alicloud_instance.web[1]']),
        `the endpoints are named by their address, got ${ids}`,
      );

      await app.ask({ from: 'alicloud_instance.web[1]', to: 'alicloud_instance.db[0]', port: 3306 });
      expect((await app.verdict()) === 'allow', 'a web server reaches the database on 3306');
      const explanation = await app.text('explanation');
      expect(explanation.includes('alicloud_security_group_rule.mysql_from_web'), `the deciding rule is named by its address, got ${explanation}`);
      await shot('queried');

      await app.ask({ from: 'alicloud_instance.db[0]', to: 'alicloud_instance.web[0]', port: 22 });
      expect((await app.verdict()) === 'deny', 'the database does not reach the web servers on 22');
    },
  },
];
