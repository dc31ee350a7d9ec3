// Fault injection in Deno: the scenarios of tests/browser/faults.js, each its
// own test, with Deno's sanitizers on.
import { BackgroundManager } from "./helpers.ts";
// @ts-types="../browser/faults.d.ts"
import { scenarios } from "../browser/faults.js";

for (const [name, scenario] of Object.entries(scenarios)) {
  Deno.test(`fault: ${name}`, async () => {
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
