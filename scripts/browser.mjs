// What the browser tests and the browser benchmark share: the static server
// on a free port and headless Chromium through playwright-core.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const tools = process.env.BM_TOOLS ?? join(homedir(), '.cache', 'background-manager');
export const root = fileURLToPath(new URL('../', import.meta.url));
const { chromium } = createRequire(join(tools, 'node_modules', 'playwright-core', 'package.json'))('playwright-core');

/** Starts scripts/serve.ts on a free port: { base, url (the console), stop }. */
export function serve() {
  const deno = join(tools, 'node_modules', '.bin', 'deno');
  const server = spawn(deno, ['run', '--allow-net=127.0.0.1', '--allow-read', '--allow-env=BM_TOOLS,HOME', 'scripts/serve.ts', '0'], { cwd: root });
  return new Promise((resolve, reject) => {
    let seen = '';
    server.stdout.on('data', (data) => {
      seen += data;
      const url = seen.match(/http:\/\/localhost:\d+\/www\//)?.[0];
      if (url) resolve({ url, base: url.replace(/www\/$/, ''), stop: () => server.kill() });
    });
    server.on('exit', (code) => reject(new Error(`server exited (${code}): ${seen}`)));
  });
}

export function browser(extraArgs = []) {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--no-first-run', ...extraArgs],
  });
}
