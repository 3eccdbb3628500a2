//! The statistics behind segments and forecasts, small enough to read in one sitting:
//! standardisation, k-means with k-means++ seeding and silhouette scores, logistic
//! regression by gradient descent with its ROC AUC and log loss, and Holt's linear
//! exponential smoothing with a backtest. Deterministic: the same data gives the same
//! answer.

/// A small deterministic random source (xorshift64*).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// Seeded; a zero seed is replaced.
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    /// Uniform in `0.0..1.0`.
    pub fn unit(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        ((self.unit() * n as f64) as usize).min(n.saturating_sub(1))
    }
}

/// Rescales every column to mean 0 and standard deviation 1 (a constant column to 0);
/// returns the means and deviations used.
pub fn standardise(rows: &mut [Vec<f64>]) -> (Vec<f64>, Vec<f64>) {
    let Some(width) = rows.first().map(Vec::len) else {
        return (Vec::new(), Vec::new());
    };
    let n = rows.len() as f64;
    let mut mean = vec![0.0; width];
    for r in rows.iter() {
        for (m, x) in mean.iter_mut().zip(r) {
            *m += x / n;
        }
    }
    let mut sd = vec![0.0; width];
    for r in rows.iter() {
        for ((s, x), m) in sd.iter_mut().zip(r).zip(&mean) {
            *s += (x - m) * (x - m) / n;
        }
    }
    for s in sd.iter_mut() {
        *s = s.sqrt();
    }
    for r in rows.iter_mut() {
        for ((x, m), s) in r.iter_mut().zip(&mean).zip(&sd) {
            *x = if *s > 1e-12 { (*x - m) / s } else { 0.0 };
        }
    }
    (mean, sd)
}

fn distance2(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

/// A clustering: each row's cluster and the centres.
#[derive(Debug, Clone, PartialEq)]
pub struct Clusters {
    /// Cluster of each row.
    pub assignment: Vec<usize>,
    /// Centre of each cluster.
    pub centres: Vec<Vec<f64>>,
}

/// k-means (Lloyd's iterations) from k-means++ seeds, best of `restarts` by within-cluster
/// sum of squares.
pub fn kmeans(rows: &[Vec<f64>], k: usize, restarts: usize, rng: &mut Rng) -> Clusters {
    let mut best: Option<(f64, Clusters)> = None;
    for _ in 0..restarts.max(1) {
        let c = kmeans_once(rows, k, rng);
        let sse: f64 = rows
            .iter()
            .zip(&c.assignment)
            .map(|(r, &a)| distance2(r, &c.centres[a]))
            .sum();
        if best.as_ref().is_none_or(|(s, _)| sse < *s) {
            best = Some((sse, c));
        }
    }
    best.map(|(_, c)| c).unwrap_or(Clusters {
        assignment: Vec::new(),
        centres: Vec::new(),
    })
}

fn kmeans_once(rows: &[Vec<f64>], k: usize, rng: &mut Rng) -> Clusters {
    let n = rows.len();
    let k = k.clamp(1, n.max(1));
    if n == 0 {
        return Clusters {
            assignment: Vec::new(),
            centres: Vec::new(),
        };
    }
    // k-means++: each next centre drawn with probability proportional to its squared
    // distance from the nearest centre so far.
    let mut centres = vec![rows[rng.below(n)].clone()];
    let mut nearest: Vec<f64> = rows.iter().map(|r| distance2(r, &centres[0])).collect();
    while centres.len() < k {
        let total: f64 = nearest.iter().sum();
        let pick = if total <= 0.0 {
            rng.below(n)
        } else {
            let mut target = rng.unit() * total;
            let mut chosen = n - 1;
            for (i, d) in nearest.iter().enumerate() {
                target -= d;
                if target <= 0.0 {
                    chosen = i;
                    break;
                }
            }
            chosen
        };
        centres.push(rows[pick].clone());
        for (d, r) in nearest.iter_mut().zip(rows) {
            *d = d.min(distance2(r, &centres[centres.len() - 1]));
        }
    }
    let mut assignment = vec![0usize; n];
    for _ in 0..100 {
        let mut moved = false;
        for (a, r) in assignment.iter_mut().zip(rows) {
            let best = (0..k)
                .min_by(|&x, &y| distance2(r, &centres[x]).total_cmp(&distance2(r, &centres[y])))
                .unwrap_or(0);
            if *a != best {
                *a = best;
                moved = true;
            }
        }
        let width = rows[0].len();
        let mut sums = vec![vec![0.0; width]; k];
        let mut counts = vec![0usize; k];
        for (r, &a) in rows.iter().zip(&assignment) {
            counts[a] += 1;
            for (s, x) in sums[a].iter_mut().zip(r) {
                *s += x;
            }
        }
        for c in 0..k {
            if counts[c] > 0 {
                centres[c] = sums[c].iter().map(|s| s / counts[c] as f64).collect();
            }
        }
        if !moved {
            break;
        }
    }
    Clusters {
        assignment,
        centres,
    }
}

/// Mean silhouette of a clustering (−1 … 1). With more than `sample` rows, computed on
/// an even sample of them (the cost is quadratic).
pub fn silhouette(rows: &[Vec<f64>], assignment: &[usize], k: usize, sample: usize) -> f64 {
    let n = rows.len();
    if n < 2 || k < 2 {
        return 0.0;
    }
    let step = n.div_ceil(sample.max(1)).max(1);
    let picked: Vec<usize> = (0..n).step_by(step).collect();
    let mut total = 0.0;
    for &i in &picked {
        let mut sum = vec![0.0; k];
        let mut count = vec![0usize; k];
        for &j in &picked {
            if i != j {
                sum[assignment[j]] += distance2(&rows[i], &rows[j]).sqrt();
                count[assignment[j]] += 1;
            }
        }
        let own = assignment[i];
        if count[own] == 0 {
            continue;
        }
        let a = sum[own] / count[own] as f64;
        let b = (0..k)
            .filter(|&c| c != own && count[c] > 0)
            .map(|c| sum[c] / count[c] as f64)
            .fold(f64::INFINITY, f64::min);
        if b.is_finite() {
            total += (b - a) / a.max(b).max(1e-12);
        }
    }
    total / picked.len() as f64
}

/// A fitted logistic regression: `P(y = 1) = σ(bias + weights · x)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Logistic {
    /// Per feature.
    pub weights: Vec<f64>,
    /// Intercept.
    pub bias: f64,
}

impl Logistic {
    /// Fits by full-batch gradient descent with a small L2 penalty.
    pub fn fit(x: &[Vec<f64>], y: &[bool], iterations: usize) -> Logistic {
        let width = x.first().map_or(0, Vec::len);
        let n = x.len().max(1) as f64;
        let mut m = Logistic {
            weights: vec![0.0; width],
            bias: 0.0,
        };
        let rate = 0.5;
        let l2 = 1e-3;
        for _ in 0..iterations {
            let mut gw = vec![0.0; width];
            let mut gb = 0.0;
            for (row, &label) in x.iter().zip(y) {
                let err = m.predict(row) - if label { 1.0 } else { 0.0 };
                gb += err;
                for (g, v) in gw.iter_mut().zip(row) {
                    *g += err * v;
                }
            }
            m.bias -= rate * gb / n;
            for (w, g) in m.weights.iter_mut().zip(&gw) {
                *w -= rate * (g / n + l2 * *w);
            }
        }
        m
    }

    /// The probability for one row.
    pub fn predict(&self, row: &[f64]) -> f64 {
        let z = self.bias
            + self
                .weights
                .iter()
                .zip(row)
                .map(|(w, v)| w * v)
                .sum::<f64>();
        1.0 / (1.0 + (-z).exp())
    }
}

/// Area under the ROC curve: the chance that a random positive scores above a random
/// negative (ties count half). `None` without both classes.
pub fn auc(scores: &[f64], labels: &[bool]) -> Option<f64> {
    let mut pairs: Vec<(f64, bool)> = scores.iter().copied().zip(labels.iter().copied()).collect();
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let positives = pairs.iter().filter(|p| p.1).count() as f64;
    let negatives = pairs.len() as f64 - positives;
    if positives == 0.0 || negatives == 0.0 {
        return None;
    }
    // Rank-sum (Mann–Whitney U) with average ranks for ties.
    let mut rank_sum = 0.0;
    let mut i = 0;
    while i < pairs.len() {
        let mut j = i;
        while j + 1 < pairs.len() && pairs[j + 1].0 == pairs[i].0 {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        rank_sum += rank * pairs[i..=j].iter().filter(|p| p.1).count() as f64;
        i = j + 1;
    }
    Some((rank_sum - positives * (positives + 1.0) / 2.0) / (positives * negatives))
}

/// Mean log loss of probabilities against labels.
pub fn log_loss(p: &[f64], y: &[bool]) -> f64 {
    let n = p.len().max(1) as f64;
    p.iter()
        .zip(y)
        .map(|(&p, &y)| {
            let p = p.clamp(1e-9, 1.0 - 1e-9);
            if y {
                -p.ln()
            } else {
                -(1.0 - p).ln()
            }
        })
        .sum::<f64>()
        / n
}

/// Holt's linear exponential smoothing of `series`: level and trend after the last point.
pub fn holt(series: &[f64], alpha: f64, beta: f64) -> (f64, f64) {
    let Some(&first) = series.first() else {
        return (0.0, 0.0);
    };
    let mut level = first;
    let mut trend = 0.0;
    for &x in &series[1..] {
        let previous = level;
        level = alpha * x + (1.0 - alpha) * (level + trend);
        trend = beta * (level - previous) + (1.0 - beta) * trend;
    }
    (level, trend)
}

/// Forecast of the sum of the next `h` points (never below zero).
pub fn holt_sum(series: &[f64], h: usize, alpha: f64, beta: f64) -> f64 {
    let (level, trend) = holt(series, alpha, beta);
    (1..=h).map(|i| (level + trend * i as f64).max(0.0)).sum()
}

/// The smoothing constants with the smallest one-step-ahead squared error on `series`,
/// from a small grid.
pub fn fit_holt(series: &[f64]) -> (f64, f64) {
    let grid = [0.1, 0.2, 0.3, 0.5, 0.7];
    let mut best = (0.3, 0.1, f64::INFINITY);
    for &a in &grid {
        for &b in &[0.05, 0.1, 0.2, 0.3] {
            let mut err = 0.0;
            for t in 2..series.len() {
                let (l, tr) = holt(&series[..t], a, b);
                err += (series[t] - (l + tr)).powi(2);
            }
            if err < best.2 {
                best = (a, b, err);
            }
        }
    }
    (best.0, best.1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three planted groups far apart: k-means++ finds them, and the silhouette prefers 3.
    #[test]
    fn kmeans_recovers_planted_groups() {
        let mut rng = Rng::new(7);
        let centres = [[0.0, 0.0, 0.0], [6.0, 6.0, 0.0], [0.0, 6.0, 6.0]];
        let mut rows = Vec::new();
        let mut truth = Vec::new();
        for (g, c) in centres.iter().enumerate() {
            for _ in 0..60 {
                rows.push(c.iter().map(|v| v + rng.unit() - 0.5).collect::<Vec<_>>());
                truth.push(g);
            }
        }
        let scores: Vec<(usize, f64)> = (2..=6)
            .map(|k| {
                let c = kmeans(&rows, k, 4, &mut rng);
                (k, silhouette(&rows, &c.assignment, k, 400))
            })
            .collect();
        let best = scores.iter().max_by(|a, b| a.1.total_cmp(&b.1)).unwrap();
        assert_eq!(best.0, 3, "{scores:?}");
        let c = kmeans(&rows, 3, 4, &mut rng);
        // Same partition as the truth, up to the names of the clusters.
        for i in 0..rows.len() {
            for j in 0..rows.len() {
                assert_eq!(truth[i] == truth[j], c.assignment[i] == c.assignment[j]);
            }
        }
    }

    #[test]
    fn logistic_regression_beats_the_constant_on_held_out_data() {
        let mut rng = Rng::new(11);
        let make = |rng: &mut Rng, n: usize| {
            let mut x = Vec::new();
            let mut y = Vec::new();
            for _ in 0..n {
                let a = rng.unit() * 4.0 - 2.0;
                let b = rng.unit() * 4.0 - 2.0;
                let p = 1.0 / (1.0 + (-(1.5 * a - 1.0 * b + 0.3)).exp());
                x.push(vec![a, b]);
                y.push(rng.unit() < p);
            }
            (x, y)
        };
        let (x, y) = make(&mut rng, 800);
        let (tx, ty) = make(&mut rng, 400);
        let m = Logistic::fit(&x, &y, 400);
        let p: Vec<f64> = tx.iter().map(|r| m.predict(r)).collect();
        let base = y.iter().filter(|v| **v).count() as f64 / y.len() as f64;
        assert!(auc(&p, &ty).unwrap() > 0.75);
        assert!(log_loss(&p, &ty) < log_loss(&vec![base; ty.len()], &ty));
        assert!(m.weights[0] > 0.8 && m.weights[1] < -0.5, "{m:?}");
    }

    #[test]
    fn auc_of_perfect_random_and_reversed_scores() {
        let labels = [false, false, true, true];
        assert_eq!(auc(&[0.1, 0.2, 0.8, 0.9], &labels), Some(1.0));
        assert_eq!(auc(&[0.9, 0.8, 0.2, 0.1], &labels), Some(0.0));
        assert_eq!(auc(&[0.5; 4], &labels), Some(0.5));
        assert_eq!(auc(&[0.5; 2], &[true, true]), None);
    }

    #[test]
    fn holt_follows_a_straight_line() {
        let series: Vec<f64> = (0..20).map(|t| 10.0 + 2.0 * t as f64).collect();
        let (a, b) = fit_holt(&series);
        let next3 = holt_sum(&series, 3, a, b);
        // 50 + 52 + 54
        assert!((next3 - 156.0).abs() < 3.0, "{next3}");
    }
}
