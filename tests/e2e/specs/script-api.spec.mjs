// The window.sglab script API: load a topology's JSON (diagnostics back, nothing changed on
// errors), read the current topology, and time the last recompute.

import { SglabPage } from './sglab-page.mjs';

export const tests = [
  {
    name: 'load-topology-evaluation',
    async run({ page, shot, expect }) {
      const app = new SglabPage(page);
      await app.waitFor('diagram-svg');
      const current = await page.evaluate(() => window.sglab.topology());
      const bad = await page.evaluate(() => window.sglab.load('{"sglab": 1, "security_groups": [{"id": "sg-x", "rules": [{"direction": "ingress", "protocol": "tcp", "port_range": "200/1", "cidr": "0.0.0.0/0"}]}]}'));
      expect(Array.isArray(bad) && bad.some((d) => d.severity === 'error' && d.message.includes('200/1')), `errors come back, got ${JSON.stringify(bad)}`);
      expect((await page.evaluate(() => window.sglab.topology())) === current, 'a bad load changes nothing');

      const good = JSON.parse(current);
      good.name = 'Loaded by script';
      const diagnostics = await page.evaluate((text) => window.sglab.load(text), JSON.stringify(good));
      expect(Array.isArray(diagnostics) && diagnostics.length === 0, `a clean load returns no diagnostics, got ${JSON.stringify(diagnostics)}`);
      await page.waitForFunction(() => document.querySelector('[data-testid="topology-title"]').textContent === 'Loaded by script');
      const evaluation = await page.evaluate(() => window.sglab.lastEvaluation());
      expect(typeof evaluation.millis === 'number' && evaluation.millis >= 0, `millis is a number, got ${JSON.stringify(evaluation)}`);
      expect(evaluation.endpoints === good.endpoints.length, 'endpoints are counted');
      expect(evaluation.rules > 0, 'rules are counted');
      await shot('loaded');
    },
  },
];
