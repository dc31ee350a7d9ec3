// The benchmarks in a browser page; bench/chromium.mjs opens it headless and
// reads `window.__bench`. `?quick` runs the smaller sizes only.
import init, { BackgroundManager } from '../pkg/background_manager.js';
import { ReferenceManager } from './reference.js';
import { memory, speed, ttlExpiry, wakeLatency } from './workloads.js';

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
  const n = quick ? 20_000 : 100_000;
  const cycles = quick ? 100_000 : 1_000_000;
  // Memory first: wasm memory never shrinks, so it is measured before the
  // speed runs grow it.
  const mem = globalThis.gc
    ? {
      ours: await memory({ Manager: BackgroundManager, n, cycles, measure }),
      reference: await memory({ Manager: ReferenceManager, n, cycles, measure }),
    }
    : null;
  const rows = await speed({
    Ours: BackgroundManager,
    Reference: ReferenceManager,
    sizes: quick ? [1_000, 10_000] : [1_000, 10_000, 100_000],
    rounds: quick ? 3 : 5,
    log: (row) => (out.textContent += `\n${row.workload} ${row.n}: ${row.ratio.toFixed(2)}×`),
  });
  const times = {
    n,
    ttl: [await ttlExpiry(BackgroundManager, n), await ttlExpiry(ReferenceManager, n)],
    wake: [await wakeLatency(BackgroundManager), await wakeLatency(ReferenceManager)],
  };
  window.__bench = { userAgent: navigator.userAgent, rows, times, mem, cycles };
  out.textContent += '\ndone';
} catch (error) {
  window.__bench = { error: String(error?.stack ?? error) };
}
