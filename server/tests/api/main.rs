//! HTTP tests against the real server on a free port, on SQLite and PostgreSQL.
#![recursion_limit = "256"]

mod accounts;
mod admin;
mod engagement;
mod fake_stripe;
mod health;
mod helpers;
mod media;
mod money;
mod music;
mod onboarding;
mod pages;
mod realtime;
mod security;
