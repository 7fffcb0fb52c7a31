// axe-core (node_modules/axe-core, pinned in package-lock.json) for the e2e specs: injected
// through `page.evaluate` of its source, because the page's Content-Security-Policy refuses the
// inline <script> of `addScriptTag`; `audit` runs it at 1024x768 and 1440x900.

import { readFile } from 'node:fs/promises';
import path from 'node:path';

export const SIZES = [
  { width: 1024, height: 768 },
  { width: 1440, height: 900 },
];

/** Injects axe-core once per document. */
export async function inject(page, root) {
  if (await page.evaluate(() => typeof window.axe === 'object')) return;
  const source = await readFile(path.join(root, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
  await page.evaluate(source);
}

/**
 * Runs axe at each size on what is shown, saves a screenshot per size and returns the serious
 * and critical violations as lines naming the view, the rule and the first elements.
 */
export async function audit(page, root, shot, view) {
  const found = [];
  for (const size of SIZES) {
    await page.setViewportSize(size);
    await inject(page, root);
    const violations = await page.evaluate(async () => {
      const results = await window.axe.run(document, { resultTypes: ['violations'] });
      return results.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
        count: v.nodes.length,
      }));
    });
    await shot(`${view}-${size.width}`);
    for (const v of violations) {
      const line = `${view} at ${size.width}x${size.height}: ${v.impact} ${v.id} (${v.help}) on ${v.count} elements: ${v.targets.join(', ')}`;
      console.log(`  a11y: ${line}`);
      if (v.impact === 'serious' || v.impact === 'critical') found.push(line);
    }
  }
  await page.setViewportSize({ width: 1440, height: 900 });
  return found;
}

