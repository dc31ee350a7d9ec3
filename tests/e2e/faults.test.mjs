// The fault-injection scenarios of tests/browser/faults.js in real headless
// Chromium: each must pass, and nothing may reach the page as an uncaught
// error or a RuntimeError.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { browser as launchBrowser, serve } from '../../scripts/browser.mjs';

test('fault injection in headless Chromium', async () => {
  const server = await serve();
  const browser = await launchBrowser();
  const pageErrors = [];
  try {
    const page = await browser.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${server.base}tests/browser/faults.html`);
    await page.waitForFunction(() => window.__faults, null, { timeout: 120_000 });
    const result = await page.evaluate(() => window.__faults);
    assert.deepEqual(result.failed, []);
    assert.equal(result.passed, 9);
    assert.deepEqual(pageErrors, []);
  } finally {
    await browser.close();
    server.stop();
  }
});
