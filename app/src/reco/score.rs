//! Ranking on the learner's own device: fold the learner's history into a user vector
//! with the ALS closed form, score every item, leave out what they own, keep a few per
//! creator, return the top K. The same code runs on the server (tests, evaluation) and in
//! the browser, so both rank identically.

use super::factors::FactorFile;
use super::linalg::{cholesky_solve, SolveError};

/// The user vector for a history of `(row, strength)` pairs, as implicit ALS would have
/// trained it against these item vectors (Hu, Koren and Volinsky 2008):
///
/// x = (YᵀY + λI + Σᵢ (cᵢ − 1) yᵢ yᵢᵀ)⁻¹ Σᵢ cᵢ yᵢ, with confidence cᵢ = 1 + α·rᵢ,
///
/// where YᵀY is the file's Gram matrix, so the cost is O(|history|·k² + k³), independent
/// of the catalogue's size. Rows outside the file are ignored; strengths are summed when a
/// row repeats. An empty history gives the zero vector.
pub fn fold_in(
    file: &FactorFile,
    history: &[(usize, f32)],
    out: &mut [f32],
) -> Result<(), SolveError> {
    let k = file.k;
    if out.len() != k {
        return Err(SolveError::Size(k));
    }
    out.iter_mut().for_each(|x| *x = 0.0);
    let mut a = file.gram.clone();
    for d in 0..k {
        a[d * k + d] += file.lambda.max(1e-6);
    }
    let mut y = vec![0f32; k];
    let mut rows: Vec<(usize, f32)> = history
        .iter()
        .filter(|(i, r)| *i < file.len() && r.is_finite() && *r > 0.0)
        .copied()
        .collect();
    rows.sort_unstable_by_key(|(i, _)| *i);
    rows.dedup_by(|b, a| {
        if a.0 == b.0 {
            a.1 += b.1;
            true
        } else {
            false
        }
    });
    for &(i, r) in &rows {
        let c = 1.0 + file.alpha * r;
        file.vector_into(i, &mut y);
        for p in 0..k {
            out[p] += c * y[p];
            let w = (c - 1.0) * y[p];
            for q in 0..=p {
                a[p * k + q] += w * y[q];
            }
        }
    }
    if rows.is_empty() {
        return Ok(());
    }
    cholesky_solve(&mut a, out, k)
}

/// What to leave out and how much variety to keep when ranking.
#[derive(Debug, Clone, Copy)]
pub struct RankOptions {
    /// How many items to return.
    pub top: usize,
    /// At most this many from one group (creator) before others get their turn.
    pub per_group: usize,
}

impl Default for RankOptions {
    fn default() -> Self {
        RankOptions {
            top: 10,
            per_group: 3,
        }
    }
}

/// The rows of the best items for user vector `user`, best first, leaving out `exclude`
/// (rows the learner owns or has read). At most `per_group` items share a group while
/// enough others remain; the list is filled from the best of the rest otherwise.
/// `scratch` is reused between calls, and ranking allocates nothing per item.
pub fn rank(
    file: &FactorFile,
    user: &[f32],
    exclude: &[usize],
    options: RankOptions,
    scratch: &mut Vec<(f32, u32)>,
) -> Vec<(usize, f32)> {
    scratch.clear();
    // The query in 16-bit integers (error below 1/65,000 of its largest element), so that
    // every item costs k integer multiply-adds, exact and in any order — the compiler
    // vectorises them, and every target computes the same scores.
    let top_abs = user.iter().fold(0f32, |m, v| m.max(v.abs()));
    let step = if top_abs > 0.0 && top_abs.is_finite() {
        top_abs / 32_767.0
    } else {
        1.0
    };
    let query: Vec<i16> = user
        .iter()
        .map(|v| (v / step).round().clamp(-32_767.0, 32_767.0) as i16)
        .collect();
    let top = options.top.min(file.len());
    if top == 0 {
        return Vec::new();
    }
    // Only the best few times `top` candidates are kept while scoring (diversity is chosen
    // among them): an item enters when it beats the weakest kept one, which after the
    // first few hundred items is rare, so the catalogue is scanned once with no writes.
    let pool = (top * 4).max(top + 8).min(file.len());
    let by_score = |a: &(f32, u32), b: &(f32, u32)| {
        b.0.partial_cmp(&a.0)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.1.cmp(&b.1))
    };
    let mut leave_out: Vec<usize> = exclude.to_vec();
    leave_out.sort_unstable();
    let mut next_out = leave_out.iter().peekable();
    let (mut weakest, mut weakest_at) = (f32::NEG_INFINITY, 0usize);
    for (i, (codes, scale)) in file
        .codes
        .chunks_exact(file.k)
        .zip(&file.scales)
        .enumerate()
    {
        while next_out.next_if(|&&e| e < i).is_some() {}
        if next_out.next_if(|&&e| e == i).is_some() {
            continue;
        }
        let sum: i32 = codes
            .iter()
            .zip(&query)
            .map(|(c, q)| i32::from(*c) * i32::from(*q))
            .sum();
        let score = sum as f32 * scale * step;
        if scratch.len() < pool {
            scratch.push((score, i as u32));
            if scratch.len() == pool {
                (weakest_at, weakest) = weakest_of(scratch);
            }
        } else if score > weakest {
            // Later rows lose ties, so only a strictly higher score gets in.
            scratch[weakest_at] = (score, i as u32);
            (weakest_at, weakest) = weakest_of(scratch);
        }
    }
    scratch.sort_unstable_by(by_score);
    let candidates: Vec<(f32, u32)> = scratch
        .iter()
        .copied()
        .filter(|(s, _)| s.is_finite())
        .collect();
    let mut chosen: Vec<(usize, f32)> = Vec::with_capacity(top);
    let mut taken = vec![false; candidates.len()];
    let per_group = options.per_group.max(1);
    for (n, &(s, i)) in candidates.iter().enumerate() {
        if chosen.len() == top {
            break;
        }
        let g = file.groups[i as usize];
        let same = chosen.iter().filter(|(c, _)| file.groups[*c] == g).count();
        if same < per_group {
            chosen.push((i as usize, s));
            taken[n] = true;
        }
    }
    for (n, &(s, i)) in candidates.iter().enumerate() {
        if chosen.len() == top {
            break;
        }
        if !taken[n] {
            chosen.push((i as usize, s));
        }
    }
    chosen
}

/// The position and score of the weakest of `kept` (ties: the later row is weaker).
fn weakest_of(kept: &[(f32, u32)]) -> (usize, f32) {
    let mut at = 0;
    for (n, k) in kept.iter().enumerate() {
        let w = kept[at];
        if k.0 < w.0 || (k.0 == w.0 && k.1 > w.1) || (k.0.is_nan() && !w.0.is_nan()) {
            at = n;
        }
    }
    (at, kept.get(at).map_or(f32::NEG_INFINITY, |k| k.0))
}

/// The rows most like row `of` ("because you read …"): cosine similarity of the item
/// vectors, best first, leaving out `of` itself and `exclude`, with the same diversity as
/// [`rank`]. An item with a zero vector is like nothing.
pub fn similar_to(
    file: &FactorFile,
    of: usize,
    exclude: &[usize],
    options: RankOptions,
    scratch: &mut Vec<(f32, u32)>,
) -> Vec<(usize, f32)> {
    if of >= file.len() {
        return Vec::new();
    }
    let mut y = vec![0f32; file.k];
    file.vector_into(of, &mut y);
    let norm = y.iter().map(|v| v * v).sum::<f32>().sqrt();
    if norm == 0.0 {
        return Vec::new();
    }
    // Unit-length query; each item's score is divided by its own length below.
    y.iter_mut().for_each(|v| *v /= norm);
    let mut leave_out: Vec<usize> = exclude.to_vec();
    leave_out.push(of);
    let mut ranked = rank(file, &y, &leave_out, options_for_cosine(options), scratch);
    for (i, s) in ranked.iter_mut() {
        let len = file.norm(*i);
        *s = if len > 0.0 { *s / len } else { 0.0 };
    }
    ranked.sort_by(|a, b| b.1.partial_cmp(&a.1).unwrap_or(std::cmp::Ordering::Equal));
    ranked.truncate(options.top);
    ranked
}

/// Ranking by raw dot products favours long vectors; cosine re-sorts a larger pool.
fn options_for_cosine(options: RankOptions) -> RankOptions {
    RankOptions {
        top: options.top * 3,
        per_group: options.per_group,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Five items in two factors: 0–2 lean to the first factor, 3–4 to the second.
    fn file() -> FactorFile {
        let v = [1.0, 0.1, 0.9, 0.0, 0.8, 0.2, 0.1, 1.0, 0.0, 0.9];
        FactorFile::quantise(
            1,
            2,
            0.1,
            10.0,
            (0..5).map(|i| format!("i{i}")).collect(),
            vec![0, 0, 1, 2, 2],
            &v,
        )
        .unwrap()
    }

    #[test]
    fn history_pulls_the_ranking_towards_what_was_read() {
        let f = file();
        let mut u = vec![0f32; 2];
        fold_in(&f, &[(3, 1.0)], &mut u).unwrap();
        let mut scratch = Vec::new();
        let ranked = rank(
            &f,
            &u,
            &[3],
            RankOptions {
                top: 2,
                per_group: 3,
            },
            &mut scratch,
        );
        assert_eq!(
            ranked[0].0, 4,
            "the other item of the same taste first: {ranked:?}"
        );
        assert!(
            ranked.iter().all(|(i, _)| *i != 3),
            "owned items are left out"
        );
    }

    #[test]
    fn similar_items_share_a_direction() {
        let f = file();
        let mut scratch = Vec::new();
        let near = similar_to(
            &f,
            0,
            &[],
            RankOptions {
                top: 2,
                per_group: 3,
            },
            &mut scratch,
        );
        let rows: Vec<usize> = near.iter().map(|(i, _)| *i).collect();
        assert_eq!(rows, vec![1, 2], "{near:?}");
        assert!(
            near[0].1 > 0.9 && near[0].1 <= 1.0 + 1e-4,
            "cosine: {near:?}"
        );
        assert!(similar_to(&f, 99, &[], RankOptions::default(), &mut scratch).is_empty());
    }

    #[test]
    fn an_empty_history_is_the_zero_vector() {
        let mut u = vec![9f32; 2];
        fold_in(&file(), &[], &mut u).unwrap();
        assert_eq!(u, vec![0.0, 0.0]);
        assert!(fold_in(&file(), &[], &mut [0.0; 3]).is_err());
    }

    #[test]
    fn a_group_gets_a_few_places_while_others_remain() {
        let f = file();
        let mut scratch = Vec::new();
        let u = [1.0, 0.0];
        let ranked = rank(
            &f,
            &u,
            &[],
            RankOptions {
                top: 3,
                per_group: 1,
            },
            &mut scratch,
        );
        let groups: Vec<u16> = ranked.iter().map(|(i, _)| f.groups[*i]).collect();
        assert_eq!(groups, vec![0, 1, 2], "{ranked:?}");
        // With room for all, the best come back in order.
        let ranked = rank(
            &f,
            &u,
            &[],
            RankOptions {
                top: 5,
                per_group: 1,
            },
            &mut scratch,
        );
        assert_eq!(ranked.len(), 5);
    }
}

#[cfg(test)]
mod parity {
    use crate::reco::synthetic::{parity_rankings, PARITY_SIMILAR, PARITY_TOP};

    /// The same case runs in Chromium (frontend/tests/reco_wasm.rs); both must give these.
    #[test]
    fn the_parity_case_ranks_as_recorded() {
        let (top, similar) = parity_rankings().unwrap();
        assert_eq!(top, PARITY_TOP);
        assert_eq!(similar, PARITY_SIMILAR);
    }
}
