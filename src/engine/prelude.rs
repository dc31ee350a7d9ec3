//! The names std's prelude gives, taken from `alloc`: the engine builds
//! without std (the component, on wasm32-wasip2) as well as with it.
pub use alloc::boxed::Box;
pub use alloc::format;
pub use alloc::string::{String, ToString};
pub use alloc::vec::Vec;
