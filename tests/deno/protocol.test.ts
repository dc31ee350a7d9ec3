// The protocol between Rust and the facade, from both sides: everything the
// JS files under src/facade/ read of it (`P.x`, and the names of `ROW`,
// `ERROR`, `LOG`, ...) is something src/bindgen/protocol.rs sends at start,
// and none of them reads a row, picks an error class or compares a kind by
// a bare number instead.
import { assert } from "./helpers.ts";

const root = new URL("../../", import.meta.url);
const facade = new URL("src/facade/", root);

// The facade's calls.js as the generated module imported it (the same URL,
// so the same instance): its `P` and named numbers hold what Rust sent.
async function sentProtocol() {
  const snippets = new URL("pkg/snippets/", root);
  for await (const dir of Deno.readDir(snippets)) {
    const calls = new URL(`${dir.name}/src/facade/calls.js`, snippets);
    try {
      await Deno.stat(calls);
    } catch {
      continue;
    }
    return await import(calls.href);
  }
  throw new Error("no calls.js among pkg/snippets/");
}

// Every .js file of the facade, its comments taken out.
async function sources(): Promise<[string, string][]> {
  const out: [string, string][] = [];
  for await (const entry of Deno.readDir(facade)) {
    if (!entry.name.endsWith(".js")) continue;
    const text = await Deno.readTextFile(new URL(entry.name, facade));
    const code = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:'"`])\/\/.*$/gm, "$1");
    out.push([entry.name, code]);
  }
  assert.ok(out.length >= 8, `only ${out.length} facade files found`);
  return out;
}

// The objects of names to numbers that calls.js fills from Rust's lists.
const NAMED = ["ROW", "LIST_ROW", "ERROR", "LOG", "CONFLICT", "ID", "REPLY", "KIND", "SETTLED"];

Deno.test("every name the facade reads of the protocol is one Rust sends", async () => {
  const sent = await sentProtocol();
  const P = sent.P as Record<string, unknown>;
  for (const name of NAMED) {
    const list = P[name] as string[];
    assert.ok(Array.isArray(list) && list.length > 0, `Rust sent no ${name}`);
    assert.deepEqual(Object.keys(sent[name]), list, `${name} is not ${name} as Rust sent it`);
    list.forEach((key, i) => assert.equal(sent[name][key], i));
  }
  for (const [file, code] of await sources()) {
    for (const [, name] of code.matchAll(/\bP\.(\w+)/g)) {
      assert.ok(name in P, `${file} reads P.${name}, which Rust does not send`);
    }
    for (const [, object, name] of code.matchAll(new RegExp(`(?<![\\w.])(${NAMED.join("|")})\\.(\\w+)`, "g"))) {
      if (name === "length") continue;
      assert.equal(typeof sent[object][name], "number", `${file} reads ${object}.${name}, which Rust does not send`);
    }
  }
  // The facade reads a list row as the seq, then a row.
  assert.deepEqual((P.LIST_ROW as string[]).slice(1), P.ROW);
  // Each error class names the constructor makeError uses for it.
  for (const name of P.ERROR as string[]) {
    const error = sent.makeError(sent.ERROR[name], "m", "CODE");
    assert.equal(error.constructor.name, name);
    assert.equal(error.code, "CODE");
  }
});

Deno.test("the facade uses no bare number where the protocol has a name", async () => {
  const bare: [RegExp, string][] = [
    [/\bmakeError\(\s*-?\d/, "an error class as a number (use ERROR.*)"],
    [/\b(n|rows|row)\[\s*(r\s*\+\s*)?\d+\s*\]/, "a row read by position (use ROW.* or LIST_ROW.*)"],
    [/\b(kind|how|problem|status)\s*(===|!==|==|!=|<=|>=|<|>)\s*-?\d/, "a kind compared with a bare number"],
    [/\bkind\s*[-+]\s*\d/, "a log kind computed from a bare number (use LOG.status)"],
    [/\.note\(/, "the core's multiplexed `note` (each operation has its own export)"],
    [/\b(snapshot|outputResult)\([^)]*\[\d\]/, "a row read by position (use ROW.*)"],
  ];
  for (const [file, code] of await sources()) {
    code.split("\n").forEach((line, i) => {
      for (const [pattern, what] of bare) {
        assert.ok(!pattern.test(line), `${file}:${i + 1}: ${what}: ${line.trim()}`);
      }
    });
  }
});
