// The benchmarks in a browser page; bench/chromium.mjs opens it headless and
// reads `window.__bench`. `?quick` runs the smaller sizes only. p-queue comes
// from the import map in index.html.
import init, { BackgroundManager } from '../pkg/background_manager.js';
import PQueue from 'p-queue';
import { ReferenceManager } from './reference.js';
import { all } from './workloads.js';

const quick = new URLSearchParams(location.search).has('quick');
const out = document.getElementById('out');
const exports = await init();

async function measure() {
  for (let i = 0; i < 3; i++) {
    globalThis.gc?.();
    await new Promise((r) => setTimeout(r, 10));
  }
  return { heap: performance.memory?.usedJSHeapSize ?? 0, wasm: exports.memory.buffer.byteLength };
}

try {
  if (!globalThis.gc) throw new Error('run with --js-flags=--expose-gc');
  const result = await all({
    Ours: BackgroundManager, Reference: ReferenceManager, PQueue, measure, quick,
    log: (what) => (out.textContent += `\n${what}`),
  });
  window.__bench = { userAgent: navigator.userAgent, result };
  out.textContent += '\ndone';
} catch (error) {
  window.__bench = { error: String(error?.stack ?? error) };
}
