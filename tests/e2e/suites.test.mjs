// The suites of tests/browser/ in real headless Chromium, one page each:
// every scenario must pass, and nothing may reach the page as an uncaught
// error or a RuntimeError.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { browser as launchBrowser, serve } from '../../scripts/browser.mjs';

const SUITES = ['binding', 'faults', 'hostile', 'fuzz', 'runs', 'polling'];

test('the browser suites in headless Chromium', async (t) => {
  const server = await serve();
  const browser = await launchBrowser(['--js-flags=--expose-gc']);
  try {
    for (const suite of SUITES) {
      await t.test(suite, async () => {
        const page = await browser.newPage();
        const pageErrors = [];
        page.on('pageerror', (error) => pageErrors.push(error.message));
        await page.goto(`${server.base}tests/browser/suites.html?suite=${suite}`);
        await page.waitForFunction(() => window.__result, null, { timeout: 300_000, polling: 200 });
        const result = await page.evaluate(() => window.__result);
        assert.deepEqual(result.failed, []);
        assert.equal(result.passed, result.total);
        assert.deepEqual(pageErrors, []);
        await page.close();
      });
    }
  } finally {
    await browser.close();
    server.stop();
  }
});
