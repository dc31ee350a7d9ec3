// @ts-self-types="./durable.d.ts"
// The package's durable entry ('background-manager/durable'): the durable
// build (stores and the notification inbox, in durable/), with the same
// init() as the default entry (load.js).
import initWasm from './durable/background_manager.js';
import { initFor } from './load.js';

export * from './durable/background_manager.js';

export default initFor(initWasm, () => new URL('durable/background_manager_bg.wasm', import.meta.url));
