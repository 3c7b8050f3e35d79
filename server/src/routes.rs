//! HTTP routes outside Leptos: health, readiness, metrics, the realtime WebSocket.

pub mod health;
pub mod ws;
