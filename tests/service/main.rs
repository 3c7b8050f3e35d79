//! Service tests: the business services against real databases (SQLite and a
//! PostgreSQL the tests start), real object storage and a real SMTP peer. One binary,
//! so the test run links once.

mod accounts;
mod bops;
mod cron;
mod feed;
mod jobs;
mod ledger;
mod mail;
mod music;
mod notifications;
mod onboarding;
mod payments;
mod payouts;
mod storage;
mod tips;
