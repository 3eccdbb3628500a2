//! A synthetic catalogue with known structure, for tests and benchmarks that must run the
//! same inputs natively and in the browser: deterministic pseudo-random item vectors (no
//! `rand`, no clock), grouped by creator, and a learner history.

use super::factors::FactorFile;

/// A small deterministic generator (xorshift64*), identical on every target.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in [-1, 1).
    fn signed(&mut self) -> f32 {
        (self.next() >> 40) as f32 / (1u64 << 23) as f32 - 1.0
    }
}

/// `n` items of `k` factors by `groups` creators: item `i` belongs to group `i % groups`
/// and leans towards factor `i % k`, so items with the same leaning are alike.
pub fn catalogue(n: usize, k: usize, groups: u16, seed: u64) -> FactorFile {
    let mut g = Gen(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut v = Vec::with_capacity(n * k);
    for i in 0..n {
        for d in 0..k {
            let lean = if d == i % k { 1.5 } else { 0.0 };
            v.push(lean + 0.3 * g.signed());
        }
    }
    let ids = (0..n).map(|i| format!("item{i:06}")).collect();
    let group_of = (0..n)
        .map(|i| (i % usize::from(groups.max(1))) as u16)
        .collect();
    match FactorFile::quantise(1, k, 2.0, 1.5, ids, group_of, &v) {
        Ok(f) => f,
        Err(_) => unreachable!("counts agree by construction"),
    }
}

/// A history of `len` items, all leaning towards factor `lean`, newest strongest.
pub fn history(file: &FactorFile, lean: usize, len: usize) -> Vec<(usize, f32)> {
    (0..file.len())
        .filter(|i| i % file.k == lean % file.k)
        .take(len)
        .enumerate()
        .map(|(n, i)| (i, 1.0 + n as f32))
        .collect()
}

/// The parity case: 2,000 items × 16 factors by 7 creators, a learner who read five items
/// leaning towards factor 3. The rows below are what ranking must give on every target.
pub fn parity_case() -> (FactorFile, Vec<(usize, f32)>) {
    let file = catalogue(2000, 16, 7, 42);
    let history = history(&file, 3, 5);
    (file, history)
}

/// Ranks the parity case as the browser does — through the file's bytes, fold-in, top 10
/// with the default diversity, and the 5 items most like row 3 — and returns both lists of
/// rows. Native tests and the wasm test in Chromium both compare it with [`PARITY_TOP`] and
/// [`PARITY_SIMILAR`].
pub fn parity_rankings() -> Result<(Vec<usize>, Vec<usize>), String> {
    use super::score::{fold_in, rank, similar_to, RankOptions};
    let (file, history) = parity_case();
    let file = FactorFile::decode(&file.encode()).map_err(|e| e.to_string())?;
    let mut user = vec![0f32; file.k];
    fold_in(&file, &history, &mut user).map_err(|e| e.to_string())?;
    let owned: Vec<usize> = history.iter().map(|(i, _)| *i).collect();
    let mut scratch = Vec::new();
    let rows = |ranked: Vec<(usize, f32)>| ranked.into_iter().map(|(i, _)| i).collect();
    let top = rows(rank(
        &file,
        &user,
        &owned,
        RankOptions::default(),
        &mut scratch,
    ));
    let similar = rows(similar_to(
        &file,
        3,
        &[],
        RankOptions {
            top: 5,
            per_group: 3,
        },
        &mut scratch,
    ));
    Ok((top, similar))
}

/// For the parity case: the top 10 (three per creator at most), and the 5 most like row 3.
pub const PARITY_TOP: [usize; 10] = [1459, 1491, 1699, 1827, 435, 467, 675, 1811, 1011, 99];
/// See [`PARITY_TOP`].
pub const PARITY_SIMILAR: [usize; 5] = [883, 1235, 1555, 739, 1987];
