// Fixes that fix, and an explanation students read right: the deciding drop marked as blocking
// (a cross and words, not a green tick), "Decided by" and "Would still block" in the order they
// apply, an accept that a drop at priority 1 would still beat offered as advice rather than a
// button, and a one-click fix that makes two changes at once and turns the verdict to allowed.

import { SglabPage, id } from './sglab-page.mjs';
import { SIZES } from '../axe.mjs';

const TOPOLOGY = {
  sglab: 1,
  name: 'Fixes that fix',
  vpcs: [{ id: 'vpc-1', cidr: '10.0.0.0/16' }],
  security_groups: [
    { id: 'sg-app', rules: [
      { direction: 'ingress', policy: 'drop', priority: 1, protocol: 'udp', port_range: '1/65535', cidr: '198.51.100.0/24' },
    ] },
    { id: 'sg-client' },
    { id: 'sg-svc', rules: [
      { direction: 'ingress', priority: 10, protocol: 'tcp', port_range: '8080/8080', group: 'sg-client' },
    ] },
    { id: 'sg-lockdown', rules: [
      { direction: 'ingress', policy: 'drop', priority: 5, protocol: 'tcp', port_range: '1/65535', cidr: '10.0.0.0/16' },
      { direction: 'ingress', policy: 'drop', priority: 1, protocol: 'tcp', port_range: '8000/8080', cidr: '10.0.0.0/16' },
    ] },
  ],
  endpoints: [
    { id: 'app', kind: 'ecs', private_ip: '10.0.3.10', public_ip: '47.0.0.1', groups: ['sg-app'] },
    { id: 'office', kind: 'external', cidr: '198.51.100.7' },
    { id: 'client', kind: 'ecs', private_ip: '10.0.1.10', groups: ['sg-client'] },
    { id: 'svc', kind: 'ecs', private_ip: '10.0.2.10', groups: ['sg-svc', 'sg-lockdown'] },
  ],
};

async function load(page, app) {
  await app.waitFor('diagram-svg');
  const diagnostics = await page.evaluate((t) => window.sglab.load(t), JSON.stringify(TOPOLOGY));
  if (diagnostics.some((d) => d.severity === 'error')) throw new Error(`the topology does not load: ${JSON.stringify(diagnostics)}`);
  await page.waitForFunction(() => JSON.parse(window.sglab.topology()).name === 'Fixes that fix');
}

/** The step whose mark says it decided, with its class and mark text. */
async function decidingStep(page) {
  return page.evaluate(() => {
    const steps = [...document.querySelectorAll('[data-testid^="step-"][data-mark]')];
    const deciding = steps.filter((s) => s.dataset.mark.startsWith('decides'));
    return deciding.map((s) => ({
      mark: s.dataset.mark,
      classes: s.className,
      symbol: s.querySelector('.walk-match')?.textContent,
      words: s.querySelector('.walk-verdict')?.textContent,
      color: getComputedStyle(s.querySelector('.walk-match')).color,
      rule: s.querySelector('.walk-rule')?.textContent,
    }));
  });
}

export const tests = SIZES.flatMap((size) => [
  {
    name: `drop-at-priority-1-${size.width}`,
    async run({ page, shot, expect }) {
      await page.setViewportSize(size);
      const app = new SglabPage(page);
      await load(page, app);
      await app.ask({ from: 'office', to: 'app', protocol: 'udp', port: 8081 });
      expect((await app.verdict()) === 'deny', 'the office is blocked on udp 8081');

      const deciding = await decidingStep(page);
      expect(deciding.length === 1, `one step decides, got ${JSON.stringify(deciding)}`);
      const [step] = deciding;
      expect(step.mark === 'decides-deny', `the deciding drop is marked as blocking, got ${step.mark}`);
      expect(step.symbol === '\u2716', `the deciding drop has a cross, got ${step.symbol}`);
      expect(step.words.includes('blocked'), `the mark says blocked in words, got ${step.words}`);
      expect(step.color === 'rgb(207, 34, 46)', `the cross is red, got ${step.color}`);
      expect(step.rule.includes('drop udp 1/65535'), `the deciding step is the drop, got ${step.rule}`);
      const reason = await app.text('step-reason');
      expect(reason.includes('blocked') && !reason.includes('allowed'), `the reason says the drop blocks, got ${reason}`);

      const blockers = await page.locator(id('blocker')).evaluateAll((items) => items.map((li) => ({ role: li.dataset.role, text: li.textContent })));
      expect(blockers.length === 2, `two blockers, got ${JSON.stringify(blockers)}`);
      expect(blockers[0].role === 'decided' && blockers[0].text.includes('Decided by:') && blockers[0].text.includes('drop rule 1 of sg-app') && blockers[0].text.includes('priority 1'),
        `the drop decided, got ${blockers[0].text}`);
      expect(blockers[1].role === 'still' && blockers[1].text.includes('Would still block:') && blockers[1].text.includes('default deny') && blockers[1].text.includes('basic groups'),
        `the basic default would still block, got ${blockers[1].text}`);

      // The accept at priority 1 would change nothing (the drop wins the tie): advice, no button.
      await app.waitFor('diagnosis-no-rule-allows');
      const accept = app.locator('diagnosis-no-rule-allows');
      expect((await accept.locator('button.fix').count()) === 0, 'the accept the drop would beat is not a button');
      const advice = (await accept.textContent()) || '';
      expect(advice.includes('not enough on its own') && advice.includes('rule 1 of sg-app'), `the advice names the drop to change first, got ${advice}`);
      expect((await page.locator(`${id('doctor')} button.fix`).count()) === 0, 'no button claims to fix this question');
      expect((await app.locator('doctor-plan').count()) === 0, 'nothing claims the buttons allow the question');
      await page.locator(id('blockers')).scrollIntoViewIfNeeded();
      await shot(`drop-at-1-blockers-${size.width}`);
      await page.locator(id('walk')).scrollIntoViewIfNeeded();
      await shot(`drop-at-1-walk-${size.width}`);
    },
  },
  {
    name: `two-drops-one-fix-${size.width}`,
    async run({ page, shot, expect }) {
      await page.setViewportSize(size);
      const app = new SglabPage(page);
      await load(page, app);
      await app.ask({ from: 'client', to: 'svc', port: 8080 });
      expect((await app.verdict()) === 'deny', 'the client is blocked on 8080');
      const blockers = await page.locator(id('blocker')).evaluateAll((items) => items.map((li) => li.dataset.role));
      expect(JSON.stringify(blockers) === JSON.stringify(['decided', 'still']), `one drop decided, the other would still block, got ${blockers}`);

      const buttons = page.locator(`${id('doctor')} button.fix`);
      expect((await buttons.count()) === 1, `one one-click fix, got ${await buttons.count()}`);
      const label = (await buttons.first().textContent()) || '';
      expect(label.includes('8000/8079') && label.includes('priority 4'), `the fix makes both changes, got ${label}`);
      const second = (await page.locator(`${id('doctor')} .diagnosis`).nth(1).textContent()) || '';
      expect(second.includes('needed together with'), `the second cause points to the one fix, got ${second}`);
      await page.locator(id('doctor')).scrollIntoViewIfNeeded();
      await shot(`two-drops-diagnosed-${size.width}`);

      await buttons.first().click();
      await page.waitForFunction(() => document.querySelector('[data-testid="verdict"]')?.getAttribute('data-verdict') === 'allow');
      const deciding = await decidingStep(page);
      expect(deciding.length === 1 && deciding[0].mark === 'decides-allow' && deciding[0].symbol === '\u2714', `the deciding accept has a tick, got ${JSON.stringify(deciding)}`);
      expect((await app.locator('blockers').count()) === 0, 'nothing blocks any more');
      await shot(`two-drops-fixed-${size.width}`);

      await page.keyboard.press('Control+z');
      await page.waitForFunction(() => document.querySelector('[data-testid="verdict"]')?.getAttribute('data-verdict') === 'deny');
      const rules = (await app.topology()).security_groups.find((g) => g.id === 'sg-lockdown').rules;
      expect(rules.some((r) => r.port_range === '8000/8080'), 'one undo takes back both changes');
    },
  },
]);
