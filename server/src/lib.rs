//! The Shuzhai server: configuration, start-up, the HTTP router, demo data, and training
//! the recommender.
//!
//! `main.rs` only parses the command line and calls into [`startup`].

#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod analytics;
pub mod assets;
pub mod config;
pub mod covers;
pub mod export;
pub mod language;
pub mod media;
pub mod recsys;
pub mod security;
pub mod seed;
pub mod sitemap;
pub mod startup;
pub mod telemetry;
pub mod uploads;
