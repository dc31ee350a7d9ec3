//! The code wit-bindgen generates from `wit/`, in one place.
#![allow(clippy::all, missing_docs)]

wit_bindgen::generate!({
    path: "wit",
    world: "background-manager",
    // The two WASI interfaces are generated here too: wit/deps holds them.
    generate_all,
});

pub use exports::agents::background_manager::manager as api;
