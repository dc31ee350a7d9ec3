// Runs bench/index.html in headless Chromium (playwright-core driving
// /usr/bin/chromium) and prints its figures. `--quick` for smaller sizes.
import { browser as launchBrowser, serve } from '../scripts/browser.mjs';

const quick = process.argv.includes('--quick');
const server = await serve();
const browser = await launchBrowser(['--js-flags=--expose-gc', '--enable-precise-memory-info']);
try {
  const page = await browser.newPage();
  await page.goto(`${server.base}bench/${quick ? '?quick' : ''}`);
  await page.waitForFunction(() => window.__bench, null, { timeout: 20 * 60_000, polling: 1000 });
  const r = await page.evaluate(() => window.__bench);
  if (r.error) throw new Error(r.error);
  const pad = (rows) => {
    const w = rows[0].map((_, i) => Math.max(...rows.map((row) => String(row[i]).length)));
    return rows.map((row) => row.map((c, i) => (i ? String(c).padStart(w[i]) : String(c).padEnd(w[i]))).join('  ')).join('\n');
  };
  const f = (x, d = 2) => (x >= 100 ? x.toFixed(0) : x.toFixed(d));
  console.log(`background-manager benchmarks · ${r.userAgent.match(/(Headless)?Chrome\/[\d.]+/)[0]}\n`);
  console.log('Speed: µs per operation, median of alternating rounds (ratio = reference / ours; > 1 means ours is faster)');
  console.log(pad([['workload', 'tasks', 'ours µs', 'plain JS µs', 'ratio'],
    ...r.rows.map((x) => [x.workload, x.n, f(x.ours), f(x.reference), `${x.ratio.toFixed(2)}×`])]));
  console.log('\n' + pad([['timing', 'ours', 'plain JS'],
    [`TTL expiry of ${r.times.n} tasks, ms after the deadline`, f(r.times.ttl[0], 3), f(r.times.ttl[1], 3)],
    ['completeTask → waiting getOutput resolved, ms', f(r.times.wake[0], 3), f(r.times.wake[1], 3)]]));
  if (r.mem) {
    console.log('\nMemory: JS heap + wasm linear memory, after gc\n' + pad([['measure', 'ours', 'plain JS'],
      [`bytes per task, ${r.times.n} tasks`, r.mem.ours.perTask.toFixed(0), r.mem.reference.perTask.toFixed(0)],
      ...r.mem.ours.samples.map((s, i) => [`MB after ${s.cycles} of ${r.cycles} cycles (tasks kept)`,
        `${(s.bytes / 2 ** 20).toFixed(1)} (${s.tasks})`,
        `${(r.mem.reference.samples[i].bytes / 2 ** 20).toFixed(1)} (${r.mem.reference.samples[i].tasks})`])]));
  }
} finally {
  await browser.close();
  server.stop();
}
