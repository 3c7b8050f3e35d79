//! HTTP routes outside Leptos: health, readiness, metrics, the realtime WebSocket,
//! uploads and media, and payment webhooks.

pub mod health;
pub mod uploads;
pub mod webhooks;
pub mod ws;
