//! One module per page.

pub mod account;
pub mod admin;
pub mod analytics;
pub mod auth;
pub mod catalog;
pub mod community;
pub mod creator;
pub mod editor;
pub mod gift;
pub mod home;
pub mod inbox;
pub mod item;
pub mod library;
pub mod membership;
pub mod not_found;
pub mod privacy;
pub mod reader;
pub mod shop;
pub mod studio;
