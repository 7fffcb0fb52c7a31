// Sketching: add a security group and an ECS node in it; both appear in the tree and the
// diagram, and the node can join a second group.

import { SglabPage } from './sglab-page.mjs';

export const tests = [
  {
    name: 'add-group-and-node',
    async run({ page, shot, expect }) {
      const app = new SglabPage(page);
      await app.waitFor('diagram-svg');
      await app.click('add-group');
      await app.waitFor('group-name');
      await app.commitField('group-name', 'workers');
      await page.waitForFunction(() => document.querySelector('[data-testid="tree-group-sg-1"]')?.textContent.includes('workers'));
      await app.click('add-node');
      await app.waitFor('diagram-node-i-1');
      const topology = await app.topology();
      const node = topology.endpoints.find((e) => e.id === 'i-1');
      expect(node, 'the node is in the topology');
      expect(JSON.stringify(node).includes('sg-1'), 'the node is in the new group');
      const inside = await page.evaluate(() => {
        const group = document.querySelector('[data-testid="diagram-group-sg-1"] rect').getBBox();
        const n = document.querySelector('[data-testid="diagram-node-i-1"] rect').getBBox();
        return n.x >= group.x && n.y >= group.y && n.x + n.width <= group.x + group.width && n.y + n.height <= group.y + group.height;
      });
      expect(inside, 'the node is drawn inside its group');

      await app.click('member-service-sg2');
      await app.waitFor('badge-i-1-service-sg2');
      expect((await app.locator('membership-i-1-service-sg2').count()) === 1, 'the second membership is drawn');
      await shot('added');

      // Drag the node: its new position is saved in the topology's layout.
      const box = await page.locator('[data-testid="diagram-node-i-1"] rect').first().boundingBox();
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width / 2 + 60, box.y + box.height / 2 + 40, { steps: 5 });
      await page.mouse.up();
      await page.waitForFunction(() => JSON.parse(window.sglab.topology()).layout?.['i-1'] !== undefined);
      const moved = await page.locator('[data-testid="diagram-node-i-1"] rect').first().boundingBox();
      expect(moved.x > box.x + 20 && moved.y > box.y + 10, 'the node moved on screen');

      // Zoom with the buttons.
      const before = await page.locator('[data-testid="diagram-node-i-1"] rect').first().boundingBox();
      await app.click('zoom-in');
      const after = await page.locator('[data-testid="diagram-node-i-1"] rect').first().boundingBox();
      expect(after.width > before.width, 'zoom in enlarges the drawing');
    },
  },
];
