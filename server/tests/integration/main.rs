//! The server's integration tests: real Shuzhai servers on random ports, each test module
//! with a server and an in-memory database of its own (see [`common::app`]), asked through
//! the real router like a browser would.
//!
//! They are modules of one test binary rather than sixteen: every binary is linked against
//! the whole store, the embedded database included, which cost minutes on each build.

#![allow(clippy::unwrap_used)]

mod accounts;
mod analytics;
mod authz;
mod catalog;
mod cli;
mod commerce;
mod common;
mod community;
mod editor;
mod media;
mod memberships_gifts;
mod moderation;
mod notes;
mod pages;
mod reading;
mod remote;
mod stripe;
