//! Wire types: what server functions send to the page, shared by server and browser.

pub mod catalog;
pub mod money;
