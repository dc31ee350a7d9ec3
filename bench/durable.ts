// The durable build's costs in Deno (bench/durable.js): memory against a
// local Deno KV.
//   deno run --unstable-kv -A bench/durable.ts [--quick]
import initPlain, { BackgroundManager as Plain } from "../pkg/background_manager.js";
import initDurable, { BackgroundManager as Durable } from "../pkg/durable/background_manager.js";
import { runDurable } from "./durable.js";

await initPlain();
await initDurable();
const quick = Deno.args.includes("--quick");

async function kvSetup() {
  const dir = await Deno.makeTempDir({ prefix: "bm-bench-" });
  const kv = await Deno.openKv(`${dir}/kv.sqlite3`);
  return { make: () => new Durable({ store: { kv } }), done: () => kv.close() };
}

console.log(await runDurable({
  setups: {
    "default build, in memory": async () => ({ make: () => new Plain(), done: () => {} }),
    "durable build, no store": async () => ({ make: () => new Durable(), done: () => {} }),
    "durable build, Deno KV (local file)": kvSetup,
  },
  n: quick ? 200 : 1000,
  rounds: quick ? 3 : 5,
  load: quick ? 2000 : 10000,
  loadStore: kvSetup,
}));
