// Page object for the sglab app: every selector the specs use, by data-testid.

export const id = (testid) => `[data-testid="${testid}"]`;

export class SglabPage {
  constructor(page) {
    this.page = page;
  }

  locator(testid) {
    return this.page.locator(id(testid));
  }

  async text(testid) {
    // textContent works for SVG elements too.
    return ((await this.locator(testid).first().textContent()) || '').trim();
  }

  async click(testid) {
    await this.locator(testid).first().click();
  }

  async waitFor(testid, options = {}) {
    await this.page.waitForSelector(id(testid), { timeout: 10000, ...options });
  }

  async topology() {
    return JSON.parse(await this.page.evaluate(() => window.sglab.topology()));
  }

  async openExample(exampleId) {
    await this.page.selectOption(id('examples'), exampleId);
    await this.page.waitForFunction((wanted) => JSON.parse(window.sglab.topology()).name !== undefined && document.querySelector('[data-testid="topology-title"]').textContent.length > 0, exampleId);
  }

  async ask({ from, to, protocol = 'tcp', port }) {
    await this.page.selectOption(id('query-from'), from);
    await this.page.selectOption(id('query-to'), to);
    await this.page.selectOption(id('query-protocol'), protocol);
    if (port !== undefined) await this.page.fill(id('query-port'), String(port));
    await this.click('query-submit');
    await this.waitFor('explanation');
  }

  async verdict() {
    return this.locator('verdict').getAttribute('data-verdict');
  }

  async commitField(testid, value) {
    const input = this.locator(testid);
    await input.fill(value);
    await input.press('Enter');
    await input.evaluate((element) => element.blur());
  }

  async edgeLabels() {
    return this.page.locator('[data-testid="edge-label"]').evaluateAll((labels) => labels.map((label) => label.textContent));
  }
}
