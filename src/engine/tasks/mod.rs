//! See README.md beside this file.
pub(in crate::engine) mod dispose;
pub(in crate::engine) mod extras;
pub(in crate::engine) mod family;
pub(in crate::engine) mod ids;
pub(in crate::engine) mod lifecycle;
pub(in crate::engine) mod names;
pub(in crate::engine) mod seqset;
pub(in crate::engine) mod status;
pub(in crate::engine) mod table;
pub(in crate::engine) mod task;
