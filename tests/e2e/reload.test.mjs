// The IndexedDB store in headless Chromium: a page makes tasks, is reloaded
// mid-run, and the next life of the page finds every task with the right
// status, the output up to the last write, the dead run interrupted, the
// resumable one running again, and the notices it could not deliver
// delivered now (tests/browser/durable.html).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { browser as launchBrowser, serve } from '../../scripts/browser.mjs';

test('tasks and notices survive a page reload with the IndexedDB store', async () => {
  const server = await serve();
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const life = async (n) => {
      await page.goto(`${server.base}tests/browser/durable.html?life=${n}`);
      await page.waitForFunction(() => window.__result, null, { timeout: 60_000, polling: 100 });
      return page.evaluate(() => window.__result);
    };
    const first = await life(1);
    assert.deepEqual(first.pending.map(([id]) => id), ['done']);
    // The reload: the page goes mid-run, its runners with it.
    const second = await life(2);
    assert.deepEqual(second.done, { status: 'completed', result: { answer: 42 }, output: undefined, attempt: undefined });
    assert.equal(second.outside.status, 'running');
    assert.equal(second.outside.output.split('\n').length, 51, 'the output up to the last write');
    assert.equal(second.ran.status, 'interrupted');
    assert.equal(second.ran.output, 'ran attempt 1\n');
    assert.equal(second.again.status, 'running');
    assert.equal(second.again.attempt, 2);
    assert.equal(second.again.output, 'again attempt 1\nagain attempt 2\n');
    assert.equal(second.againResult, 'resumed');
    const sent = new Map(second.sent.map(([id, status, nid]) => [id, [status, nid]]));
    assert.equal(sent.get('done')?.[0], 'completed', 'the notice the first life could not deliver');
    assert.equal(sent.get('ran')?.[0], 'interrupted');
    assert.equal(sent.get('again')?.[0], 'completed');
    assert.equal(second.pending, 0);
    // The log came back as it was, and the reader that resumed from its
    // last seq saw every later entry once: no duplicate. The page went
    // without a cleanup(), so the seqs its store held in reserve are skipped
    // (it may have shown entries it never stored): one gap says so, then
    // the entries of the second life.
    const { before, after, lastSeen, resumed } = second.log;
    assert.equal(lastSeen, 30);
    assert.deepEqual(after.slice(0, before.length), before);
    const last = before.at(-1).seq;
    const kept = before.slice(30).map((e) => [e.seq, e.type]);
    assert.deepEqual(resumed.slice(0, kept.length), kept);
    const [gap, ...later] = resumed.slice(kept.length);
    assert.equal(gap[1], 'gap');
    assert.ok(gap[0] > last, `the gap ${gap[0]} after ${last}`);
    assert.deepEqual(later, [[gap[0] + 1, 'output'], [gap[0] + 2, 'status']]);
    assert.deepEqual(after.slice(-3).map((e) => e.type), ['gap', 'output', 'status']);
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    await browser.close();
    server.stop();
  }
});
