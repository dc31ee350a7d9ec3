// Every suite written once for Deno and headless Chromium, by name.
import { scenarios as binding } from './binding.js';
import { scenarios as faults } from './faults.js';
import { scenarios as fuzz } from './fuzz.js';
import { scenarios as hostile } from './hostile.js';
import { scenarios as polling } from './polling.js';
import { scenarios as runs } from './runs.js';

export const suites = { binding, faults, hostile, fuzz, runs, polling };
export { runAll } from './support.js';
