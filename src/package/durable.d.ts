export * from './durable/background_manager.js';
import type { InitInput, InitOutput } from './durable/background_manager.js';

/**
 * Loads the WebAssembly module; call (and await) once before the first
 * `new BackgroundManager()`. Calling it again returns the same promise.
 * `input` is optional: where the `.wasm` is, or its bytes, or a module
 * (by default the `.wasm` beside this module, read from disk in Node).
 */
export default function init(input?: InitInput | Promise<InitInput>): Promise<InitOutput>;
