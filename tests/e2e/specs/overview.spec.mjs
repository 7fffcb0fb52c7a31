// The overview of large topologies: at 500 and 5,000 endpoints the diagram opens on the group
// level, a search focuses one node and its neighbours, the heat-map by group drills from a
// cell to its endpoint pairs and from a pair to its explanation, and a group node opens its
// members. Each topology is built here, deterministically; no large file is committed.

import { SglabPage } from './sglab-page.mjs';
import { largeTopology } from '../fixtures.mjs';

const roles = ['web', 'api', 'cache', 'db', 'queue', 'batch', 'auth', 'search', 'logs', 'metrics'];
const ports = ['80/80', '443/443', '22/22', '3306/3306', '5432/5432', '6379/6379', '8080/8081', '9000/9100', '53/53', '11211/11211'];

/** A topology of `count` endpoints in `count / 10` groups with a few rules each. */
function scaledTopology(count) {
  let seed = 11;
  const random = (n) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const groupCount = count / 10;
  const isEnterprise = (g) => g % 17 === 5;
  // A rule names neither its own group nor an enterprise group.
  const peer = (self) => {
    let p = random(groupCount);
    while (p === self || isEnterprise(p)) p = (p + 1) % groupCount;
    return p;
  };
  const groups = [];
  for (let g = 0; g < groupCount; g++) {
    const enterprise = isEnterprise(g);
    const rules = [];
    for (let r = 0; r < 6; r++) {
      const peerGroup = !enterprise && random(3) !== 0;
      rules.push({
        direction: 'ingress',
        policy: random(9) === 0 ? 'drop' : 'accept',
        priority: 1 + random(100),
        protocol: random(7) === 0 ? 'udp' : 'tcp',
        port_range: ports[random(ports.length)],
        ...(peerGroup ? { group: `sg-${peer(g)}` } : { cidr: `10.${1 + random(2)}.${random(250)}.0/24` }),
      });
    }
    groups.push({
      id: `sg-${g}`,
      name: `${roles[g % roles.length]}-${g}`,
      vpc: 'vpc-big',
      type: enterprise ? 'enterprise' : 'basic',
      ...(g % 23 === 7 ? { managed_by: 'AI Gateway' } : {}),
      rules,
    });
  }
  const endpoints = [];
  for (let e = 0; e < count; e++) {
    endpoints.push({
      id: `i-${e}`,
      name: `${roles[e % roles.length]} node ${e}`,
      kind: 'ecs',
      private_ip: `10.${1 + Math.floor(e / 62500)}.${Math.floor(e / 250) % 250}.${(e % 250) + 2}`,
      // An ENI's groups are all of one type.
      groups: [`sg-${e % groupCount}`, ...(e % 9 === 0 && isEnterprise(e % groupCount) === isEnterprise((e + 1) % groupCount) ? [`sg-${(e + 1) % groupCount}`] : [])],
    });
  }
  return { sglab: 1, name: `Overview ${count}`, vpcs: [{ id: 'vpc-big', cidr: '10.0.0.0/8' }], security_groups: groups, endpoints };
}

async function load(page, topology, title) {
  const diagnostics = await page.evaluate((t) => window.sglab.load(t), JSON.stringify(topology));
  if (diagnostics.some((d) => d.severity === 'error')) throw new Error(`the topology loads, got ${JSON.stringify(diagnostics.slice(0, 3))}`);
  await page.waitForFunction((t) => document.querySelector('[data-testid="topology-title"]').textContent.includes(t), title, { timeout: 120000 });
  await page.waitForSelector('[data-testid="overview"]', { timeout: 120000 });
  // Above 150 endpoints the engine's worker evaluates: wait until its results are drawn.
  await page.evaluate(() => window.sglab.lastEvaluation());
  // The generated rules exceed the vendor's quotas, which a notice lists: dismiss it.
  while ((await page.locator('[data-testid="notice-dismiss"]').count()) > 0) {
    await page.locator('[data-testid="notice-dismiss"]').first().click();
  }
}

/** Every control of the overview has a name a screen reader reads, and every image of it text. */
async function checkNames(page, expect) {
  const unnamed = await page.evaluate(() => {
    const root = document.querySelector('[data-testid="overview"]');
    const controls = root.querySelectorAll('button, input, [role="button"], [role="gridcell"], [tabindex]');
    return [...controls]
      .filter((c) => !(c.getAttribute('aria-label') || c.textContent.trim() || (c.id && root.querySelector(`label[for="${c.id}"]`))))
      .map((c) => c.outerHTML.slice(0, 120));
  });
  expect(unnamed.length === 0, `every control is named, not ${JSON.stringify(unnamed.slice(0, 3))}`);
  const badIds = await page.evaluate(() => {
    const ids = [...document.querySelectorAll('[id]')].map((e) => e.id);
    return ids.filter((id, at) => ids.indexOf(id) !== at);
  });
  expect(badIds.length === 0, `ids are unique, not ${badIds.slice(0, 3)}`);
}

async function readOverview({ page, shot, expect }, topology, name, focus) {
  const app = new SglabPage(page);
  await app.waitFor('diagram-svg');
  await load(page, topology, topology.name);
  const groups = topology.security_groups.length;
  // Hundreds of groups are drawn over a few frames.
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid^="ov-node-"]').length === n, groups, { timeout: 10000 }).catch(() => {});
  expect((await page.locator('[data-testid^="ov-node-"]').count()) === groups, `one node per group (${groups})`);
  expect((await app.text('diagram-note')).includes('per group pair'), 'the note says the edges are merged per group pair');
  const labels = await page.locator('[data-testid="ov-link-label"]').evaluateAll((ls) => ls.map((l) => l.textContent));
  expect(labels.length > 0 && labels.every((l) => l.length <= 36), `link labels are short: ${labels.slice(0, 3)}`);
  await checkNames(page, expect);
  await shot(`${name}-overview-1440`);
  await page.setViewportSize({ width: 1024, height: 768 });
  await shot(`${name}-overview-1024`);
  await page.setViewportSize({ width: 1440, height: 900 });

  // Semantic zoom: a group node opens its members.
  await page.locator('[data-testid="ov-node-sg-3"]').focus();
  await page.keyboard.press('Enter');
  await app.waitFor('ov-members');
  expect((await page.locator('[data-testid^="ov-member-i-"]').count()) >= 10, 'the members are listed');
  await app.click('ov-members-close');

  // Focus mode through the search box.
  await page.fill('[data-testid="ov-search"]', focus);
  await app.waitFor(`ov-suggest-${focus}`);
  await app.click(`ov-suggest-${focus}`);
  await app.waitFor('ov-focus');
  expect((await app.text('ov-focus-title')).includes(focus), 'the focus names the endpoint');
  const inbound = await page.locator('[data-testid="ov-inbound"] li').count();
  const outbound = await page.locator('[data-testid="ov-outbound"] li').count();
  expect(inbound + outbound > 0, `the focus lists neighbours (${inbound} in, ${outbound} out)`);
  await checkNames(page, expect);
  await shot(`${name}-focus`);
  await app.click('ov-focus-clear');

  // The heat-map: keyboard, then a cell's pairs, then a pair's explanation.
  await app.click('overview-heat-tab');
  await app.waitFor('heat-map');
  await page.locator('#heat-0-0').focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowDown');
  // The arrow keys move the focus through the grid.
  await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'heat-1-1', null, { timeout: 5000 });
  expect((await app.text('heat-detail')).length > 0, 'the focused cell says its numbers');
  const hot = page.locator('.heat-cell.heat-4, .heat-cell.heat-3, .heat-cell.heat-2, .heat-cell.heat-1').first();
  await hot.click();
  await app.waitFor('heat-pairs');
  const pair = page.locator('[data-testid^="pair-"]').first();
  expect((await pair.count()) === 1, 'the cell lists its endpoint pairs');
  await checkNames(page, expect);
  await shot(`${name}-heat-map`);
  await pair.click();
  await app.waitFor('explanation', { timeout: 60000 });
  expect((await app.verdict()) === 'allow', 'the pair opens its allowed explanation');
  await shot(`${name}-pair-explained`);
}

export const tests = [
  {
    name: 'overview-500',
    async run(context) {
      await readOverview(context, largeTopology(), '500', 'i-42');
    },
  },
  {
    name: 'overview-5000',
    async run(context) {
      const topology = scaledTopology(5000);
      await readOverview(context, topology, '5000', 'i-4242');
      // Only what is on screen is in the DOM.
      const { page, expect } = context;
      await page.click('[data-testid="tab-matrix"]');
      await page.waitForSelector('[data-testid="matrix-capped"]', { timeout: 60000 });
      const cells = await page.locator('.cell-button').count();
      expect(cells > 0 && cells < 1000, `the matrix draws the cells on screen, got ${cells}`);
      const rows = await page.locator('[data-testid^="tree-endpoint-"]').count();
      expect(rows > 0 && rows < 200, `the tree draws the endpoints on screen, got ${rows}`);
    },
  },
];
