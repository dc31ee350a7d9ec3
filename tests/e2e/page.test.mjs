// The www/ page in real headless Chromium (playwright-core driving
// /usr/bin/chromium): launch tasks, cancel one, wait for the rest, and check
// what a person would see. Run: node --test tests/e2e/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { browser as launchBrowser, root, serve } from '../../scripts/browser.mjs';

const out = join(root, 'tests', 'e2e', 'out');

test('the console page runs, cancels and waits for agents, and shows it all', async () => {
  const server = await serve();
  const browser = await launchBrowser();
  const problems = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('console', (msg) => msg.type() === 'error' && problems.push(`console: ${msg.text()}`));
    page.on('pageerror', (error) => problems.push(`page: ${error.message}`));
    await page.goto(`${server.url}?delay=80&max=2`);
    await page.waitForSelector('#limits:not(:empty)');

    // Four tasks with a prompt full of markup: it must come back as text.
    const hostile = '<img src=x onerror="window.__injected=1"> & <b>bold</b> \u001b[31m\u0007';
    await page.fill('#prompt', hostile);
    await page.fill('#count', '4');
    await page.click('#launch');
    await page.waitForFunction(() => document.querySelectorAll('#rows tr').length === 4);
    assert.equal(await page.textContent('[data-count="running"]'), '2', 'two run, the limit');
    assert.equal(await page.textContent('[data-count="queued"]'), '2', 'two wait their turn');

    // Cancel the last one while it is still queued.
    const last = page.locator('#rows tr').nth(3);
    await last.locator('button', { hasText: 'Cancel' }).click();
    await page.waitForFunction(() => document.querySelector('[data-count="cancelled"]').textContent === '1');

    // Wait for one output through the page, then for every task to finish.
    await page.locator('#rows tr').first().locator('button', { hasText: 'Wait' }).click();
    await page.waitForFunction(() => document.querySelector('[data-count="completed"]').textContent === '3', null, { timeout: 20_000 });
    await page.waitForSelector('#results li');

    const statuses = await page.$$eval('#rows tr .badge', (badges) => badges.map((b) => `${b.textContent}:${b.className}`));
    assert.deepEqual(statuses, [
      'completed:badge completed',
      'completed:badge completed',
      'completed:badge completed',
      'cancelled:badge cancelled',
    ]);
    const outputs = await page.$$eval('#rows pre.output', (pres) => pres.map((p) => p.textContent));
    for (const text of outputs.slice(0, 3)) {
      assert.match(text, /\[default\] Working on: <img src=x onerror="window.__injected=1"> & <b>bold<\/b> \u001b\[31m\u0007 \(#\d\)/);
      assert.match(text, /\[default\] Done\./);
    }
    assert.equal(outputs[3], '', 'the cancelled task never ran');
    assert.equal(await page.locator('#rows img, #rows b').count(), 0, 'output is text, never HTML');
    assert.equal(await page.evaluate(() => window.__injected), undefined);
    const counts = await page.$$eval('[data-count]', (els) => Object.fromEntries(els.map((e) => [e.dataset.count, e.textContent])));
    assert.deepEqual(counts, { queued: '0', running: '0', completed: '3', error: '0', cancelled: '1' });
    const elapsed = await page.$$eval('#rows td.num', (tds) => tds.map((td) => td.textContent));
    assert.ok(elapsed.every((t) => /^\d+\.\d s$/.test(t)), elapsed.join());

    const notifications = await page.$$eval('#notifications li', (lis) => lis.map((li) => li.textContent));
    assert.equal(notifications.length, 4);
    assert.ok(notifications.some((line) => /task_completion: task .+ completed$/.test(line)), notifications.join('\n'));
    assert.ok(notifications.some((line) => /task_completion: task .+ cancelled$/.test(line)));
    const results = await page.$$eval('#results li', (lis) => lis.map((li) => li.textContent));
    assert.match(results[0], /completed: Simulated response from default to: /);

    // Filter by status.
    await page.selectOption('#filter', 'cancelled');
    await page.waitForFunction(() => [...document.querySelectorAll('#rows tr')].filter((tr) => !tr.hidden).length === 1);
    await page.selectOption('#filter', '');
    await page.waitForFunction(() => [...document.querySelectorAll('#rows tr')].every((tr) => !tr.hidden));

    // A manager error shows as a readable message.
    await page.fill('#count', '1');
    await page.fill('#task-id', 'same-id');
    await page.fill('#prompt', 'First');
    await page.click('#launch');
    await page.click('#launch');
    await page.waitForSelector('#error:not([hidden])');
    assert.equal(await page.textContent('#error-text'), 'A task with id "same-id" already exists [DUPLICATE_ID]');

    // Cancel all.
    await page.click('#cancel-all');
    await page.waitForFunction(() => document.querySelector('[data-count="running"]').textContent === '0'
      && document.querySelector('[data-count="queued"]').textContent === '0');

    mkdirSync(out, { recursive: true });
    await page.screenshot({ path: join(out, 'page.png'), fullPage: true });
    assert.deepEqual(problems, [], 'nothing logged as an error');
  } finally {
    await browser.close();
    server.stop();
  }
});
