//! The two simple models every other one must beat: popularity (how many learners touched
//! an item) and item–item cosine similarity ("learners who bought this also liked"):
//! sim(i, j) = Σ_u r_ui·r_uj / (‖r_i‖·‖r_j‖), keeping each item's nearest neighbours.

use super::data::Interactions;

/// Items by the number of learners who interacted with them.
#[derive(Debug, Clone)]
pub struct Popularity {
    counts: Vec<f32>,
}

impl Popularity {
    /// Counts the learners of every item.
    pub fn fit(data: &Interactions) -> Self {
        Popularity {
            counts: (0..data.n_items())
                .map(|i| data.item(i).0.len() as f32)
                .collect(),
        }
    }

    /// The same popularity for every learner.
    pub fn scores(&self, out: &mut [f32]) {
        out.copy_from_slice(&self.counts);
    }
}

/// Each item's most similar items.
#[derive(Debug, Clone)]
pub struct ItemItem {
    neighbours: Vec<Vec<(u32, f32)>>,
}

impl ItemItem {
    /// Computes cosine similarities from co-occurrence, keeping the `keep` nearest
    /// neighbours of every item.
    pub fn fit(data: &Interactions, keep: usize) -> Self {
        let n = data.n_items();
        let norms: Vec<f32> = (0..n)
            .map(|i| data.item(i).1.iter().map(|r| r * r).sum::<f32>().sqrt())
            .collect();
        let mut neighbours = Vec::with_capacity(n);
        let mut acc = vec![0f32; n];
        let mut touched: Vec<u32> = Vec::new();
        for i in 0..n {
            let (users, vals) = data.item(i);
            for (&u, &ri) in users.iter().zip(vals) {
                let (items, rs) = data.user(u as usize);
                for (&j, &rj) in items.iter().zip(rs) {
                    if j as usize != i {
                        if acc[j as usize] == 0.0 {
                            touched.push(j);
                        }
                        acc[j as usize] += ri * rj;
                    }
                }
            }
            let mut row: Vec<(u32, f32)> = touched
                .iter()
                .map(|&j| {
                    let d = norms[i] * norms[j as usize];
                    (j, if d > 0.0 { acc[j as usize] / d } else { 0.0 })
                })
                .collect();
            for &j in &touched {
                acc[j as usize] = 0.0;
            }
            touched.clear();
            row.sort_unstable_by(|a, b| b.1.partial_cmp(&a.1).unwrap_or(std::cmp::Ordering::Equal));
            row.truncate(keep);
            neighbours.push(row);
        }
        ItemItem { neighbours }
    }

    /// The neighbours of item `i`, most similar first.
    pub fn similar(&self, i: usize) -> &[(u32, f32)] {
        &self.neighbours[i]
    }

    /// Scores for a learner with `history` (items and strengths): the summed similarity of
    /// every item to what they have.
    pub fn scores(&self, history: (&[u32], &[f32]), out: &mut [f32]) {
        out.iter_mut().for_each(|x| *x = 0.0);
        for (&i, &r) in history.0.iter().zip(history.1) {
            for &(j, s) in &self.neighbours[i as usize] {
                out[j as usize] += s * r.clamp(0.5, 1.0);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_read_by_the_same_learners_are_neighbours() {
        let data = Interactions::from_triples(
            4,
            3,
            &[
                (0, 0, 1.0),
                (0, 1, 1.0),
                (1, 0, 1.0),
                (1, 1, 1.0),
                (2, 2, 1.0),
                (3, 0, 1.0),
            ],
        );
        let m = ItemItem::fit(&data, 10);
        assert_eq!(m.similar(0)[0].0, 1);
        assert!(m.similar(2).is_empty());
        let mut s = vec![0f32; 3];
        m.scores(data.user(2), &mut s);
        assert_eq!(s, vec![0.0, 0.0, 0.0]);
        let p = Popularity::fit(&data);
        p.scores(&mut s);
        assert_eq!(s, vec![3.0, 2.0, 1.0]);
    }
}
