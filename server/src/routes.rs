//! HTTP routes outside Leptos: health, readiness, metrics.

pub mod health;
