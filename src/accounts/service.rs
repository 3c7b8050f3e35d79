//! Account services: sign-up, sign-in, sessions, email verification, password reset.
//!
//! Secrets never rest in the database: sessions and emailed tokens are 256-bit random
//! values stored as SHA-256 digests, passwords as argon2id hashes computed off the
//! async executor.
//!
//! Owns `users`, `sessions` and `account_tokens`.

use crate::db::query;
use std::sync::OnceLock;

use argon2::{
    Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier, Version,
    password_hash::SaltString,
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use rand::{RngCore, rngs::OsRng};
use sha2::{Digest, Sha256};

use super::{
    Email, Handle, Password, Role, SESSION_LIFETIME_MS, SessionUser, SignIn, SignUp, TokenPurpose,
    UserId,
};
use crate::{
    db::{Db, Tx},
    error::AppError,
    mail::{OutgoingEmail, templates},
    state::AppState,
    time::{DAY, now_ms},
};

#[derive(Debug, sqlx::FromRow)]
struct UserRow {
    id: i64,
    email: String,
    handle: String,
    display_name: String,
    role: String,
    email_verified_at: Option<i64>,
}

impl UserRow {
    fn into_session_user(self) -> Result<SessionUser, AppError> {
        let role = Role::parse(&self.role).map_err(|_| {
            AppError::internal(
                "unknown role in users table",
                &std::io::Error::other(self.role.clone()),
            )
        })?;
        Ok(SessionUser {
            id: UserId(self.id),
            display_name: self.display_name,
            handle: self.handle,
            email: self.email,
            role,
            email_verified: self.email_verified_at.is_some(),
        })
    }
}

const USER_COLUMNS: &str = "u.id, u.email, u.handle, u.display_name, u.role, u.email_verified_at";

/// argon2id with OWASP's first recommended setting (46 MiB, 1 pass, 1 lane).
fn argon2() -> Argon2<'static> {
    let params = Params::new(46 * 1024, 1, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password on the blocking pool.
pub async fn hash_password(password: &Password) -> Result<String, AppError> {
    let secret = password.expose().to_owned();
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        argon2()
            .hash_password(secret.as_bytes(), &salt)
            .map(|h| h.to_string())
    })
    .await
    .map_err(|e| AppError::internal("password hashing task", &e))?
    .map_err(|e| AppError::internal("password hashing", &std::io::Error::other(e.to_string())))
}

/// Checks a password against a stored hash on the blocking pool.
async fn verify_password(secret: String, hash: String) -> Result<bool, AppError> {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .map(|parsed| argon2().verify_password(secret.as_bytes(), &parsed).is_ok())
    })
    .await
    .map_err(|e| AppError::internal("password verification task", &e))?
    .map_err(|e| {
        AppError::internal(
            "stored password hash",
            &std::io::Error::other(e.to_string()),
        )
    })
}

/// A hash to verify against when the email is unknown, so both cases take as long.
fn dummy_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        argon2()
            .hash_password(b"not a real password", &salt)
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

/// A fresh 256-bit secret, URL-safe.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// What the database keeps of a secret.
pub fn digest(secret: &str) -> String {
    let hash = Sha256::digest(secret.as_bytes());
    hash.iter().map(|b| format!("{b:02x}")).collect()
}

/// A signed-in session: the user and the secret for their cookie.
#[derive(Debug)]
pub struct NewSession {
    pub user: SessionUser,
    pub token: String,
}

/// What a fan sign-up did. The person is told the same either way ("check your
/// inbox"), so the form never reveals who has an account; the difference only
/// decides which email goes out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignUpOutcome {
    /// A new, unverified account; its verification link signs the person in.
    Created(UserId),
    /// The address already has an account: its owner is emailed how to sign in or
    /// reset their password, and nothing else changes.
    AlreadyRegistered,
}

/// Creates a fan account and emails its verification link, or, when the address is
/// taken, emails its owner instead. Both take the same work (the password is hashed
/// either way). Artists start at the artist sign-up instead, where the account is
/// made once their plan is paid.
pub async fn sign_up(state: &AppState, input: SignUp) -> Result<SignUpOutcome, AppError> {
    if input.role != Role::Fan {
        return Err(AppError::field(
            "role",
            "Artists start by choosing a plan: continue at /artist/signup.",
        ));
    }
    let password_hash = hash_password(&input.password).await?;
    let mut tx = state.db.begin().await?;
    let new = NewUser {
        email: &input.email,
        name: input.name.as_str(),
        password_hash: &password_hash,
        role: input.role,
    };
    let outcome = match try_create_user(&mut tx, &new).await? {
        Some(id) => SignUpOutcome::Created(id),
        None => {
            send_already_registered(&mut tx, state, &input.email).await?;
            SignUpOutcome::AlreadyRegistered
        }
    };
    tx.commit().await?;
    Ok(outcome)
}

/// Tells the owner of an address that someone (probably they) tried to sign up again.
async fn send_already_registered(
    tx: &mut Tx,
    state: &AppState,
    to: &Email,
) -> Result<(), AppError> {
    let sign_in = state.settings.link("/signin");
    let reset = state.settings.link("/forgot-password");
    crate::mail::send_later(
        tx,
        templates::already_registered(to.clone(), &sign_in, &reset),
    )
    .await
}

/// An account to create.
pub struct NewUser<'a> {
    pub email: &'a Email,
    pub name: &'a str,
    pub password_hash: &'a str,
    pub role: Role,
}

/// Creates an account in `tx` with a free handle made from its name, queues the
/// verification email and emits `account.created`. Refuses an address that has an
/// account.
pub async fn create_user(tx: &mut Tx, new: &NewUser<'_>) -> Result<UserId, AppError> {
    try_create_user(tx, new).await?.ok_or_else(|| {
        AppError::field(
            "email",
            "An account with this email already exists. Sign in instead?",
        )
    })
}

/// [`create_user`], or `None` (writing nothing) when the address has an account.
async fn try_create_user(tx: &mut Tx, new: &NewUser<'_>) -> Result<Option<UserId>, AppError> {
    let now = now_ms();
    let base_handle = Handle::suggest(new.name)
        .or_else(|| Handle::suggest(new.email.as_str().split('@').next().unwrap_or_default()))
        .unwrap_or_else(Handle::fallback);
    let mut user_id = None;
    for attempt in 0..8u32 {
        let handle = if attempt == 0 {
            base_handle.clone()
        } else {
            base_handle.with_suffix(rand::random::<u32>() % 10_000)
        };
        const INSERT: &str = "INSERT INTO users (email, handle, display_name, password_hash, role, created_at, updated_at) \
                              VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT DO NOTHING RETURNING id";
        let id: Option<i64> = query(INSERT)
            .bind(new.email.as_str())
            .bind(handle.as_str())
            .bind(new.name)
            .bind(new.password_hash)
            .bind(new.role.as_str())
            .bind(now)
            .scalar_optional(&mut *tx)
            .await?;
        if let Some(id) = id {
            user_id = Some(id);
            break;
        }
        if email_taken(&mut *tx, new.email).await? {
            return Ok(None);
        }
    }
    let user_id = UserId(user_id.ok_or_else(|| {
        AppError::internal(
            "no free handle after 8 attempts",
            &std::io::Error::other(base_handle.to_string()),
        )
    })?);

    send_link(tx, user_id, TokenPurpose::VerifyEmail).await?;
    let created = crate::events::PlatformEvent::AccountCreated {
        user_id: user_id.0,
        display_name: new.name.to_owned(),
    };
    crate::events::bus::emit(tx, &created).await?;
    Ok(Some(user_id))
}

/// Whether a live account uses `email` (on the pool, or inside a transaction).
pub async fn email_taken<'a>(
    on: impl Into<crate::db::Exec<'a>>,
    email: &Email,
) -> Result<bool, AppError> {
    const SQL: &str = "SELECT COUNT(*) FROM users WHERE email = $1 AND deleted_at IS NULL";
    let n: i64 = query(SQL).bind(email.as_str()).scalar_one(on).await?;
    Ok(n > 0)
}

/// Signs in with email and password.
pub async fn sign_in(
    state: &AppState,
    input: SignIn,
    user_agent: Option<&str>,
) -> Result<NewSession, AppError> {
    const SQL: &str =
        "SELECT u.id, u.password_hash FROM users u WHERE u.email = $1 AND u.deleted_at IS NULL";
    let row: Option<(i64, String)> = query(SQL)
        .bind(input.email.as_str())
        .fetch_optional(&state.db)
        .await?;
    let (user_id, hash) = match row {
        Some((id, hash)) => (Some(id), hash),
        None => (None, dummy_hash().to_owned()),
    };
    let matches = verify_password(input.password, hash).await?;
    let Some(user_id) = user_id.filter(|_| matches).map(UserId) else {
        return Err(AppError::field(
            "password",
            "That email and password don't match. Try again, or reset your password.",
        ));
    };
    let mut tx = state.db.begin().await?;
    let token = insert_session(&mut tx, user_id, user_agent).await?;
    tx.commit().await?;
    let user = find_user(&state.db, user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(NewSession { user, token })
}

/// Starts a session for `user_id` in `tx`; returns the cookie secret.
pub async fn insert_session(
    tx: &mut Tx,
    user_id: UserId,
    user_agent: Option<&str>,
) -> Result<String, AppError> {
    const SQL: &str = "INSERT INTO sessions (token_hash, user_id, created_at, expires_at, user_agent) \
                       VALUES ($1, $2, $3, $4, $5)";
    let token = new_secret();
    let now = now_ms();
    let agent = user_agent.map(|a| a.chars().take(255).collect::<String>());
    query(SQL)
        .bind(digest(&token))
        .bind(user_id.0)
        .bind(now)
        .bind(now + SESSION_LIFETIME_MS)
        .bind(agent)
        .execute(&mut *tx)
        .await?;
    Ok(token)
}

/// The user a session cookie belongs to, if the session is live.
pub async fn session_user(db: &Db, token: &str) -> Result<Option<SessionUser>, AppError> {
    if token.is_empty() || token.len() > 128 {
        return Ok(None);
    }
    let sql = format!(
        "SELECT {USER_COLUMNS} FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.deleted_at IS NULL"
    );
    let row: Option<UserRow> = query(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(digest(token))
        .bind(now_ms())
        .fetch_optional(db)
        .await?;
    row.map(UserRow::into_session_user).transpose()
}

/// Ends one session.
pub async fn sign_out(db: &Db, token: &str) -> Result<(), AppError> {
    const SQL: &str = "DELETE FROM sessions WHERE token_hash = $1";
    query(SQL).bind(digest(token)).execute(db).await?;
    Ok(())
}

/// Ends every session of a user (after a password change).
async fn sign_out_everywhere(tx: &mut Tx, user_id: UserId) -> Result<(), AppError> {
    const SQL: &str = "DELETE FROM sessions WHERE user_id = $1";
    query(SQL).bind(user_id.0).execute(&mut *tx).await?;
    Ok(())
}

pub async fn find_user(db: &Db, id: UserId) -> Result<Option<SessionUser>, AppError> {
    let sql =
        format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1 AND u.deleted_at IS NULL");
    let row: Option<UserRow> = query(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(id.0)
        .fetch_optional(db)
        .await?;
    row.map(UserRow::into_session_user).transpose()
}

/// Creates a single-use token for `user_id` and queues the email with its link.
///
/// The secret never rests anywhere but in the message itself: the row starts with the
/// digest of a secret nobody knows, and the `accounts.send_link` job mints the real
/// one when it writes the email (so job payloads hold only the token's id).
async fn send_link(tx: &mut Tx, user_id: UserId, purpose: TokenPurpose) -> Result<(), AppError> {
    const SQL: &str = "INSERT INTO account_tokens (token_hash, user_id, purpose, created_at, expires_at) \
                       VALUES ($1, $2, $3, $4, $5) RETURNING id";
    let now = now_ms();
    let token_id: i64 = query(SQL)
        .bind(digest(&new_secret()))
        .bind(user_id.0)
        .bind(purpose.as_str())
        .bind(now)
        .bind(now + purpose.lifetime_ms())
        .scalar_one(&mut *tx)
        .await?;
    crate::jobs::worker::enqueue(
        tx,
        &SendAccountLink { token_id },
        crate::jobs::EnqueueOptions::default(),
    )
    .await
    .map(|_| ())
}

/// Emails the link of one account token (verification or reset), minting its secret
/// as it writes the message. A token used or expired meanwhile sends nothing; a retry
/// mints a new secret, so only the link in the email that went out works.
#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
pub struct SendAccountLink {
    pub token_id: i64,
}

#[async_trait::async_trait]
impl crate::jobs::worker::Job for SendAccountLink {
    const KIND: &'static str = "accounts.send_link";
    const MAX_ATTEMPTS: i32 = 12;

    async fn run(self, ctx: &crate::jobs::worker::JobContext) -> anyhow::Result<()> {
        let state = &ctx.state;
        const FIND: &str = "SELECT t.purpose, u.email, u.display_name FROM account_tokens t JOIN users u ON u.id = t.user_id \
                            WHERE t.id = $1 AND t.used_at IS NULL AND t.expires_at > $2 AND u.deleted_at IS NULL";
        let row: Option<(String, String, String)> = query(FIND)
            .bind(self.token_id)
            .bind(now_ms())
            .fetch_optional(&state.db)
            .await?;
        let Some((purpose, email, name)) = row else {
            return Ok(());
        };
        let purpose = TokenPurpose::parse(&purpose)
            .ok_or_else(|| anyhow::anyhow!("unknown token purpose {purpose}"))?;
        let to = Email::parse(&email).map_err(|m| anyhow::anyhow!("{m}"))?;
        let secret = new_secret();
        const MINT: &str =
            "UPDATE account_tokens SET token_hash = $2 WHERE id = $1 AND used_at IS NULL";
        let minted = query(MINT)
            .bind(self.token_id)
            .bind(digest(&secret))
            .execute(&state.db)
            .await?;
        if minted == 0 {
            return Ok(());
        }
        let message = link_email(state, purpose, to, &name, &secret);
        state
            .mailer
            .send(message)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))
    }
}

/// The email carrying an account link.
fn link_email(
    state: &AppState,
    purpose: TokenPurpose,
    to: Email,
    name: &str,
    secret: &str,
) -> OutgoingEmail {
    match purpose {
        TokenPurpose::VerifyEmail => {
            let link = state
                .settings
                .link(&format!("/verify-email?token={secret}"));
            templates::verify_email(to, name, &link)
        }
        TokenPurpose::ResetPassword => {
            let link = state
                .settings
                .link(&format!("/reset-password?token={secret}"));
            templates::reset_password(to, name, &link)
        }
    }
}

/// Marks a token used and returns its user; refuses an unknown, used or expired one.
/// The conditional update makes two concurrent uses race safely: one wins.
async fn consume_token(
    tx: &mut Tx,
    token: &str,
    purpose: TokenPurpose,
) -> Result<UserId, AppError> {
    const SQL: &str = "UPDATE account_tokens SET used_at = $1 \
                       WHERE token_hash = $2 AND purpose = $3 AND used_at IS NULL AND expires_at > $1 \
                       RETURNING user_id";
    let user: Option<i64> = query(SQL)
        .bind(now_ms())
        .bind(digest(token))
        .bind(purpose.as_str())
        .scalar_optional(&mut *tx)
        .await?;
    user.map(UserId).ok_or_else(|| {
        AppError::field(
            "token",
            "This link has expired or was already used. Ask for a new one.",
        )
    })
}

/// Confirms the email address a verification link was sent to (an explicit action:
/// the link's page asks first, so a link scanner following it consumes nothing).
/// Following the link proves the address, so it also signs the browser in when
/// `sign_in` is set: the new session's secret comes back with the user.
pub async fn verify_email(
    state: &AppState,
    token: &str,
    sign_in: bool,
    user_agent: Option<&str>,
) -> Result<(SessionUser, Option<String>), AppError> {
    let mut tx = state.db.begin().await?;
    let user_id = consume_token(&mut tx, token, TokenPurpose::VerifyEmail).await?;
    const SQL: &str = "UPDATE users SET email_verified_at = COALESCE(email_verified_at, $1), updated_at = $1 WHERE id = $2";
    query(SQL)
        .bind(now_ms())
        .bind(user_id.0)
        .execute(&mut tx)
        .await?;
    let session = if sign_in {
        Some(insert_session(&mut tx, user_id, user_agent).await?)
    } else {
        None
    };
    tx.commit().await?;
    let user = find_user(&state.db, user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((user, session))
}

/// Sends a new verification link to a signed-in user who has not verified yet.
pub async fn resend_verification(state: &AppState, user: &SessionUser) -> Result<(), AppError> {
    if user.email_verified {
        return Ok(());
    }
    let mut tx = state.db.begin().await?;
    send_link(&mut tx, user.id, TokenPurpose::VerifyEmail).await?;
    tx.commit().await
}

/// Emails a reset link if an account has this address. Answers the same either way,
/// so the form never reveals who has an account.
pub async fn request_password_reset(state: &AppState, email: &Email) -> Result<(), AppError> {
    const SQL: &str = "SELECT id FROM users WHERE email = $1 AND deleted_at IS NULL";
    let row: Option<i64> = query(SQL)
        .bind(email.as_str())
        .scalar_optional(&state.db)
        .await?;
    let Some(id) = row else {
        tracing::info!("password reset asked for an unknown address");
        return Ok(());
    };
    let mut tx = state.db.begin().await?;
    send_link(&mut tx, UserId(id), TokenPurpose::ResetPassword).await?;
    tx.commit().await
}

/// Sets a new password from a reset link; every existing session ends.
pub async fn reset_password(
    state: &AppState,
    token: &str,
    password: &Password,
) -> Result<UserId, AppError> {
    let hash = hash_password(password).await?;
    let mut tx = state.db.begin().await?;
    let user_id = consume_token(&mut tx, token, TokenPurpose::ResetPassword).await?;
    let now = now_ms();
    // Following the emailed link proves the address too.
    const SQL: &str = "UPDATE users SET password_hash = $1, updated_at = $2, \
                       email_verified_at = COALESCE(email_verified_at, $2) WHERE id = $3";
    query(SQL)
        .bind(&hash)
        .bind(now)
        .bind(user_id.0)
        .execute(&mut tx)
        .await?;
    sign_out_everywhere(&mut tx, user_id).await?;
    // Every other link that could sign in (a verification link, an older reset link)
    // and an artist sign-up's browser secret end here too.
    const END_LINKS: &str =
        "UPDATE account_tokens SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL";
    query(END_LINKS)
        .bind(user_id.0)
        .bind(now)
        .execute(&mut tx)
        .await?;
    crate::signup::end_secrets(&mut tx, user_id).await?;
    tx.commit().await?;
    Ok(user_id)
}

/// Removes expired sessions and tokens (the `accounts.purge_expired` schedule).
#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
pub struct PurgeExpired;

#[async_trait::async_trait]
impl crate::jobs::worker::Job for PurgeExpired {
    const KIND: &'static str = "accounts.purge_expired";
    const MAX_ATTEMPTS: i32 = 3;

    async fn run(self, ctx: &crate::jobs::worker::JobContext) -> anyhow::Result<()> {
        let removed = purge_expired(&ctx.state.db).await?;
        if removed > 0 {
            tracing::info!(removed, "purged expired sessions and tokens");
        }
        Ok(())
    }
}

/// Deletes expired sessions and tokens used or expired over a week ago.
pub async fn purge_expired(db: &Db) -> Result<u64, AppError> {
    let now = now_ms();
    const SESSIONS: &str = "DELETE FROM sessions WHERE expires_at <= $1";
    const TOKENS: &str = "DELETE FROM account_tokens WHERE expires_at <= $1 OR used_at <= $1";
    let a = query(SESSIONS).bind(now).execute(db).await?;
    let b = query(TOKENS).bind(now - 7 * DAY).execute(db).await?;
    Ok(a + b)
}

/// Gives `user` the handle `handle`; refused with a field error when another account
/// has it.
pub async fn set_handle(tx: &mut Tx, user: UserId, handle: &Handle) -> Result<(), AppError> {
    let taken = || AppError::field("handle", "That handle is taken. Try another.");
    const TAKEN: &str = "SELECT COUNT(*) FROM users WHERE handle = $1 AND id <> $2";
    let count: i64 = query(TAKEN)
        .bind(handle.as_str())
        .bind(user.0)
        .scalar_one(&mut *tx)
        .await?;
    if count > 0 {
        return Err(taken());
    }
    const SQL: &str = "UPDATE users SET handle = $2, updated_at = $3 WHERE id = $1";
    query(SQL)
        .bind(user.0)
        .bind(handle.as_str())
        .bind(now_ms())
        .unique_violation_is(taken())
        .execute(tx)
        .await?;
    Ok(())
}

/// Makes fan `user` an artist (their plan is paid).
pub async fn promote_to_artist(tx: &mut Tx, user: UserId) -> Result<(), AppError> {
    const SQL: &str =
        "UPDATE users SET role = 'artist', updated_at = $2 WHERE id = $1 AND role = 'fan'";
    query(SQL).bind(user.0).bind(now_ms()).execute(tx).await?;
    Ok(())
}
