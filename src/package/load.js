// What the package's two entries (index.js, durable.js) share: an init()
// over the generated module's that works unchanged in browsers, bundlers,
// Deno and Node. The generated init() fetches the .wasm beside the module,
// which Node's fetch cannot do for a file: URL; there it is read from disk
// instead.

function isNode() {
  return typeof Deno === 'undefined' && typeof globalThis.process?.versions?.node === 'string';
}

/**
 * The entry's init(): `initWasm` is the generated module's, `wasm()` the
 * URL of its .wasm. Loads the WebAssembly module; call (and await) once
 * before the first `new BackgroundManager()`. Calling it again returns the
 * same promise. `input` is optional: where the `.wasm` is, or its bytes, or
 * a module.
 */
export function initFor(initWasm, wasm) {
  return async function init(input) {
    if (input === undefined && isNode() && wasm().protocol === 'file:') {
      // Not an import, which bundlers would try to resolve for the browser:
      // Node (20.16 and later) hands out its own modules.
      const fs = globalThis.process.getBuiltinModule('node:fs/promises');
      input = await fs.readFile(wasm());
    }
    return initWasm(input === undefined ? undefined : { module_or_path: input });
  };
}
