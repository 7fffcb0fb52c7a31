// Asking why: the verdict in colour and words, the deciding rule highlighted in its group's
// table, every blocker, and a step-through of the rules considered.

import { SglabPage } from './sglab-page.mjs';

export const tests = [
  {
    name: 'query-and-step-through',
    async run({ page, shot, expect }) {
      const app = new SglabPage(page);
      await app.openExample('ssh-allowlist');
      await page.waitForFunction(() => document.querySelector('[data-testid="topology-title"]').textContent.includes('SSH'));

      await app.ask({ from: 'client', to: 'app-1', port: 22 });
      expect((await app.verdict()) === 'deny', 'the internet client is blocked on 22');
      expect((await app.text('verdict')).toLowerCase().includes('blocked'), 'the verdict says blocked in words');
      expect((await app.text('ingress-decision')).includes('rule 2'), 'the drop at priority 2 decides the ingress');
      expect((await app.locator('blocker').count()) >= 1, 'the blockers are listed');
      expect((await app.locator('rule-sg-app-1').getAttribute('data-mark')) === 'deny', 'the deciding drop rule is highlighted');

      const position = await app.text('step-position');
      expect(/^Step 1 of [2-9]/.test(position), `the walk starts at step 1 of several, got ${position}`);
      await app.click('step-next');
      expect((await app.text('step-position')).startsWith('Step 2'), 'Next moves to step 2');
      await shot('blocked-step-2');
      await app.click('step-previous');
      expect((await app.text('step-position')).startsWith('Step 1'), 'Previous moves back');

      await app.ask({ from: 'bastion', to: 'app-1', port: 22 });
      expect((await app.verdict()) === 'allow', 'the bastion inside the VPC gets in');
      expect((await app.text('verdict')).toLowerCase().includes('allowed'), 'the verdict says allowed in words');
      expect((await app.locator('rule-sg-app-0').getAttribute('data-mark')) === 'allow', 'the accept rule is highlighted');
      await shot('allowed');

      await page.keyboard.press('Escape');
      expect((await app.locator('explanation').count()) === 0, 'Escape closes the panel');
    },
  },
];
