//! HTTP tests against the real server on a free port, on SQLite and PostgreSQL.

mod accounts;
mod admin;
mod health;
mod helpers;
mod pages;
mod realtime;
mod security;
