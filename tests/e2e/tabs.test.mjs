// One manager shared by three pages of one browser context (options.shared,
// tests/browser/tabs.html): tasks launched from each, the pool held across
// all three, the owner page closed mid-run and another taking over, the
// waits in the survivors resolving, no task final twice, no notice lost.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { browser as launchBrowser, serve } from '../../scripts/browser.mjs';

const ids = (prefix, n) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

test('three tabs share one manager; the owner closes and another takes over', async () => {
  const server = await serve();
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext();
    const errors = [];
    const open = async (query = '') => {
      const page = await context.newPage();
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${server.base}tests/browser/tabs.html${query}`);
      await page.waitForFunction(() => window.__ready, null, { timeout: 30_000, polling: 50 });
      return page;
    };
    const pages = [await open('?reset=1'), await open(), await open()];
    const owner = async (page) => page.evaluate(() => window.tab.m.getOwner());
    const owners = await Promise.all(pages.map(owner));
    assert.equal(new Set(owners.map((o) => o.tab)).size, 1, 'every tab names the same owner');
    assert.deepEqual(owners.map((o) => o.self), [true, false, false], 'the first tab owns');

    // Tasks launched from each tab; every tab sees every task.
    const launched = [ids('a', 4), ids('b', 4), ids('c', 4)];
    // The second tab's tasks resume: a new owner runs them again.
    await Promise.all(pages.map((page, i) =>
      page.evaluate(([mine, resume]) => Promise.all(mine.map((id) => window.tab.m.launch({ agent: 'x', prompt: id, id, resume }))),
        [launched[i], i === 1])));
    const all = launched.flat();
    for (const page of pages) {
      const seen = await page.evaluate(async () => (await window.tab.m.getAllTasks()).map((t) => t.id));
      assert.deepEqual([...seen].sort(), [...all].sort(), 'every tab sees every task');
    }
    // What a call costs from another tab: 300 getTask calls in a row, from
    // the owner and from a tab that forwards them (printed, not asserted).
    const timed = (page) => page.evaluate(async (id) => {
      const started = performance.now();
      for (let i = 0; i < 300; i++) await window.tab.m.getTask(id);
      return (performance.now() - started) / 300;
    }, all[0]);
    const [local, forwarded] = [await timed(pages[0]), await timed(pages[1])];
    console.log(`# getTask: ${(local * 1000).toFixed(1)} µs in the owner tab, ${(forwarded * 1000).toFixed(0)} µs forwarded from another`);
    // Waits in the two tabs that will survive.
    for (const page of pages.slice(1)) await page.evaluate((all) => window.tab.wait(all), all);

    // The owner goes mid-run: some tasks done, two running, the rest queued.
    await pages[0].waitForFunction(() => window.tab.ran.length >= 4, null, { timeout: 10_000, polling: 10 });
    const before = await pages[0].evaluate(() => ({ sent: window.tab.sent, peak: window.tab.peak, ran: window.tab.ran }));
    const closed = Date.now();
    await pages[0].close();
    const survivors = pages.slice(1);
    await Promise.race(survivors.map((page) => page.waitForFunction(
      () => window.tab.m.getOwner()?.self === true, null, { timeout: 5_000, polling: 10 })));
    const failover = Date.now() - closed;
    assert.ok(failover < 1000, `another tab took over in ${failover} ms`);
    const next = await Promise.all(survivors.map(owner));
    assert.equal(next.filter((o) => o.self).length, 1, 'one new owner');
    assert.equal(new Set(next.map((o) => o.tab)).size, 1, 'both survivors name it');

    // Every wait in the survivors resolves; every task ends once.
    for (const page of survivors) {
      await page.waitForFunction(() => window.tab.waited().every(([, d]) => d !== null), null, { timeout: 30_000, polling: 50 });
      const waited = await page.evaluate(() => window.tab.waited());
      for (const [id, done] of waited) {
        assert.ok(['completed', 'interrupted'].includes(done.status), `${id} waited to ${JSON.stringify(done)}`);
      }
    }
    const after = await Promise.all(survivors.map((page) => page.evaluate(() => ({
      sent: window.tab.sent, peak: window.tab.peak, ran: window.tab.ran, events: window.tab.events,
      tasks: window.tab.m.getAllTasks().then((ts) => ts.map((t) => [t.id, t.status])),
    }))));
    const tasks = await Promise.all(survivors.map((page) => page.evaluate(async () =>
      (await window.tab.m.getAllTasks()).map((t) => [t.id, t.status]))));
    assert.deepEqual(tasks[0], tasks[1], 'both survivors see the same table');
    const finals = new Map(tasks[0]);
    assert.equal(finals.size, all.length);
    for (const [id, status] of finals) assert.ok(['completed', 'interrupted'].includes(status), `${id} is ${status}`);
    assert.ok([...finals.values()].includes('interrupted'), 'the runs that died with the owner are interrupted');
    for (const id of launched[1]) assert.equal(finals.get(id), 'completed', `${id} resumed and completed`);
    const ranAfter = after.flatMap((a) => a.ran);
    assert.ok(launched[1].some((id) => ranAfter.includes(id)), `the new owner ran the resumed tasks: ${ranAfter}`);
    // The pool of 2 held in every owner.
    for (const peak of [before.peak, ...after.map((a) => a.peak)]) assert.ok(peak <= 2, `peak running ${peak}`);
    // Each status event once per task per tab: no task final twice.
    for (const { events } of after) {
      for (const id of all) {
        const finalsSeen = events.filter((e) => e.startsWith(`${id}:`) && !e.endsWith(':running') && !e.endsWith(':queued'));
        assert.ok(finalsSeen.length <= 1, `${id} final once in a tab: ${finalsSeen}`);
      }
    }
    // No notice lost: every task's final status reached a session (the old
    // owner's or the new one's), by notice id at least once, never two statuses.
    const notices = [...before.sent, ...after.flatMap((a) => a.sent)];
    for (const [id, status] of finals) {
      const mine = notices.filter(([taskId]) => taskId === id);
      assert.ok(mine.length >= 1, `a notice for ${id}`);
      assert.ok(mine.every(([, s]) => s === status), `${id}'s notices say ${status}: ${JSON.stringify(mine)}`);
    }
    assert.deepEqual(errors, []);
    console.log(`# failover ${failover} ms; ${finals.size} tasks, ${[...finals.values()].filter((s) => s === 'interrupted').length} interrupted`);
    await context.close();
  } finally {
    await browser.close();
    server.stop();
  }
});

test('with no owner answering, initialize and calls reject NO_OWNER; the tab owns once the lock is free', async () => {
  const server = await serve();
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext();
    // Something else holds the tabs' lock and answers nothing.
    const holder = await context.newPage();
    await holder.goto(`${server.base}tests/browser/suites.html?suite=none`);
    await holder.evaluate(() => new Promise((held) => {
      navigator.locks.request('background-manager:bm-held', () => {
        held();
        return new Promise((release) => (window.release = release));
      });
    }));
    const page = await context.newPage();
    await page.goto(`${server.base}tests/browser/tabs.html?name=bm-held&init=later&reset=1`);
    await page.waitForFunction(() => window.__ready, null, { timeout: 30_000, polling: 50 });
    const started = Date.now();
    const codes = await page.evaluate(async () => {
      const { m, session } = window.tab;
      const before = await m.createTask({ options: {} }).catch((e) => e.code);
      const init = m.initialize(session).catch((e) => e.code);
      const call = m.getAllTasks().catch((e) => e.code);
      return [before, await init, await call];
    });
    assert.deepEqual(codes, ['NOT_INITIALIZED', 'NO_OWNER', 'NO_OWNER']);
    assert.ok(Date.now() - started >= 4_900, 'after the owner timeout');
    await holder.evaluate(() => window.release());
    const owner = await page.evaluate(async () => {
      const { m, session } = window.tab;
      await m.initialize(session);
      await m.createTask({ id: 'mine', options: {} });
      return [m.getOwner(), (await m.getTask('mine')).status];
    });
    assert.equal(owner[0].self, true);
    assert.equal(owner[1], 'running');
    await context.close();
  } finally {
    await browser.close();
    server.stop();
  }
});
