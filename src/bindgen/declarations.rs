//! The TypeScript declarations of the generated module: the seed's types,
//! the class (`manager.js`, re-exported from the generated module) and what
//! it adds. They are written once, in `src/facade/background_manager.d.ts`,
//! a file editors and `tsc` read as TypeScript; wasm-bindgen appends it to
//! the `.d.ts` it generates.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = include_str!("../facade/background_manager.d.ts");
