// The durable build (pkg/durable/, 'background-manager/durable') for the
// durable suite, with the Deno suite's helpers.
import init, { BackgroundManager } from "../../pkg/durable/background_manager.js";
export { assert, eventually, makeSession, rejects, sleep } from "../deno/helpers.ts";

await init();

export { BackgroundManager };
