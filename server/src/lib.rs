//! The door: configuration, the axum router, middleware and the subcommands of the
//! `boptone` binary.

pub mod config;
pub mod maintenance;
pub mod middleware;
pub mod routes;
pub mod startup;
pub mod telemetry;
