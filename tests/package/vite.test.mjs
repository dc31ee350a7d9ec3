// The vite app of tests/package/vite, built by run.sh from the installed
// tarball: its dist/ is served on localhost and loaded in headless Chromium,
// where it must run a task to its end with nothing logged as an error.
// Usage: node --test tests/package/vite.test.mjs (DIST names the build).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { test } from 'node:test';
import { browser as launchBrowser } from '../../scripts/browser.mjs';

const dist = process.env.DIST;
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css' };

test('the vite build of an app that installed the tarball runs a task in Chromium', async () => {
  assert.ok(dist, 'DIST names the vite build');
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    try {
      const body = await readFile(join(dist, path.endsWith('/') ? `${path}index.html` : path));
      res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? (path.endsWith('/') ? 'text/html' : 'application/octet-stream') });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    await page.waitForFunction(() => document.getElementById('result').textContent !== 'running…', null, { timeout: 30_000 });
    assert.equal(await page.textContent('#result'), 'completed | echo hello vite | HELLO VITE');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    server.close();
  }
});
