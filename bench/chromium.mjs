// Runs bench/index.html in headless Chromium (playwright-core driving
// /usr/bin/chromium) and prints its figures. `--quick` for smaller sizes.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const tools = process.env.BM_TOOLS ?? join(homedir(), '.cache', 'background-manager');
const { chromium } = createRequire(join(tools, 'node_modules', 'playwright-core', 'package.json'))('playwright-core');
const root = fileURLToPath(new URL('../', import.meta.url));
const quick = process.argv.includes('--quick');

const server = spawn(join(tools, 'node_modules', '.bin', 'deno'), ['run', '--allow-net=127.0.0.1', '--allow-read', 'scripts/serve.ts', '0'], { cwd: root });
const base = await new Promise((resolve, reject) => {
  let seen = '';
  server.stdout.on('data', (d) => {
    seen += d;
    const url = seen.match(/http:\/\/localhost:\d+\//)?.[0];
    if (url) resolve(url);
  });
  server.on('exit', () => reject(new Error(seen)));
});
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run',
    '--js-flags=--expose-gc', '--enable-precise-memory-info'],
});
try {
  const page = await browser.newPage();
  await page.goto(`${base}bench/${quick ? '?quick' : ''}`);
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
  server.kill();
}
