//! Server-only code: the database, the domain services and the state the server functions
//! use. None of it is compiled into the browser bundle (the whole module sits behind the
//! `ssr` feature, and with it every server-only crate).

pub mod access;
pub mod accounts;
pub mod analytics;
pub mod audit;
pub mod catalog;
pub mod commerce;
pub mod community;
pub mod courses;
pub mod db;
pub mod editor;
pub mod follows;
pub mod mail;
pub mod media;
pub mod migrate;
pub mod moderation;
pub mod notes;
pub mod password;
pub mod profile;
pub mod ratelimit;
pub mod reading;
pub mod reco;
pub mod sessions;
pub mod split;
pub mod state;
