// The shared scenarios on the ES module (pkg/), in real time.
import { test } from 'node:test';
import init, { BackgroundManager } from '../../pkg/background_manager.js';
import { loadScenarios, runScenario } from './run.mjs';

await init();

const host = {
  open: (options, runner) => new BackgroundManager({ ...options, runner }),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  settle: () => new Promise((resolve) => setTimeout(resolve, 0)),
};

for (const scenario of await loadScenarios()) {
  test(`ES module: ${scenario.name}`, () => runScenario(host, scenario));
}
