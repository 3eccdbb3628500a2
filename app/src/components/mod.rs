//! Reusable pieces of the pages.

pub mod cards;
pub mod charts;
pub mod forms;
pub mod layout;
pub mod notice;
pub mod player;
pub mod recommend;
pub mod seo;
pub mod upload;
