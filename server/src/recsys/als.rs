//! Implicit-feedback alternating least squares (Hu, Koren and Volinsky, "Collaborative
//! Filtering for Implicit Feedback Datasets", 2008).
//!
//! Every pair (u, i) has a preference p = 1 if the learner interacted with the item and 0
//! otherwise, weighted by a confidence c = 1 + α·r that grows with the interaction's
//! strength r. The model minimises
//!
//! Σ_{u,i} c_ui (p_ui − x_u·y_i)² + λ (Σ_u ‖x_u‖² + Σ_i ‖y_i‖²)
//!
//! by fixing the items and solving every user, then the other way round:
//! x_u = (YᵀY + λI + Yᵀ(C_u − I)Y)⁻¹ Yᵀ C_u p_u. YᵀY is shared by all users. Each system
//! is solved approximately by a few steps of conjugate gradient started from the previous
//! vector (Takács, Pilászy and Tikk 2011), which never forms the k×k matrix: a step costs
//! O(n_u·k + k²) instead of the O(n_u·k² + k³) of an exact solve. Users (then items) are
//! solved in parallel. A last exact (Cholesky) pass over the users makes every stored user
//! vector the closed-form solution for the final item vectors — the same closed form that
//! folds a new learner in on their device (`app::reco::score::fold_in`).

use super::data::Interactions;
use super::ParamError;
use app::reco::linalg::cholesky_solve;
use ndarray::{Array2, Axis, Zip};

/// The hyper-parameters of implicit ALS, checked when fitting.
///
/// ```
/// use server::recsys::als::AlsParams;
/// let params = AlsParams::default().factors(16).iterations(5).lambda(0.1).alpha(10.0);
/// assert!(params.clone().factors(0).check().is_err());
/// assert!(params.check().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct AlsParams {
    factors: usize,
    iterations: usize,
    lambda: f32,
    alpha: f32,
    cg_steps: usize,
    seed: u64,
}

impl Default for AlsParams {
    /// 64 factors, 15 iterations, λ = 25, α = 1.5, 3 conjugate-gradient steps — tuned on
    /// MovieLens-100K (see bench/RESULTS.md).
    fn default() -> Self {
        AlsParams {
            factors: 64,
            iterations: 15,
            lambda: 25.0,
            alpha: 1.5,
            cg_steps: 3,
            seed: 42,
        }
    }
}

impl AlsParams {
    /// Factors per vector (1–512).
    pub fn factors(mut self, k: usize) -> Self {
        self.factors = k;
        self
    }

    /// Alternations (1–200).
    pub fn iterations(mut self, n: usize) -> Self {
        self.iterations = n;
        self
    }

    /// L2 regularisation (> 0).
    pub fn lambda(mut self, l: f32) -> Self {
        self.lambda = l;
        self
    }

    /// Confidence scale α (≥ 0): c = 1 + α·r.
    pub fn alpha(mut self, a: f32) -> Self {
        self.alpha = a;
        self
    }

    /// Conjugate-gradient steps per solve (0: solve exactly by Cholesky every time).
    pub fn cg_steps(mut self, n: usize) -> Self {
        self.cg_steps = n;
        self
    }

    /// Seed of the random start.
    pub fn seed(mut self, s: u64) -> Self {
        self.seed = s;
        self
    }

    /// The parameters if they make sense.
    pub fn check(self) -> Result<Self, ParamError> {
        if !(1..=512).contains(&self.factors) {
            return Err(ParamError("factors must be 1 to 512"));
        }
        if !(1..=200).contains(&self.iterations) {
            return Err(ParamError("iterations must be 1 to 200"));
        }
        if !(self.lambda.is_finite() && self.lambda > 0.0) {
            return Err(ParamError("lambda must be a positive number"));
        }
        if !(self.alpha.is_finite() && self.alpha >= 0.0) {
            return Err(ParamError("alpha must be zero or more"));
        }
        if self.cg_steps > 50 {
            return Err(ParamError("cg_steps must be 0 to 50"));
        }
        Ok(self)
    }

    /// The number of alternations `fit` runs.
    pub fn iteration_count(&self) -> usize {
        self.iterations
    }

    /// Trains on `data`. `on_iteration` hears after each alternation (for progress bars).
    pub fn fit_with(
        &self,
        data: &Interactions,
        mut on_iteration: impl FnMut(usize),
    ) -> Result<AlsModel, ParamError> {
        let p = self.clone().check()?;
        let k = p.factors;
        let mut rng = super::Rng::new(p.seed);
        let scale = 0.1 / (k as f32).sqrt();
        let mut users = Array2::from_shape_fn((data.n_users(), k), |_| rng.normal() * scale);
        let mut items = Array2::from_shape_fn((data.n_items(), k), |_| rng.normal() * scale);
        let side = |target: &mut Array2<f32>, other: &Array2<f32>, users: bool, steps: usize| {
            let solve = Solve {
                data,
                users,
                lambda: p.lambda,
                alpha: p.alpha,
                cg_steps: steps,
            };
            solve.side(target, other);
        };
        for n in 0..p.iterations {
            side(&mut users, &items, true, p.cg_steps);
            side(&mut items, &users, false, p.cg_steps);
            on_iteration(n + 1);
        }
        // A last, exact user step, so every stored user vector is the solution for the
        // final item vectors — what fold-in computes for the same history.
        side(&mut users, &items, true, 0);
        Ok(AlsModel {
            users,
            items,
            lambda: p.lambda,
            alpha: p.alpha,
        })
    }

    /// Trains on `data`.
    pub fn fit(&self, data: &Interactions) -> Result<AlsModel, ParamError> {
        self.fit_with(data, |_| {})
    }
}

/// One half of an alternation: which side, and how exactly.
struct Solve<'a> {
    data: &'a Interactions,
    users: bool,
    lambda: f32,
    alpha: f32,
    /// 0: exact (Cholesky); otherwise conjugate-gradient steps from the current vector.
    cg_steps: usize,
}

/// What solving one row needs: the other side's Gram matrix and vectors, and the row's
/// interactions.
struct Row<'a> {
    gram: &'a [f32],
    other: &'a Array2<f32>,
    cols: &'a [u32],
    vals: &'a [f32],
    k: usize,
}

impl Solve<'_> {
    /// Solves every row of `target` against the fixed `other` side.
    fn side(&self, target: &mut Array2<f32>, other: &Array2<f32>) {
        let k = other.ncols();
        let gram = other.t().dot(other);
        let gram = gram.as_standard_layout();
        let gram = gram.as_slice().unwrap_or_default();
        Zip::indexed(target.axis_iter_mut(Axis(0))).par_for_each(|row_index, mut row| {
            let (cols, vals) = if self.users {
                self.data.user(row_index)
            } else {
                self.data.item(row_index)
            };
            if cols.is_empty() {
                row.fill(0.0);
                return;
            }
            let at = Row {
                gram,
                other,
                cols,
                vals,
                k,
            };
            let mut x: Vec<f32> = row.iter().copied().collect();
            if self.cg_steps == 0 {
                self.exact(&at, &mut x);
            } else {
                self.conjugate_gradient(&at, &mut x);
            }
            for (dst, src) in row.iter_mut().zip(&x) {
                *dst = *src;
            }
        });
    }

    fn exact(&self, row: &Row, x: &mut [f32]) {
        let k = row.k;
        let mut a = row.gram.to_vec();
        for d in 0..k {
            a[d * k + d] += self.lambda;
        }
        let mut b = vec![0f32; k];
        for (&c, &r) in row.cols.iter().zip(row.vals) {
            let conf = 1.0 + self.alpha * r;
            let y = row.other.row(c as usize);
            for p in 0..k {
                b[p] += conf * y[p];
                let w = (conf - 1.0) * y[p];
                for q in 0..=p {
                    a[p * k + q] += w * y[q];
                }
            }
        }
        if cholesky_solve(&mut a, &mut b, k).is_ok() {
            x.copy_from_slice(&b);
        }
    }

    /// A·v = YᵀY·v + λv + Σ (c − 1)(y·v) y over the row's interactions.
    fn apply(&self, row: &Row, v: &[f32], out: &mut [f32]) {
        let k = row.k;
        for p in 0..k {
            let g = &row.gram[p * k..(p + 1) * k];
            out[p] = g.iter().zip(v).map(|(a, b)| a * b).sum::<f32>() + self.lambda * v[p];
        }
        for (&c, &r) in row.cols.iter().zip(row.vals) {
            let y = row.other.row(c as usize);
            let w = self.alpha * r * y.iter().zip(v).map(|(a, b)| a * b).sum::<f32>();
            for (o, yp) in out.iter_mut().zip(y.iter()) {
                *o += w * yp;
            }
        }
    }

    fn conjugate_gradient(&self, row: &Row, x: &mut [f32]) {
        let k = row.k;
        let mut ax = vec![0f32; k];
        self.apply(row, x, &mut ax);
        // r = b − A x with b = Σ c y.
        let mut r: Vec<f32> = ax.iter().map(|v| -v).collect();
        for (&c, &rating) in row.cols.iter().zip(row.vals) {
            let conf = 1.0 + self.alpha * rating;
            for (rp, yp) in r.iter_mut().zip(row.other.row(c as usize).iter()) {
                *rp += conf * yp;
            }
        }
        let mut p = r.clone();
        let mut rs: f32 = r.iter().map(|v| v * v).sum();
        let mut ap = vec![0f32; k];
        for _ in 0..self.cg_steps {
            if rs < 1e-20 {
                break;
            }
            self.apply(row, &p, &mut ap);
            let pap: f32 = p.iter().zip(&ap).map(|(a, b)| a * b).sum();
            if pap <= 0.0 || !pap.is_finite() {
                break;
            }
            let step = rs / pap;
            for i in 0..k {
                x[i] += step * p[i];
                r[i] -= step * ap[i];
            }
            let rs_new: f32 = r.iter().map(|v| v * v).sum();
            let beta = rs_new / rs;
            for i in 0..k {
                p[i] = r[i] + beta * p[i];
            }
            rs = rs_new;
        }
    }
}

/// A fitted implicit ALS model.
#[derive(Debug, Clone)]
pub struct AlsModel {
    /// User vectors, one row per user.
    pub users: Array2<f32>,
    /// Item vectors, one row per item.
    pub items: Array2<f32>,
    /// The regularisation it was trained with.
    pub lambda: f32,
    /// The confidence scale it was trained with.
    pub alpha: f32,
}

impl AlsModel {
    /// The training objective on `data` (see the module documentation), computed without
    /// visiting every pair: Σ_all (x·y)² is the sum of (XᵀX)∘(YᵀY).
    pub fn loss(&self, data: &Interactions) -> f64 {
        let xtx = self.users.t().dot(&self.users);
        let yty = self.items.t().dot(&self.items);
        let mut total: f64 = Zip::from(&xtx)
            .and(&yty)
            .fold(0.0, |acc, a, b| acc + f64::from(*a) * f64::from(*b));
        for u in 0..data.n_users() {
            let (items, vals) = data.user(u);
            let x = self.users.row(u);
            for (&i, &r) in items.iter().zip(vals) {
                let s = f64::from(x.dot(&self.items.row(i as usize)));
                let c = 1.0 + f64::from(self.alpha) * f64::from(r);
                total += c * (1.0 - s).powi(2) - s * s;
            }
        }
        let norms = self.users.iter().chain(self.items.iter());
        total + f64::from(self.lambda) * norms.map(|v| f64::from(*v).powi(2)).sum::<f64>()
    }

    /// Scores of every item for user `u`.
    pub fn scores(&self, u: usize, out: &mut [f32]) {
        let x = self.users.row(u);
        for (o, y) in out.iter_mut().zip(self.items.rows()) {
            *o = x.dot(&y);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::reco::factors::FactorFile;
    use app::reco::score::fold_in;

    /// Two taste groups of learners over eight items.
    fn data() -> Interactions {
        let mut t = Vec::new();
        for u in 0..12u32 {
            let base = if u % 2 == 0 { 0 } else { 4 };
            for i in 0..4u32 {
                if (u + i) % 5 != 0 {
                    t.push((u, base + i, 1.0 + (i % 2) as f32));
                }
            }
        }
        Interactions::from_triples(12, 8, &t)
    }

    #[test]
    fn each_alternation_lowers_the_loss() {
        let d = data();
        let mut last = f64::INFINITY;
        for n in 1..=6 {
            let m = AlsParams::default()
                .factors(4)
                .iterations(n)
                .alpha(5.0)
                .lambda(0.1)
                .fit(&d)
                .unwrap();
            let loss = m.loss(&d);
            assert!(loss <= last + 1e-6, "iteration {n}: {loss} after {last}");
            last = loss;
        }
    }

    #[test]
    fn learners_are_shown_their_own_taste() {
        let d = data();
        let m = AlsParams::default()
            .factors(4)
            .iterations(10)
            .lambda(0.1)
            .alpha(5.0)
            .fit(&d)
            .unwrap();
        let mut s = vec![0f32; 8];
        m.scores(0, &mut s);
        let even: f32 = s[..4].iter().sum();
        let odd: f32 = s[4..].iter().sum();
        assert!(even > odd, "{s:?}");
    }

    #[test]
    fn fold_in_from_the_factor_file_matches_the_trained_user_vector() {
        let d = data();
        let m = AlsParams::default()
            .factors(4)
            .iterations(10)
            .alpha(5.0)
            .lambda(0.1)
            .fit(&d)
            .unwrap();
        let k = 4;
        let vectors: Vec<f32> = m.items.iter().copied().collect();
        let file = FactorFile::quantise(
            1,
            k,
            m.lambda,
            m.alpha,
            (0..8).map(|i| format!("i{i}")).collect(),
            vec![0; 8],
            &vectors,
        )
        .unwrap();
        for u in 0..12 {
            let (items, vals) = d.user(u);
            let history: Vec<(usize, f32)> = items
                .iter()
                .zip(vals)
                .map(|(i, r)| (*i as usize, *r))
                .collect();
            let mut x = vec![0f32; k];
            fold_in(&file, &history, &mut x).unwrap();
            for (a, b) in x.iter().zip(m.users.row(u)) {
                assert!(
                    (a - b).abs() < 0.02 + 0.02 * b.abs(),
                    "user {u}: {x:?} vs {:?}",
                    m.users.row(u)
                );
            }
        }
    }
}
