//! Wire types: what server functions send to the page, shared by server and browser.

pub mod account;
pub mod analytics;
pub mod catalog;
pub mod commerce;
pub mod community;
pub mod editor;
pub mod i18n;
pub mod media;
pub mod moderation;
pub mod money;
pub mod notes;
pub mod profile;
pub mod reading;
pub mod reco;
