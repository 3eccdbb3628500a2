//! The small dense linear algebra the recommender needs on both sides: a k×k symmetric
//! positive definite system solved by Cholesky decomposition, in place, without
//! allocating beyond the buffers the caller passes.

/// Why a system could not be solved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SolveError {
    /// The matrix is not positive definite (a zero or negative pivot at this row).
    #[error("the matrix is not positive definite (pivot {0})")]
    NotPositiveDefinite(usize),
    /// The buffers do not have the sizes `k` asks for.
    #[error("buffers of the wrong size for a {0}×{0} system")]
    Size(usize),
}

/// Solves `A x = b` for a symmetric positive definite `A` (row-major `k×k`, only the lower
/// triangle is read and it is overwritten by the Cholesky factor `L`, `A = L Lᵀ`); `b` is
/// overwritten by `x`.
///
/// ```
/// use app::reco::linalg::cholesky_solve;
/// // [4 2; 2 3] x = [2; 1]  →  x = [0.5; 0]
/// let mut a = [4.0, 2.0, 2.0, 3.0];
/// let mut b = [2.0, 1.0];
/// cholesky_solve(&mut a, &mut b, 2).unwrap();
/// assert!((b[0] - 0.5).abs() < 1e-6 && b[1].abs() < 1e-6);
/// ```
pub fn cholesky_solve(a: &mut [f32], b: &mut [f32], k: usize) -> Result<(), SolveError> {
    if a.len() != k * k || b.len() != k {
        return Err(SolveError::Size(k));
    }
    // Factor: for each row i, L[i][j] for j ≤ i (computed in f64 for stability).
    for i in 0..k {
        for j in 0..=i {
            let mut sum = f64::from(a[i * k + j]);
            for p in 0..j {
                sum -= f64::from(a[i * k + p]) * f64::from(a[j * k + p]);
            }
            if i == j {
                if sum <= 0.0 || !sum.is_finite() {
                    return Err(SolveError::NotPositiveDefinite(i));
                }
                a[i * k + i] = sum.sqrt() as f32;
            } else {
                a[i * k + j] = (sum / f64::from(a[j * k + j])) as f32;
            }
        }
    }
    // Forward: L y = b.
    for i in 0..k {
        let mut sum = f64::from(b[i]);
        for p in 0..i {
            sum -= f64::from(a[i * k + p]) * f64::from(b[p]);
        }
        b[i] = (sum / f64::from(a[i * k + i])) as f32;
    }
    // Back: Lᵀ x = y.
    for i in (0..k).rev() {
        let mut sum = f64::from(b[i]);
        for p in i + 1..k {
            sum -= f64::from(a[p * k + i]) * f64::from(b[p]);
        }
        b[i] = (sum / f64::from(a[i * k + i])) as f32;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_a_random_spd_system() {
        // A = M Mᵀ + I for a fixed M; check A x = b after solving.
        let k = 6;
        let m: Vec<f32> = (0..k * k)
            .map(|n| ((n * 37 % 11) as f32 - 5.0) / 7.0)
            .collect();
        let mut a = vec![0f32; k * k];
        for i in 0..k {
            for j in 0..k {
                a[i * k + j] = (0..k).map(|p| m[i * k + p] * m[j * k + p]).sum::<f32>()
                    + if i == j { 1.0 } else { 0.0 };
            }
        }
        let original = a.clone();
        let rhs: Vec<f32> = (0..k).map(|i| i as f32 - 2.0).collect();
        let mut x = rhs.clone();
        cholesky_solve(&mut a, &mut x, k).unwrap();
        for i in 0..k {
            let ax: f32 = (0..k).map(|j| original[i * k + j] * x[j]).sum();
            assert!((ax - rhs[i]).abs() < 1e-4, "row {i}: {ax} vs {}", rhs[i]);
        }
    }

    #[test]
    fn refuses_what_it_cannot_solve() {
        let mut a = [1.0, 2.0, 2.0, 1.0];
        let mut b = [1.0, 1.0];
        assert_eq!(
            cholesky_solve(&mut a, &mut b, 2),
            Err(SolveError::NotPositiveDefinite(1))
        );
        assert_eq!(
            cholesky_solve(&mut [1.0], &mut [1.0, 2.0], 2),
            Err(SolveError::Size(2))
        );
    }
}
