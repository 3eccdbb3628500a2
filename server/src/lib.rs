//! The Shuzhai server: configuration, start-up, the HTTP router, demo data.
//!
//! `main.rs` only parses the command line and calls into [`startup`].

#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod config;
pub mod covers;
pub mod export;
pub mod security;
pub mod seed;
pub mod startup;
pub mod telemetry;
