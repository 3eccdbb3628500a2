//! Training the recommender on the server (never on the request path, never in the wasm
//! bundle): interactions as a sparse matrix, implicit ALS, biased matrix factorisation by
//! SGD, item–item similarity and popularity, and their offline evaluation. Every model is
//! built the same way — hyper-parameters, checked, then `fit` returns a fitted model.

pub mod als;
pub mod data;
pub mod eval;
pub mod metrics;
pub mod neighbours;
pub mod serve;
pub mod sgd;
pub mod train;
pub mod trainer;

/// Hyper-parameters that make no sense, with the reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("invalid hyper-parameters: {0}")]
pub struct ParamError(pub &'static str);

/// A small deterministic random source (xorshift64*), so that training is repeatable.
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in [0, 1).
    pub(crate) fn uniform(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32
    }

    /// Roughly standard normal (the sum of twelve uniforms, less six).
    pub(crate) fn normal(&mut self) -> f32 {
        (0..12).map(|_| self.uniform()).sum::<f32>() - 6.0
    }

    /// Shuffles `v` in place (Fisher–Yates).
    pub(crate) fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = (self.next_u64() % (i as u64 + 1)) as usize;
            v.swap(i, j);
        }
    }
}
