//! `server eval`: the models side by side on MovieLens-style rating files (`user item
//! rating timestamp`, separated by tabs, commas, `::` or spaces; a header line is skipped).
//! Given one file, it is split at random (`--split 0.8 --seed N`). Every training rating
//! is a positive interaction; each model then ranks, for every test learner, all items they
//! did not touch in training (see [`super::metrics`]).

use super::als::AlsParams;
use super::data::Interactions;
use super::metrics::{ranking, rating_errors, Ranking};
use super::neighbours::{ItemItem, Popularity};
use super::sgd::SgdParams;
use super::Rng;
use anyhow::{bail, Context};
use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

/// One rating as read from a file.
#[derive(Debug, Clone, PartialEq)]
pub struct Rating {
    /// The learner's id in the file.
    pub user: String,
    /// The item's id in the file.
    pub item: String,
    /// The rating.
    pub rating: f32,
}

/// Reads a ratings file; lines that are not `user item rating …` (a header) are skipped.
pub fn read_ratings(path: &Path) -> anyhow::Result<Vec<Rating>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the ratings in {}", path.display()))?;
    let out: Vec<Rating> = text
        .lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line
                .split(['\t', ',', ' '])
                .flat_map(|f| f.split("::"))
                .filter(|f| !f.is_empty())
                .collect();
            let rating = fields.get(2)?.parse::<f32>().ok()?;
            Some(Rating {
                user: fields[0].to_string(),
                item: fields[1].to_string(),
                rating,
            })
        })
        .collect();
    if out.is_empty() {
        bail!("{} holds no `user item rating` lines", path.display());
    }
    Ok(out)
}

/// Splits `ratings` at random: `share` of them for training, the rest for testing.
pub fn split(mut ratings: Vec<Rating>, share: f64, seed: u64) -> (Vec<Rating>, Vec<Rating>) {
    Rng::new(seed).shuffle(&mut ratings);
    let cut = ((ratings.len() as f64) * share.clamp(0.0, 1.0)).round() as usize;
    let test = ratings.split_off(cut);
    (ratings, test)
}

/// What one model scored.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// `popularity`, `item-item`, `als`, `sgd-mf`.
    pub model: &'static str,
    /// Training time.
    pub fit_seconds: f64,
    /// Ranking quality at 10.
    pub ranking: Ranking,
    /// RMSE and MAE, for the model that predicts ratings.
    pub errors: Option<(f64, f64)>,
}

impl Report {
    /// One JSON object with the keys the benchmark records.
    pub fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "model": self.model,
            "fit_seconds": self.fit_seconds,
            "p_at_10": self.ranking.precision,
            "r_at_10": self.ranking.recall,
            "ndcg_at_10": self.ranking.ndcg,
            "map_at_10": self.ranking.map,
            "coverage": self.ranking.coverage,
            "rmse": self.errors.map(|e| e.0),
            "mae": self.errors.map(|e| e.1),
        })
    }
}

/// Fits every model on `train` and evaluates it on `test`.
pub fn evaluate(
    train: &[Rating],
    test: &[Rating],
    als: &AlsParams,
    sgd: &SgdParams,
) -> anyhow::Result<Vec<Report>> {
    let mut users: HashMap<&str, u32> = HashMap::new();
    let mut items: HashMap<&str, u32> = HashMap::new();
    for r in train.iter().chain(test) {
        let n = users.len() as u32;
        users.entry(&r.user).or_insert(n);
        let n = items.len() as u32;
        items.entry(&r.item).or_insert(n);
    }
    let triples = |rs: &[Rating], value: &dyn Fn(f32) -> f32| -> Vec<(u32, u32, f32)> {
        rs.iter()
            .map(|r| {
                (
                    users[r.user.as_str()],
                    items[r.item.as_str()],
                    value(r.rating),
                )
            })
            .collect()
    };
    let (nu, ni) = (users.len(), items.len());
    let positive = triples(train, &|_| 1.0);
    let train_m = Interactions::from_triples(nu, ni, &positive);
    let test_m = Interactions::from_triples(nu, ni, &triples(test, &|_| 1.0));
    let mut reports = Vec::new();

    let started = Instant::now();
    let pop = Popularity::fit(&train_m);
    let fit = started.elapsed().as_secs_f64();
    reports.push(Report {
        model: "popularity",
        fit_seconds: fit,
        ranking: ranking(&train_m, &test_m, |_, s| pop.scores(s)),
        errors: None,
    });

    let started = Instant::now();
    let knn = ItemItem::fit(&train_m, 100);
    let fit = started.elapsed().as_secs_f64();
    reports.push(Report {
        model: "item-item",
        fit_seconds: fit,
        ranking: ranking(&train_m, &test_m, |u, s| knn.scores(train_m.user(u), s)),
        errors: None,
    });

    let started = Instant::now();
    let model = als.fit(&train_m)?;
    let fit = started.elapsed().as_secs_f64();
    reports.push(Report {
        model: "als",
        fit_seconds: fit,
        ranking: ranking(&train_m, &test_m, |u, s| model.scores(u, s)),
        errors: None,
    });

    let explicit = triples(train, &|r| r);
    let started = Instant::now();
    let mf = sgd.fit(nu, ni, &explicit)?;
    let fit = started.elapsed().as_secs_f64();
    reports.push(Report {
        model: "sgd-mf",
        fit_seconds: fit,
        ranking: ranking(&train_m, &test_m, |u, s| mf.scores(u, s)),
        errors: Some(rating_errors(&triples(test, &|r| r), |u, i| {
            mf.predict(u, i).clamp(0.5, 5.0)
        })),
    });
    Ok(reports)
}

/// The table `server eval` prints.
pub fn table(reports: &[Report]) -> String {
    let mut out = format!(
        "{:<11} {:>8} {:>7} {:>7} {:>8} {:>7} {:>8} {:>6} {:>6}\n",
        "model", "fit s", "P@10", "R@10", "NDCG@10", "MAP@10", "coverage", "RMSE", "MAE"
    );
    for r in reports {
        let (rmse, mae) = match r.errors {
            Some((a, b)) => (format!("{a:.3}"), format!("{b:.3}")),
            None => ("–".into(), "–".into()),
        };
        out.push_str(&format!(
            "{:<11} {:>8.3} {:>7.4} {:>7.4} {:>8.4} {:>7.4} {:>8.3} {:>6} {:>6}\n",
            r.model,
            r.fit_seconds,
            r.ranking.precision,
            r.ranking.recall,
            r.ranking.ndcg,
            r.ranking.map,
            r.ranking.coverage,
            rmse,
            mae
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two taste groups rating twenty items; the learned models must beat popularity.
    #[test]
    fn personal_models_beat_popularity_on_data_with_tastes() {
        let mut ratings = Vec::new();
        let mut rng = Rng::new(3);
        for u in 0..120 {
            for i in 0..40 {
                let same = (u % 2) == (i % 2);
                // Items of the other taste are rarely touched; popular ones (low i) more.
                let p = if same { 0.45 } else { 0.06 } * if i < 10 { 1.4 } else { 1.0 };
                if rng.uniform() < p {
                    ratings.push(Rating {
                        user: format!("u{u}"),
                        item: format!("i{i}"),
                        rating: if same { 4.0 + rng.uniform() } else { 2.0 },
                    });
                }
            }
        }
        let (train, test) = split(ratings, 0.8, 1);
        let reports = evaluate(
            &train,
            &test,
            &AlsParams::default()
                .factors(8)
                .iterations(10)
                .alpha(5.0)
                .lambda(0.5),
            &SgdParams::default(),
        )
        .unwrap();
        let ndcg = |m: &str| reports.iter().find(|r| r.model == m).unwrap().ranking.ndcg;
        assert!(ndcg("als") > ndcg("popularity"), "{}", table(&reports));
        assert!(
            ndcg("item-item") > ndcg("popularity"),
            "{}",
            table(&reports)
        );
        let sgd = reports.iter().find(|r| r.model == "sgd-mf").unwrap();
        assert!(sgd.errors.unwrap().0 < 1.2, "{}", table(&reports));
        assert_eq!(reports[0].json()["rmse"], serde_json::Value::Null);
    }

    #[test]
    fn files_in_the_movielens_layouts_are_read() {
        let dir = std::env::temp_dir().join(format!("shuzhai-eval-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("r.inter");
        std::fs::write(
            &p,
            "user_id:token\titem_id:token\trating:float\ttimestamp:float\n1\t10\t4\t881250949\n2,20,3.5,1\n3::30::5::9\n",
        )
        .unwrap();
        let r = read_ratings(&p).unwrap();
        assert_eq!(r.len(), 3);
        assert_eq!(
            r[2],
            Rating {
                user: "3".into(),
                item: "30".into(),
                rating: 5.0
            }
        );
        std::fs::write(&p, "nothing here\n").unwrap();
        assert!(read_ratings(&p).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
