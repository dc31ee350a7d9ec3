// The www/ console in real headless Chromium (playwright-core driving
// /usr/bin/chromium), driven as a person would: launch through a limit,
// cancel a queued task, wait, open a task's details and copy from them,
// sort, filter, clear finished tasks, see a failure and an error, and read
// it from 360 to 1920 px in light and dark (screenshots at 400 and 1366 px
// in tests/e2e/out/).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { browser as launchBrowser, root, serve } from '../../scripts/browser.mjs';

const out = join(root, 'tests', 'e2e', 'out');
const count = (page, status) => page.textContent(`[data-count="${status}"]`);
const waitCount = (page, status, n, timeout = 20_000) =>
  page.waitForFunction(([s, n]) => document.querySelector(`[data-count="${s}"]`).textContent === String(n), [status, n], { timeout });

/** Elements wider than the viewport, or a page that scrolls sideways. */
function overflow(page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const wide = [...document.querySelectorAll('body *')]
      .filter((el) => el.getClientRects().length > 0 && el.getBoundingClientRect().right > width + 0.5)
      .map((el) => `${el.tagName.toLowerCase()}.${el.className}`);
    return { scroll: document.documentElement.scrollWidth > width, wide };
  });
}

test('the console runs, cancels, waits, explains and lays out every task', async () => {
  const server = await serve();
  const browser = await launchBrowser();
  const problems = [];
  try {
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(server.url).origin });
    const page = await context.newPage();
    page.on('console', (msg) => msg.type() === 'error' && problems.push(`console: ${msg.text()}`));
    page.on('pageerror', (error) => problems.push(`page: ${error.message}`));
    await page.goto(`${server.url}?delay=250&max=2&failRate=0`);
    await page.waitForSelector('#limits:not(:empty)');

    // No error, no banner.
    assert.equal(await page.isVisible('#error'), false, 'the banner shows only for an error');
    assert.match(await page.textContent('#limits'), /^At most 2 agents at once/);
    assert.equal(await page.textContent('#summary'), 'No tasks');

    // Four tasks with a prompt full of markup: it must come back as text.
    const hostile = '<img src=x onerror="window.__injected=1"> & <b>bold</b> \u001b[31m\u0007';
    await page.fill('#prompt', hostile);
    await page.fill('#count', '4');
    await page.click('#launch');
    await page.waitForFunction(() => document.querySelectorAll('#tasks li').length === 4);
    assert.equal(await count(page, 'running'), '2', 'two run, the limit');
    assert.equal(await count(page, 'queued'), '2', 'two wait their turn');
    assert.equal(await page.textContent('#summary'), '4 tasks, 4 live');
    assert.equal(await page.locator('#timeline li').count(), 4, 'one timeline lane per task');

    // What the live region announces, as a screen reader would hear it.
    await page.evaluate(() => {
      window.__announced = [];
      const region = document.getElementById('announce');
      new MutationObserver(() => window.__announced.push(region.textContent)).observe(region, { childList: true, characterData: true, subtree: true });
    });
    // Buttons are named for their task; cancel the last one while it is queued.
    assert.equal(await page.getByRole('button', { name: /^Cancel task / }).count(), 4);
    const last = page.locator('#tasks li').nth(3);
    const lastId = await last.getAttribute('data-id');
    // Each runner takes four 250 ms steps, so the last task is still waiting
    // for a slot here even on a loaded machine (at 80 ms CI saw it start first).
    assert.equal(await last.locator('.badge').textContent(), 'queued');
    await last.getByRole('button', { name: /^Cancel task / }).click();
    await waitCount(page, 'cancelled', 1);
    await page.waitForFunction(() => window.__announced.some((text) => /^Task .+ is cancelled\.$/.test(text)));

    // Wait for one output through the page, then for every task to finish.
    await page.locator('#tasks li').first().getByRole('button', { name: /^Wait for task / }).click();
    await waitCount(page, 'completed', 3);
    await page.waitForSelector('#results li');
    const statuses = await page.$$eval('#tasks li .badge', (badges) => badges.map((b) => `${b.textContent}:${b.className}`));
    assert.deepEqual(statuses, ['completed:badge completed', 'completed:badge completed', 'completed:badge completed', 'cancelled:badge cancelled']);
    const outputs = await page.$$eval('#tasks pre.output', (pres) => pres.map((p) => p.textContent));
    for (const text of outputs.slice(0, 3)) {
      assert.match(text, /\[default\] Received: <img src=x onerror="window.__injected=1"> & <b>bold<\/b> \u001b\[31m\u0007 \(#\d\)/);
      assert.match(text, /\[default\] Done\./);
    }
    assert.equal(outputs[3], '', 'the cancelled task never ran');
    // The runner's progress: a full bar and its last step on every finished row,
    // none on the task that never ran, and the mark on its timeline lane.
    const bars = await page.$$eval('#tasks progress.bar', (els) => els.map((b) => [b.hidden, b.value, b.max]));
    assert.deepEqual(bars, [[false, 4, 4], [false, 4, 4], [false, 4, 4], [true, 0, 1]]);
    const steps = await page.$$eval('#tasks .step', (els) => els.map((e) => e.textContent));
    assert.deepEqual(steps.slice(0, 3), ['4/4 · Done', '4/4 · Done', '4/4 · Done']);
    assert.equal(await page.locator('#timeline .seg.done:not([hidden])').count(), 3);
    assert.equal(await page.locator('#tasks img, #tasks b, #detail img').count(), 0, 'output is text, never HTML');
    assert.equal(await page.evaluate(() => window.__injected), undefined);
    const elapsed = await page.$$eval('#tasks .elapsed', (els) => els.map((e) => e.textContent));
    assert.ok(elapsed.every((t) => /^\d+\.\d s$/.test(t)), elapsed.join());
    const notifications = await page.$$eval('#notifications li', (lis) => lis.map((li) => li.textContent));
    assert.equal(notifications.length, 4);
    assert.match((await page.$$eval('#results li', (lis) => lis.map((li) => li.textContent)))[0], /completed: Simulated response from default to: /);

    // The timeline: queued then running bars, coloured by the final status;
    // the cancelled task only waited.
    const lanes = await page.$$eval('#timeline li', (lis) => lis.map((li) => ({
      status: li.dataset.status,
      queued: !li.querySelector('.seg.queued').hidden,
      run: li.querySelector('.seg.run').hidden ? null : li.querySelector('.seg.run').className,
      width: li.querySelector('.seg.run').getBoundingClientRect().width,
    })));
    assert.deepEqual(lanes.map((l) => l.status), ['completed', 'completed', 'completed', 'cancelled']);
    assert.ok(lanes.slice(0, 3).every((l) => l.run === 'seg run completed' && l.width > 0), JSON.stringify(lanes));
    assert.ok(lanes[2].queued, 'the third task waited for a slot');
    assert.deepEqual([lanes[3].queued, lanes[3].run], [true, null], 'cancelled while queued');

    // A long output: the list shows its tail, the details the whole of it.
    await page.fill('#count', '1');
    await page.fill('#prompt', 'x'.repeat(4500));
    await page.click('#launch');
    await waitCount(page, 'completed', 4);
    const long = page.locator('#tasks li').nth(4);
    assert.ok((await long.locator('pre.output').textContent()).startsWith('…'), 'the list shows the tail');
    await long.getByRole('button', { name: /^Details of task / }).click();
    await page.waitForSelector('#detail[open]');
    const full = await page.textContent('#detail [data-field="output"]');
    assert.ok(full.length > 4500 && full.startsWith('[default] Received: xxx') && full.endsWith('[default] Done.\n'), `${full.length}`);
    assert.equal(await page.textContent('#detail [data-field="status"]'), 'completed');
    assert.match(await page.textContent('#detail [data-field="created"]'), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} UTC$/);
    assert.match(await page.textContent('#detail [data-field="result"]'), /"response": "Simulated response from default to: x+"/);
    await page.click('#detail [data-copy="output"]');
    await page.waitForFunction(() => document.querySelector('#detail [data-copied]').textContent === 'Copied the output.');
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), full);
    mkdirSync(out, { recursive: true });
    await page.screenshot({ path: join(out, 'console-detail-1366-light.png') });
    await page.click('#detail [data-close]');

    // Sort by duration (longest first), by status, and back.
    await page.selectOption('#sort', 'duration');
    const durations = await page.$$eval('#tasks .elapsed', (els) => els.map((e) => parseFloat(e.textContent)));
    assert.deepEqual(durations, [...durations].sort((a, b) => b - a), durations.join());
    await page.selectOption('#sort', 'status');
    assert.equal(await page.locator('#tasks li').last().locator('.badge').textContent(), 'completed');
    assert.equal(await page.locator('#tasks li').nth(0).locator('.badge').textContent(), 'cancelled');
    await page.selectOption('#sort', 'created');
    assert.equal(await page.locator('#tasks li').nth(3).getAttribute('data-id'), lastId);

    // Filter by status (asked of the manager).
    await page.selectOption('#filter', 'cancelled');
    await page.waitForFunction(() => [...document.querySelectorAll('#tasks li')].filter((li) => !li.hidden).length === 1);
    await page.selectOption('#filter', '');
    await page.waitForFunction(() => [...document.querySelectorAll('#tasks li')].every((li) => !li.hidden));

    // A manager error shows as a readable message, and × hides it.
    await page.fill('#task-id', 'same-id');
    await page.fill('#prompt', 'First');
    await page.click('#launch');
    await page.click('#launch');
    await page.waitForSelector('#error:not([hidden])');
    assert.equal(await page.textContent('#error-text'), 'A task with id "same-id" already exists [DUPLICATE_ID]');
    await page.click('#error-close');
    assert.equal(await page.isVisible('#error'), false, '× hides the banner');

    // Screenshots in light and dark, wide and narrow, with live tasks.
    await page.fill('#task-id', '');
    await page.fill('#prompt', 'Summarise the latest release notes');
    await page.fill('#count', '3');
    await page.click('#launch');
    await waitCount(page, 'running', 2);
    for (const scheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const width of [1920, 1366, 400, 360]) {
        await page.setViewportSize({ width, height: 900 });
        await page.waitForTimeout(100);
        if (width !== 1366) {
          const o = await overflow(page);
          assert.deepEqual(o, { scroll: false, wide: [] }, `nothing wider than ${width} px (${scheme})`);
        }
        if (width === 1366 || width === 400) await page.screenshot({ path: join(out, `console-${width}-${scheme}.png`), fullPage: true });
      }
    }
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 1366, height: 900 });

    // A prompt ending in "?" makes the agent ask: the card shows the
    // question with an answer box, and the answer reaches the agent.
    await page.click('#cancel-all');
    await waitCount(page, 'running', 0);
    await page.fill('#prompt', 'Which release?');
    await page.fill('#count', '1');
    await page.click('#launch');
    await waitCount(page, 'input-required', 1);
    const asking = page.locator('#tasks li[data-status="input-required"]');
    assert.equal(await asking.locator('.badge').textContent(), 'asking');
    assert.match(await asking.locator('.asked').textContent(), /asks: what should the answer to "Which release\?" focus on\?$/);
    await asking.locator('.question input').fill('the latest one');
    await asking.locator('.question button').click();
    await waitCount(page, 'input-required', 0);
    await page.waitForFunction(() => [...document.querySelectorAll('#tasks li .output')].some((o) => o.textContent.includes('You said: the latest one')));

    // Cancel all, then clear the finished tasks from the list.
    await page.click('#cancel-all');
    await waitCount(page, 'running', 0);
    await waitCount(page, 'queued', 0);
    await page.click('#clear');
    assert.equal(await page.locator('#tasks li').count(), 0);
    assert.equal(await page.locator('#timeline li').count(), 0);
    assert.equal(await page.textContent('#summary'), 'No tasks');
    assert.deepEqual(problems, [], 'nothing logged as an error');

    // Failures can be seen: an agent that always fails.
    await page.goto(`${server.url}?delay=10&max=1&failRate=1`);
    await page.waitForSelector('#limits:not(:empty)');
    assert.match(await page.textContent('#limits'), /^At most 1 agent at once.*fails 100% of the time\.$/);
    await page.click('#launch');
    await waitCount(page, 'error', 1);
    assert.equal(await page.textContent('#tasks li .badge'), 'error');
    assert.match(await page.textContent('#tasks li .detail'), /default gave up: the simulated model failed/);
    assert.equal(await page.getAttribute('#timeline li .seg.run', 'class'), 'seg run error');
    assert.match(await page.textContent('#announce'), /is failed\.$/);
    assert.deepEqual(problems, [], 'nothing logged as an error');
  } finally {
    await browser.close();
    server.stop();
  }
});

test('two consoles opened with ?shared= share one manager: one runs the agents, both show every task', async () => {
  const server = await serve();
  const browser = await launchBrowser();
  const problems = [];
  try {
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    const name = `e2e-${Date.now()}`;
    const open = async () => {
      const page = await context.newPage();
      page.on('console', (msg) => msg.type() === 'error' && problems.push(`console: ${msg.text()}`));
      page.on('pageerror', (error) => problems.push(`page: ${error.message}`));
      await page.goto(`${server.url}?shared=${name}&delay=20&failRate=0`);
      await page.waitForSelector('#limits:not(:empty)');
      await page.waitForSelector('#owner:not([hidden])');
      return page;
    };
    const first = await open();
    const second = await open();
    assert.equal(await first.textContent('#owner'), 'This tab runs the agents');
    assert.equal(await second.textContent('#owner'), 'Another tab runs the agents');
    // Launched from the tab that does not run them: both show the tasks.
    await second.fill('#prompt', 'from the second tab');
    await second.fill('#count', '2');
    await second.click('#launch');
    for (const page of [first, second]) {
      await page.waitForFunction(() => document.querySelectorAll('#tasks li').length === 2);
      await page.waitForFunction(() => document.querySelector('[data-count="completed"]').textContent === '2', null, { timeout: 20_000 });
    }
    const ids = async (page) => page.$$eval('#tasks li', (lis) => lis.map((li) => li.dataset.id).sort());
    assert.deepEqual(await ids(first), await ids(second), 'the same tasks in both');
    // A third tab opened later shows them too, read from the owner.
    const third = await open();
    await third.waitForFunction(() => document.querySelectorAll('#tasks li').length === 2);
    assert.deepEqual(await ids(third), await ids(first));
    // The running tab closes: one of the others runs the agents now.
    await first.close();
    await Promise.race([second, third].map((page) => page.waitForFunction(
      () => document.getElementById('owner').textContent === 'This tab runs the agents', null, { timeout: 5_000 })));
    const after = await Promise.all([second, third].map((page) => page.textContent('#owner')));
    assert.equal(after.filter((t) => t === 'This tab runs the agents').length, 1, `one tab runs them: ${after}`);
    assert.deepEqual(problems, []);
    await context.close();
  } finally {
    await browser.close();
    server.stop();
  }
});
