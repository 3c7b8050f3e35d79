//! The faces of Boptone: the route table, pages, shared components, and the server
//! functions they call. Server functions stay thin: parse, guard, call a service in
//! `boptone`, map the error.

pub mod api;
pub mod components;
pub mod contexts;
pub mod layouts;
pub mod pages;
mod routes;

pub use routes::{App, PROFILE_ROUTE, shell};
