// Runs bench/index.html in headless Chromium (playwright-core driving
// /usr/bin/chromium) and prints its figures. `--quick` for smaller sizes.
import { browser as launchBrowser, serve } from '../scripts/browser.mjs';
import { report } from './report.js';

const quick = process.argv.includes('--quick');
const server = await serve();
const browser = await launchBrowser(['--js-flags=--expose-gc', '--enable-precise-memory-info']);
try {
  const page = await browser.newPage();
  // A module that fails to load never sets __bench: fail at once, saying why.
  const failed = new Promise((_, reject) => page.on('pageerror', (e) => reject(new Error(`bench page: ${e.message}`))));
  await page.goto(`${server.base}bench/${quick ? '?quick' : ''}`);
  await Promise.race([failed, page.waitForFunction(() => window.__bench, null, { timeout: 30 * 60_000, polling: 1000 })]);
  const r = await page.evaluate(() => window.__bench);
  if (r.error) throw new Error(r.error);
  console.log(report(r.result, `background-manager benchmarks · ${r.userAgent.match(/(Headless)?Chrome\/[\d.]+/)[0]}`));
  // The durable build with IndexedDB (bench/durable.html).
  const durable = await browser.newPage();
  await durable.goto(`${server.base}bench/durable.html${quick ? '?quick' : ''}`);
  await durable.waitForFunction(() => window.__durable, null, { timeout: 30 * 60_000, polling: 1000 });
  const d = await durable.evaluate(() => window.__durable);
  if (d.error) throw new Error(d.error);
  console.log(`\n${d.text.replace('durable:', 'durable (Chromium):')}`);
} finally {
  await browser.close();
  server.stop();
}
