// The suites of tests/browser/ (binding, faults, hostile environment, the
// fuzzer), each scenario its own test, with Deno's sanitizers on. Run with
// --v8-flags=--expose-gc: the leak scenarios need gc().
import { BackgroundManager } from "./helpers.ts";
// @ts-types="../browser/suites.d.ts"
import { suites } from "../browser/suites.js";

for (const [suite, scenarios] of Object.entries(suites)) {
  for (const [name, scenario] of Object.entries(scenarios)) {
    Deno.test(`${suite}: ${name}`, async () => {
      const { warn, error } = console;
      console.warn = () => {};
      console.error = () => {};
      try {
        await scenario(BackgroundManager);
      } finally {
        Object.assign(console, { warn, error });
      }
    });
  }
}
