// @ts-self-types="./durable.d.ts"
// The package's durable entry ('background-manager/durable'): the durable
// build (stores and the notification inbox, pkg/durable/), as the default
// entry is for the default build. The generated module, with an init() that works
// unchanged in browsers, bundlers, Deno and Node. The generated init()
// fetches the .wasm beside the module, which Node's fetch cannot do for a
// file: URL; there it is read from disk instead.
import initWasm from './durable/background_manager.js';

export * from './durable/background_manager.js';

const WASM = 'durable/background_manager_bg.wasm';

function isNode() {
  return typeof Deno === 'undefined' && typeof globalThis.process?.versions?.node === 'string';
}

/**
 * Loads the WebAssembly module; call (and await) once before the first
 * `new BackgroundManager()`. Calling it again returns the same promise.
 * `input` is optional: where the `.wasm` is, or its bytes, or a module.
 */
export default async function init(input) {
  if (input === undefined && isNode() && import.meta.url.startsWith('file:')) {
    // Not an import, which bundlers would try to resolve for the browser:
    // Node (20.16 and later) hands out its own modules.
    const fs = globalThis.process.getBuiltinModule('node:fs/promises');
    input = await fs.readFile(new URL(WASM, import.meta.url));
  }
  return initWasm(input === undefined ? undefined : { module_or_path: input });
}
