// @ts-self-types="./index.d.ts"
// The package's entry: the generated module, with an init() that works
// unchanged in browsers, bundlers, Deno and Node (load.js).
import initWasm from './background_manager.js';
import { initFor } from './load.js';

export * from './background_manager.js';

export default initFor(initWasm, () => new URL('background_manager_bg.wasm', import.meta.url));
