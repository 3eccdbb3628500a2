//! One module per page.

pub mod catalog;
pub mod creator;
pub mod home;
pub mod item;
pub mod not_found;
