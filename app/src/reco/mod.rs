//! Recommendations, the part shared by server and browser: the factor file's format, the
//! small linear algebra of fold-in, and ranking. Free of features and I/O, it compiles
//! natively and to wasm, so the ranking a learner's browser computes from their on-device
//! history is the one the server's tests and evaluation compute. Training lives in the
//! server (`server/src/recsys`).

pub mod factors;
pub mod linalg;
pub mod score;
