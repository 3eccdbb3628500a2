//! The recommendation code in the browser: the same inputs rank the same as natively (the
//! parity case's expected rows are asserted by `app`'s native tests too), and — run on
//! demand by `bench/reco-wasm` — how long scoring and top-10 take over 100,000 items × 64
//! factors in Chromium.
//!
//! `.ci/test` runs it with `wasm-bindgen-test-runner` and Debian's chromedriver.

#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used)]

use app::reco::factors::FactorFile;
use app::reco::score::{fold_in, rank, RankOptions};
use app::reco::synthetic::{catalogue, history, parity_rankings, PARITY_SIMILAR, PARITY_TOP};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn the_parity_case_ranks_in_the_browser_as_it_does_natively() {
    let (top, similar) = parity_rankings().unwrap();
    assert_eq!(top, PARITY_TOP);
    assert_eq!(similar, PARITY_SIMILAR);
}

fn now() -> f64 {
    web_sys::window().unwrap().performance().unwrap().now()
}

/// Prints the time of fold-in + scoring + top-10 over 100,000 items × 64 factors (median
/// and slowest of 30 runs), and of decoding the file. A benchmark, not a test: it asserts
/// nothing about time.
#[wasm_bindgen_test]
#[ignore = "a benchmark: bench/reco-wasm runs it"]
fn bench_scoring_100k_items_64_factors() {
    let file = catalogue(100_000, 64, 40, 7);
    let bytes = file.encode();
    let t = now();
    let file = FactorFile::decode(&bytes).unwrap();
    let decode_ms = now() - t;
    let history = history(&file, 5, 20);
    let owned: Vec<usize> = history.iter().map(|(i, _)| *i).collect();
    let mut user = vec![0f32; file.k];
    let mut scratch = Vec::with_capacity(file.len());
    let mut times = Vec::new();
    let mut last = Vec::new();
    for _ in 0..30 {
        let t = now();
        fold_in(&file, &history, &mut user).unwrap();
        last = rank(&file, &user, &owned, RankOptions::default(), &mut scratch);
        times.push(now() - t);
    }
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    web_sys::console::log_1(
        &format!(
            "BENCH reco wasm: items=100000 k=64 file_bytes={} decode_ms={decode_ms:.1} score_top10_ms median={:.2} max={:.2} (top row {})",
            bytes.len(),
            times[times.len() / 2],
            times[times.len() - 1],
            last[0].0
        )
        .into(),
    );
}
