//! One module per page.

pub mod account;
pub mod admin;
pub mod auth;
pub mod catalog;
pub mod creator;
pub mod home;
pub mod item;
pub mod not_found;
pub mod privacy;
pub mod shop;
