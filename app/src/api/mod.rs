//! Server functions: thin calls from pages into the domain services, one module per area.

pub mod account;
pub mod analytics;
pub mod catalog;
pub mod commerce;
pub mod community;
pub mod editor;
pub mod moderation;
pub mod notes;
pub mod profile;
pub mod reading;
pub mod reco;
