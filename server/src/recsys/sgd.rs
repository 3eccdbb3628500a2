//! Biased matrix factorisation of explicit ratings by stochastic gradient descent (Funk,
//! Koren): r̂_ui = μ + b_u + b_i + p_u·q_i, trained on
//!
//! f = Σ_(u,i) (r_ui − r̂_ui)² + λ (b_u² + b_i² + ‖p_u‖² + ‖q_i‖²)
//!
//! with, for each rating and error e = r_ui − r̂_ui, the steps of −½∂f/∂θ scaled by the
//! learning rate η: b_u += η(e − λb_u), b_i += η(e − λb_i), p_u += η(e·q_i − λp_u),
//! q_i += η(e·p_u − λq_i).
//!
//! [`plain_gradients`] is the seed's unbiased objective f = Σ (r_ij − u_i·v_j)² with its
//! exact gradients ∂f/∂u_i = −2 Σ_j e_ij v_j and ∂f/∂v_j = −2 Σ_i e_ij u_i — non-zero
//! wherever a residual is, which the tests check against finite differences.

use super::ParamError;
use ndarray::{Array1, Array2};

/// The hyper-parameters of SGD matrix factorisation, checked when fitting.
#[derive(Debug, Clone, PartialEq)]
pub struct SgdParams {
    factors: usize,
    epochs: usize,
    learning_rate: f32,
    lambda: f32,
    seed: u64,
}

impl Default for SgdParams {
    /// 50 factors, 80 epochs, η = 0.005, λ = 0.1 — tuned on MovieLens-100K (see
    /// bench/RESULTS.md).
    fn default() -> Self {
        SgdParams {
            factors: 50,
            epochs: 80,
            learning_rate: 0.005,
            lambda: 0.1,
            seed: 7,
        }
    }
}

impl SgdParams {
    /// Factors per vector (1–512).
    pub fn factors(mut self, k: usize) -> Self {
        self.factors = k;
        self
    }

    /// Passes over the ratings (1–1000).
    pub fn epochs(mut self, n: usize) -> Self {
        self.epochs = n;
        self
    }

    /// Learning rate η (0 < η < 1).
    pub fn learning_rate(mut self, eta: f32) -> Self {
        self.learning_rate = eta;
        self
    }

    /// L2 regularisation (≥ 0).
    pub fn lambda(mut self, l: f32) -> Self {
        self.lambda = l;
        self
    }

    /// Seed of the random start and the rating order.
    pub fn seed(mut self, s: u64) -> Self {
        self.seed = s;
        self
    }

    /// The parameters if they make sense.
    pub fn check(self) -> Result<Self, ParamError> {
        if !(1..=512).contains(&self.factors) {
            return Err(ParamError("factors must be 1 to 512"));
        }
        if !(1..=1000).contains(&self.epochs) {
            return Err(ParamError("epochs must be 1 to 1000"));
        }
        if !(self.learning_rate > 0.0 && self.learning_rate < 1.0) {
            return Err(ParamError("the learning rate must be between 0 and 1"));
        }
        if !(self.lambda.is_finite() && self.lambda >= 0.0) {
            return Err(ParamError("lambda must be zero or more"));
        }
        Ok(self)
    }

    /// Trains on `(user, item, rating)` triples over `n_users × n_items`.
    pub fn fit(
        &self,
        n_users: usize,
        n_items: usize,
        ratings: &[(u32, u32, f32)],
    ) -> Result<SgdModel, ParamError> {
        let p = self.clone().check()?;
        let ratings: Vec<(u32, u32, f32)> = ratings
            .iter()
            .copied()
            .filter(|(u, i, r)| (*u as usize) < n_users && (*i as usize) < n_items && r.is_finite())
            .collect();
        if ratings.is_empty() {
            return Err(ParamError("there are no ratings to learn from"));
        }
        let mean =
            ratings.iter().map(|(_, _, r)| f64::from(*r)).sum::<f64>() / ratings.len() as f64;
        let mut rng = super::Rng::new(p.seed);
        let k = p.factors;
        let mut m = SgdModel {
            mean: mean as f32,
            user_bias: Array1::zeros(n_users),
            item_bias: Array1::zeros(n_items),
            users: Array2::from_shape_fn((n_users, k), |_| rng.normal() * 0.1),
            items: Array2::from_shape_fn((n_items, k), |_| rng.normal() * 0.1),
        };
        let mut order: Vec<usize> = (0..ratings.len()).collect();
        let (eta, lambda) = (p.learning_rate, p.lambda);
        for _ in 0..p.epochs {
            rng.shuffle(&mut order);
            for &n in &order {
                let (u, i, r) = ratings[n];
                let (u, i) = (u as usize, i as usize);
                let e = r - m.predict(u, i);
                m.user_bias[u] += eta * (e - lambda * m.user_bias[u]);
                m.item_bias[i] += eta * (e - lambda * m.item_bias[i]);
                for f in 0..k {
                    let pu = m.users[[u, f]];
                    let qi = m.items[[i, f]];
                    m.users[[u, f]] += eta * (e * qi - lambda * pu);
                    m.items[[i, f]] += eta * (e * pu - lambda * qi);
                }
            }
        }
        Ok(m)
    }
}

/// A fitted biased factorisation.
#[derive(Debug, Clone)]
pub struct SgdModel {
    /// The mean rating μ.
    pub mean: f32,
    /// b_u.
    pub user_bias: Array1<f32>,
    /// b_i.
    pub item_bias: Array1<f32>,
    /// p_u, one row per user.
    pub users: Array2<f32>,
    /// q_i, one row per item.
    pub items: Array2<f32>,
}

impl SgdModel {
    /// r̂_ui = μ + b_u + b_i + p_u·q_i.
    pub fn predict(&self, u: usize, i: usize) -> f32 {
        self.mean
            + self.user_bias[u]
            + self.item_bias[i]
            + self.users.row(u).dot(&self.items.row(i))
    }

    /// Predicted ratings of every item for user `u`.
    pub fn scores(&self, u: usize, out: &mut [f32]) {
        for (i, o) in out.iter_mut().enumerate() {
            *o = self.predict(u, i);
        }
    }
}

/// The seed's objective f = Σ_(i,j) (r_ij − u_i·v_j)² over the given ratings, with its
/// gradients ∂f/∂U and ∂f/∂V.
pub fn plain_gradients(
    ratings: &[(usize, usize, f64)],
    u: &Array2<f64>,
    v: &Array2<f64>,
) -> (f64, Array2<f64>, Array2<f64>) {
    let mut f = 0.0;
    let mut du = Array2::zeros(u.raw_dim());
    let mut dv = Array2::zeros(v.raw_dim());
    for &(i, j, r) in ratings {
        let e = r - u.row(i).dot(&v.row(j));
        f += e * e;
        for p in 0..u.ncols() {
            du[[i, p]] += -2.0 * e * v[[j, p]];
            dv[[j, p]] += -2.0 * e * u[[i, p]];
        }
    }
    (f, du, dv)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    type Example = (Vec<(usize, usize, f64)>, Array2<f64>, Array2<f64>);

    /// A 3×3 rating matrix with two missing entries, factorised in two dimensions.
    fn example() -> Example {
        let r = [[5.0, 3.0, 0.0], [4.0, 0.0, 1.0], [1.0, 1.0, 5.0]];
        let mut ratings = Vec::new();
        for (i, row) in r.iter().enumerate() {
            for (j, &x) in row.iter().enumerate() {
                if x > 0.0 {
                    ratings.push((i, j, x));
                }
            }
        }
        let u = array![[1.0, 0.5], [0.8, 0.2], [0.1, 1.2]];
        let v = array![[1.5, 0.3], [1.0, 0.4], [0.2, 1.6]];
        (ratings, u, v)
    }

    #[test]
    fn the_gradients_of_the_seed_example_match_finite_differences() {
        let (ratings, u, v) = example();
        let (f, du, dv) = plain_gradients(&ratings, &u, &v);
        assert!(f > 0.0);
        let h = 1e-6;
        for (which, grad) in [(0, &du), (1, &dv)] {
            let base = if which == 0 { &u } else { &v };
            for idx in 0..base.len() {
                let (row, col) = (idx / 2, idx % 2);
                let mut plus = base.clone();
                plus[[row, col]] += h;
                let (fp, _, _) = if which == 0 {
                    plain_gradients(&ratings, &plus, &v)
                } else {
                    plain_gradients(&ratings, &u, &plus)
                };
                let numeric = (fp - f) / h;
                assert!(
                    (numeric - grad[[row, col]]).abs() < 1e-3,
                    "{which} {row} {col}"
                );
            }
        }
        // Wherever a row has a non-zero residual its gradient is not zero.
        for i in 0..3 {
            let residual: f64 = ratings
                .iter()
                .filter(|(a, _, _)| *a == i)
                .map(|(_, j, r)| (r - u.row(i).dot(&v.row(*j))).abs())
                .sum();
            let norm: f64 = du.row(i).iter().map(|g| g.abs()).sum();
            assert!(residual < 1e-12 || norm > 1e-9, "row {i}");
        }
    }

    #[test]
    fn gradient_steps_reduce_the_objective() {
        let (ratings, mut u, mut v) = example();
        let (mut last, _, _) = plain_gradients(&ratings, &u, &v);
        for _ in 0..200 {
            let (_, du, dv) = plain_gradients(&ratings, &u, &v);
            u = &u - &(du * 0.01);
            v = &v - &(dv * 0.01);
            let (f, _, _) = plain_gradients(&ratings, &u, &v);
            assert!(f <= last + 1e-12);
            last = f;
        }
        assert!(last < 0.5, "fits the known ratings: {last}");
    }

    #[test]
    fn sgd_learns_ratings_better_than_the_mean() {
        let mut ratings = Vec::new();
        for u in 0..40u32 {
            for i in 0..20u32 {
                if (u * 7 + i * 3) % 4 != 0 {
                    let taste = if (u % 2) == (i % 2) { 4.5 } else { 1.5 };
                    ratings.push((u, i, taste));
                }
            }
        }
        let m = SgdParams::default()
            .epochs(60)
            .fit(40, 20, &ratings)
            .unwrap();
        let rmse = (ratings
            .iter()
            .map(|(u, i, r)| (r - m.predict(*u as usize, *i as usize)).powi(2))
            .sum::<f32>()
            / ratings.len() as f32)
            .sqrt();
        assert!(rmse < 0.5, "rmse {rmse}");
        assert!(SgdParams::default().learning_rate(2.0).check().is_err());
    }
}
