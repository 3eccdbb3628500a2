//! Offline evaluation, by the protocol the models are compared with: every training
//! interaction counts as positive; for each learner with test items, every item they did
//! not touch in training is ranked; the relevant ones are their test items. Precision and
//! recall at 10, NDCG at 10 with binary gains (ideal DCG over min(10, |relevant|)), MAP at
//! 10 divided by min(10, |relevant|), and catalogue coverage (the share of items that
//! appear in anyone's top 10).

use super::data::Interactions;

/// Ranking quality at 10.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Ranking {
    /// Precision at 10.
    pub precision: f64,
    /// Recall at 10.
    pub recall: f64,
    /// Normalised discounted cumulative gain at 10.
    pub ndcg: f64,
    /// Mean average precision at 10.
    pub map: f64,
    /// Share of the catalogue recommended to someone.
    pub coverage: f64,
    /// Learners evaluated.
    pub users: usize,
}

/// Evaluates `score` (which fills one score per item for a learner) against `test`, leaving
/// out each learner's `train` items.
pub fn ranking(
    train: &Interactions,
    test: &Interactions,
    mut score: impl FnMut(usize, &mut [f32]),
) -> Ranking {
    const K: usize = 10;
    let n = train.n_items();
    let mut scores = vec![0f32; n];
    let mut recommended = vec![false; n];
    let mut sum = Ranking::default();
    let mut order: Vec<u32> = Vec::with_capacity(n);
    for u in 0..test.n_users().min(train.n_users()) {
        let relevant = test.user(u).0;
        if relevant.is_empty() {
            continue;
        }
        score(u, &mut scores);
        for &i in train.user(u).0 {
            scores[i as usize] = f32::NEG_INFINITY;
        }
        order.clear();
        order.extend(0..n as u32);
        let top = K.min(n);
        let cmp = |a: &u32, b: &u32| {
            scores[*b as usize]
                .partial_cmp(&scores[*a as usize])
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(a.cmp(b))
        };
        if top < n {
            order.select_nth_unstable_by(top - 1, cmp);
        }
        order[..top].sort_unstable_by(cmp);
        let mut hits = 0usize;
        let mut dcg = 0.0;
        let mut ap = 0.0;
        for (rank, &i) in order[..top].iter().enumerate() {
            if scores[i as usize] == f32::NEG_INFINITY {
                break;
            }
            recommended[i as usize] = true;
            if relevant.binary_search(&i).is_ok() {
                hits += 1;
                dcg += 1.0 / ((rank + 2) as f64).log2();
                ap += hits as f64 / (rank + 1) as f64;
            }
        }
        let ideal_n = K.min(relevant.len());
        let idcg: f64 = (0..ideal_n).map(|r| 1.0 / ((r + 2) as f64).log2()).sum();
        sum.precision += hits as f64 / K as f64;
        sum.recall += hits as f64 / relevant.len() as f64;
        sum.ndcg += dcg / idcg;
        sum.map += ap / ideal_n as f64;
        sum.users += 1;
    }
    if sum.users > 0 {
        let m = sum.users as f64;
        sum.precision /= m;
        sum.recall /= m;
        sum.ndcg /= m;
        sum.map /= m;
    }
    sum.coverage = recommended.iter().filter(|r| **r).count() as f64 / n.max(1) as f64;
    sum
}

/// Root mean squared error and mean absolute error of `predict` on `(user, item, rating)`.
pub fn rating_errors(
    test: &[(u32, u32, f32)],
    predict: impl Fn(usize, usize) -> f32,
) -> (f64, f64) {
    if test.is_empty() {
        return (0.0, 0.0);
    }
    let (mut se, mut ae) = (0.0, 0.0);
    for &(u, i, r) in test {
        let e = f64::from(r - predict(u as usize, i as usize));
        se += e * e;
        ae += e.abs();
    }
    let n = test.len() as f64;
    ((se / n).sqrt(), ae / n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_perfect_ranking_scores_one_and_a_hopeless_one_zero() {
        let train = Interactions::from_triples(1, 14, &[(0, 0, 1.0)]);
        let test = Interactions::from_triples(1, 14, &[(0, 5, 1.0), (0, 6, 1.0)]);
        let perfect = ranking(&train, &test, |_, s| {
            for (i, x) in s.iter_mut().enumerate() {
                *x = if i == 5 || i == 6 { 1.0 } else { 0.0 };
            }
        });
        assert!((perfect.ndcg - 1.0).abs() < 1e-12);
        assert!((perfect.map - 1.0).abs() < 1e-12);
        assert!((perfect.recall - 1.0).abs() < 1e-12);
        assert!((perfect.precision - 0.2).abs() < 1e-12);
        // Relevant items ranked 12th and 13th: nothing in the top 10.
        let hopeless = ranking(&train, &test, |_, s| {
            for (i, x) in s.iter_mut().enumerate() {
                *x = if i == 5 || i == 6 { -1.0 } else { i as f32 };
            }
        });
        assert_eq!(hopeless.ndcg, 0.0);
        assert_eq!(hopeless.users, 1);
        assert_eq!(rating_errors(&[(0, 0, 4.0)], |_, _| 3.0), (1.0, 1.0));
    }
}
