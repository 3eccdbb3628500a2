//! Interactions as a sparse user × item matrix, stored both by user and by item (CSR and
//! CSC), so that each half of an ALS iteration walks its own rows without searching.

/// A sparse user × item matrix of interaction strengths.
#[derive(Debug, Clone, PartialEq)]
pub struct Interactions {
    n_users: usize,
    n_items: usize,
    user_ptr: Vec<usize>,
    user_items: Vec<u32>,
    user_vals: Vec<f32>,
    item_ptr: Vec<usize>,
    item_users: Vec<u32>,
    item_vals: Vec<f32>,
}

impl Interactions {
    /// Builds the matrix from `(user, item, strength)` triples; repeated pairs add up, and
    /// pairs outside `n_users × n_items` or with a strength that is not a positive finite
    /// number are left out.
    pub fn from_triples(n_users: usize, n_items: usize, triples: &[(u32, u32, f32)]) -> Self {
        let mut t: Vec<(u32, u32, f32)> = triples
            .iter()
            .copied()
            .filter(|(u, i, r)| {
                (*u as usize) < n_users && (*i as usize) < n_items && r.is_finite() && *r > 0.0
            })
            .collect();
        t.sort_unstable_by_key(|(u, i, _)| (*u, *i));
        t.dedup_by(|b, a| {
            if a.0 == b.0 && a.1 == b.1 {
                a.2 += b.2;
                true
            } else {
                false
            }
        });
        let mut user_ptr = vec![0usize; n_users + 1];
        for (u, _, _) in &t {
            user_ptr[*u as usize + 1] += 1;
        }
        for u in 0..n_users {
            user_ptr[u + 1] += user_ptr[u];
        }
        let user_items = t.iter().map(|(_, i, _)| *i).collect();
        let user_vals = t.iter().map(|(_, _, r)| *r).collect();
        let mut by_item = t.clone();
        by_item.sort_unstable_by_key(|(u, i, _)| (*i, *u));
        let mut item_ptr = vec![0usize; n_items + 1];
        for (_, i, _) in &by_item {
            item_ptr[*i as usize + 1] += 1;
        }
        for i in 0..n_items {
            item_ptr[i + 1] += item_ptr[i];
        }
        Interactions {
            n_users,
            n_items,
            user_ptr,
            user_items,
            user_vals,
            item_ptr,
            item_users: by_item.iter().map(|(u, _, _)| *u).collect(),
            item_vals: by_item.iter().map(|(_, _, r)| *r).collect(),
        }
    }

    /// Number of users (rows).
    pub fn n_users(&self) -> usize {
        self.n_users
    }

    /// Number of items (columns).
    pub fn n_items(&self) -> usize {
        self.n_items
    }

    /// Number of stored pairs.
    pub fn nnz(&self) -> usize {
        self.user_items.len()
    }

    /// The items of user `u` and their strengths.
    pub fn user(&self, u: usize) -> (&[u32], &[f32]) {
        let (a, b) = (self.user_ptr[u], self.user_ptr[u + 1]);
        (&self.user_items[a..b], &self.user_vals[a..b])
    }

    /// The users of item `i` and their strengths.
    pub fn item(&self, i: usize) -> (&[u32], &[f32]) {
        let (a, b) = (self.item_ptr[i], self.item_ptr[i + 1]);
        (&self.item_users[a..b], &self.item_vals[a..b])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_and_columns_agree_and_repeats_add_up() {
        let m = Interactions::from_triples(
            3,
            4,
            &[
                (0, 1, 1.0),
                (2, 3, 2.0),
                (0, 1, 0.5),
                (1, 0, 1.0),
                (5, 0, 1.0),
                (0, 2, -1.0),
            ],
        );
        assert_eq!(m.nnz(), 3);
        assert_eq!(m.user(0), (&[1u32][..], &[1.5f32][..]));
        assert_eq!(m.user(1).0, &[0]);
        assert_eq!(m.item(3), (&[2u32][..], &[2.0f32][..]));
        assert!(m.item(2).0.is_empty());
    }
}
