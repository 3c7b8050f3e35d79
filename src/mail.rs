//! Outgoing email. [`Smtp`] delivers through an SMTP server (`SMTP_URL`); with none
//! configured, [`Mailbox`] keeps every message in the database, readable in the app at
//! `/dev/mailbox`, so sign-up and password reset work on one machine.
//!
//! Owns `mailbox_messages`.

pub mod templates;

use crate::db::query;
use std::sync::Arc;

use async_trait::async_trait;
use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{Mailbox as Address, header::ContentType},
};
use serde::{Deserialize, Serialize};

use crate::{
    accounts::Email,
    db::{Db, Tx},
    error::AppError,
    jobs::{
        EnqueueOptions,
        worker::{Job, JobContext, enqueue},
    },
    time::now_ms,
};

/// One message to one recipient, in plain text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutgoingEmail {
    pub to: Email,
    pub subject: String,
    pub body_text: String,
}

#[async_trait]
pub trait Mailer: Send + Sync + 'static {
    async fn send(&self, email: OutgoingEmail) -> Result<(), AppError>;

    /// True for the in-app mailbox, which the app then shows at `/dev/mailbox`.
    fn is_mailbox(&self) -> bool {
        false
    }
}

pub type SharedMailer = Arc<dyn Mailer>;

/// Delivers through an SMTP server given as a URL: `smtps://user:pass@host` (implicit
/// TLS, recommended), `smtp://user:pass@host:587?tls=required` (STARTTLS), or plain
/// `smtp://host:port` for a relay on the same machine or network.
pub struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Address,
}

impl Smtp {
    pub fn new(url: &str, from: &str) -> Result<Self, String> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| format!("SMTP_URL is not usable: {e}"))?
            .build();
        let from = from
            .parse()
            .map_err(|e| format!("MAIL_FROM is not an address: {e}"))?;
        Ok(Self { transport, from })
    }
}

#[async_trait]
impl Mailer for Smtp {
    async fn send(&self, email: OutgoingEmail) -> Result<(), AppError> {
        let to: Address = email
            .to
            .as_str()
            .parse()
            .map_err(|e| AppError::internal("recipient address", &e))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(email.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(email.body_text)
            .map_err(|e| AppError::internal("building email", &e))?;
        self.transport
            .send(message)
            .await
            .map_err(|e| AppError::internal("sending email over SMTP", &e))?;
        Ok(())
    }
}

/// Keeps messages in the `mailbox_messages` table.
pub struct Mailbox {
    db: Db,
}

impl Mailbox {
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

#[async_trait]
impl Mailer for Mailbox {
    async fn send(&self, email: OutgoingEmail) -> Result<(), AppError> {
        const SQL: &str = "INSERT INTO mailbox_messages (to_addr, subject, body_text, created_at) \
                           VALUES ($1, $2, $3, $4)";
        query(SQL)
            .bind(email.to.as_str())
            .bind(&email.subject)
            .bind(&email.body_text)
            .bind(now_ms())
            .execute(&self.db)
            .await?;
        tracing::info!(to = %email.to, subject = %email.subject, "email delivered to the in-app mailbox");
        Ok(())
    }

    fn is_mailbox(&self) -> bool {
        true
    }
}

/// Delivers one email: the outbox job, so a message exists if and only if the write
/// that caused it commits, and a mail server that is down only delays it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SendEmail(pub OutgoingEmail);

#[async_trait]
impl Job for SendEmail {
    const KIND: &'static str = "mail.send";
    const MAX_ATTEMPTS: i32 = 12;

    async fn run(self, ctx: &JobContext) -> anyhow::Result<()> {
        ctx.state
            .mailer
            .send(self.0)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))
    }
}

/// Queues `email` for delivery when `tx` commits.
pub async fn send_later(tx: &mut Tx, email: OutgoingEmail) -> Result<(), AppError> {
    enqueue(tx, &SendEmail(email), EnqueueOptions::default())
        .await
        .map(|_| ())
}

/// A message as the in-app mailbox lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct MailboxMessage {
    pub id: i64,
    pub to_addr: String,
    pub subject: String,
    pub body_text: String,
    pub created_at: i64,
}

/// The newest messages first, optionally only those to one address.
pub async fn list_mailbox(
    db: &Db,
    to: Option<&Email>,
    limit: i64,
) -> Result<Vec<MailboxMessage>, AppError> {
    const ALL: &str = "SELECT id, to_addr, subject, body_text, created_at FROM mailbox_messages \
                       ORDER BY id DESC LIMIT $1";
    const TO: &str = "SELECT id, to_addr, subject, body_text, created_at FROM mailbox_messages \
                      WHERE to_addr = $1 ORDER BY id DESC LIMIT $2";
    Ok(match to {
        None => query(ALL).bind(limit).fetch_all(db).await?,
        Some(to) => {
            query(TO)
                .bind(to.as_str())
                .bind(limit)
                .fetch_all(db)
                .await?
        }
    })
}
