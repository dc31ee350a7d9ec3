// The durable build (pkg/durable/, 'background-manager/durable') for the
// durable suite, with the Deno suite's helpers.
import init, { BackgroundManager } from "../../pkg/durable/background_manager.js";
export { assert, eventually, makeSession, rejects, sleep } from "../deno/helpers.ts";

await init();

export { BackgroundManager };

/** The lines of a JSON-lines log so far; a kill may cut the last one short. */
export function jsonLines<T>(log: string): T[] {
  let text = "";
  try {
    text = Deno.readTextFileSync(log);
  } catch {
    return [];
  }
  return text.split("\n").filter((l) => l.endsWith("}")).map((l) => JSON.parse(l));
}

/**
 * A denokv server on 127.0.0.1 with an access token of its own, its data in
 * `dir`: `start()` (again after `stop()`, on the same port) and `stop()`
 * (SIGKILL). `env` is what a process needs to open `url`; this process gets
 * it too.
 */
export function denokvServer(denokv: string, dir: string) {
  const token = crypto.randomUUID();
  const port = 20000 + Math.floor(Math.random() * 20000);
  let server: Deno.ChildProcess | null = null;
  Deno.env.set("DENO_KV_ACCESS_TOKEN", token);
  return {
    url: `http://127.0.0.1:${port}`,
    env: { DENO_KV_ACCESS_TOKEN: token },
    async start() {
      server = new Deno.Command(denokv, {
        args: ["--sqlite-path", `${dir}/denokv.sqlite3`, "serve", "--addr", `127.0.0.1:${port}`, "--access-token", token],
        stdout: "null",
        stderr: "null",
      }).spawn();
      for (let i = 0; i < 200; i++) {
        try {
          (await Deno.connect({ hostname: "127.0.0.1", port })).close();
          return;
        } catch {
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      throw new Error("denokv did not start");
    },
    async stop() {
      server?.kill("SIGKILL");
      await server?.status;
    },
  };
}
