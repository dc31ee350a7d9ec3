// The shared scenarios on the component, transpiled by jco into
// target/component-js (scripts/component.sh), on a virtual wall clock.
// node:test, so the same file runs under `node --test` and `deno test`.
import { test } from 'node:test';
import { loadScenarios, runScenario } from '../scenarios/run.mjs';
import { openManager } from './host.mjs';
import { VirtualClock } from './clock.mjs';
import { useClock } from './shim.mjs';

import { manager } from '../../target/component-js/background_manager.js';

const runtime = typeof Deno !== 'undefined' ? 'Deno' : 'Node';

for (const scenario of await loadScenarios()) {
  test(`component under jco in ${runtime}: ${scenario.name}`, async () => {
    const clock = new VirtualClock();
    useClock(clock);
    const host = {
      open: (options, runner) => openManager(manager, options, { runner, clock }),
      sleep: (ms) => clock.sleep(ms),
      settle: () => clock.settle(),
    };
    await runScenario(host, scenario);
  });
}
