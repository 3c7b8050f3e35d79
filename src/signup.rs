//! Artist sign-up with a paid plan (SPEC ONB-2). A sign-up is a row in
//! `artist_signups` plus a provider checkout; the user and the artist profile are made
//! only when the checkout completes, by whichever comes first: the browser returning
//! from checkout or the provider's event. Until then the browser holding the sign-up's
//! secret can resume the checkout or start over.
//!
//! Owns `artist_signups` and `subscriptions`.

use crate::db::query;
use serde::{Deserialize, Serialize};

pub use crate::payments::PendingSignup;
use crate::payments::{
    SubscriptionStatus, Tier,
    provider::{CheckoutStatus, SubscriptionCheckout, SubscriptionState},
    routing::{Change, PaymentHandler, Reference},
};
use crate::{
    accounts::{
        DisplayName, Email, Password, Role, SessionUser, UserId,
        service::{self as accounts, NewUser},
    },
    db::{Db, Tx},
    error::{AppError, FieldError},
    events::{PlatformEvent, bus},
    state::AppState,
    time::now_ms,
};

text_enum! {
    /// Where a sign-up stands (`artist_signups.state`).
    pub enum SignupState {
        /// Waiting for its checkout.
        Open = "open",
        /// Paid: the artist exists.
        Complete = "complete",
        /// Given up (the browser started over, or another sign-up for the address did).
        Abandoned = "abandoned",
    }
}

/// The purpose of a sign-up's checkout (`signup:3`).
pub const PURPOSE: &str = "signup";

/// The cookie that remembers an unfinished sign-up in this browser.
pub const SIGNUP_COOKIE: &str = "bt_signup";
/// How long an unfinished sign-up can be resumed.
pub const SIGNUP_LIFETIME_MS: i64 = 7 * crate::time::DAY;

/// Who is signing up.
pub enum Applicant {
    /// Someone new: the account is created when checkout completes.
    New {
        name: DisplayName,
        email: Email,
        password: Password,
    },
    /// A signed-in fan becoming an artist.
    Existing(SessionUser),
}

/// The sign-up form as posted; `name`, `email` and `password` are ignored for a
/// signed-in user.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ArtistSignupForm {
    pub tier: String,
    pub name: String,
    pub email: String,
    pub password: String,
}

impl Applicant {
    /// Parses the form for someone not signed in, one message per bad field.
    pub fn parse_new(form: &ArtistSignupForm) -> Result<Self, AppError> {
        let mut errors = Vec::new();
        let name = DisplayName::parse(&form.name)
            .map_err(|m| errors.push(FieldError::new("name", m)))
            .ok();
        let email = Email::parse(&form.email)
            .map_err(|m| errors.push(FieldError::new("email", m)))
            .ok();
        let password = Password::parse(&form.password)
            .map_err(|m| errors.push(FieldError::new("password", m)))
            .ok();
        match (name, email, password) {
            (Some(name), Some(email), Some(password)) if errors.is_empty() => Ok(Self::New {
                name,
                email,
                password,
            }),
            _ => Err(AppError::Validation(errors)),
        }
    }
}

/// A started sign-up: the secret for the browser's cookie and where to pay.
#[derive(Debug)]
pub struct StartedSignup {
    pub secret: String,
    pub checkout_url: String,
}

#[derive(sqlx::FromRow)]
struct SignupRow {
    id: i64,
    secret_hash: String,
    email: String,
    display_name: String,
    password_hash: Option<String>,
    existing_user_id: Option<i64>,
    tier: String,
    checkout_session_id: Option<String>,
    #[sqlx(try_from = "String")]
    state: SignupState,
    user_id: Option<i64>,
    created_at: i64,
    secret_ended_at: Option<i64>,
}

const SIGNUP_COLUMNS: &str = "id, secret_hash, email, display_name, password_hash, existing_user_id, tier, \
                              checkout_session_id, state, user_id, created_at, secret_ended_at";

impl SignupRow {
    fn tier(&self) -> Tier {
        Tier::parse(&self.tier).unwrap_or(Tier::Starter)
    }

    /// Whether the browser secret can still be used: not used to sign in yet, not
    /// ended by a password change, not expired.
    fn secret_live(&self, now: i64) -> bool {
        self.secret_ended_at.is_none() && self.created_at + SIGNUP_LIFETIME_MS > now
    }

    /// Whether `secret` is this sign-up's browser secret and can still be used.
    fn secret_opens(&self, secret: &str, now: i64) -> bool {
        self.secret_live(now) && accounts::digest(secret) == self.secret_hash
    }
}

/// Starts an artist sign-up: records it and opens the plan's checkout.
pub async fn start(
    state: &AppState,
    tier: Tier,
    applicant: Applicant,
) -> Result<StartedSignup, AppError> {
    let now = now_ms();
    let (email, name, password_hash, existing) = match applicant {
        Applicant::New {
            name,
            email,
            password,
        } => {
            if accounts::email_taken(&state.db, &email).await? {
                return Err(AppError::field(
                    "email",
                    "An account with this email already exists. Sign in, then choose your plan.",
                ));
            }
            let hash = accounts::hash_password(&password).await?;
            (
                email.as_str().to_owned(),
                name.as_str().to_owned(),
                Some(hash),
                None,
            )
        }
        Applicant::Existing(user) => {
            if let Some(status) = current_plan(&state.db, user.id).await?
                && status.in_good_standing()
            {
                return Err(AppError::Conflict(
                    "You already have a plan. Manage it from your dashboard.".into(),
                ));
            }
            (
                user.email.clone(),
                user.display_name.clone(),
                None,
                Some(user.id.0),
            )
        }
    };

    supersede_open_signups(state, &email, existing.is_some()).await?;

    let secret = accounts::new_secret();
    const INSERT: &str = "INSERT INTO artist_signups (secret_hash, email, display_name, password_hash, existing_user_id, tier, state, created_at, updated_at) \
                          VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $7) RETURNING id";
    let id: i64 = query(INSERT)
        .bind(accounts::digest(&secret))
        .bind(&email)
        .bind(&name)
        .bind(&password_hash)
        .bind(existing)
        .bind(tier.as_str())
        .bind(now)
        .scalar_one(&state.db)
        .await?;
    let checkout_url = open_checkout(state, id, tier, &email, 0).await?;
    Ok(StartedSignup {
        secret,
        checkout_url,
    })
}

/// One live checkout per email: a new sign-up ends the earlier, unpaid checkouts of
/// the same email (another tab, another device), so one person cannot pay for two
/// plans. If one of them was paid meanwhile, that sign-up completes instead and this
/// one is refused.
async fn supersede_open_signups(
    state: &AppState,
    email: &str,
    signed_in: bool,
) -> Result<(), AppError> {
    const OPEN: &str =
        "SELECT id, checkout_session_id FROM artist_signups WHERE email = $1 AND state = 'open'";
    let open: Vec<(i64, Option<String>)> = query(OPEN).bind(email).fetch_all(&state.db).await?;
    for (id, session) in open {
        if let Some(session) = session {
            let current = state
                .payments
                .expire_checkout(&session)
                .await
                .map_err(|e| e.into_app_error("ending an earlier checkout"))?;
            if current.status == CheckoutStatus::Complete {
                complete_from_checkout(state, &session).await?;
                return Err(if signed_in {
                    AppError::Conflict(
                        "You already have a plan. Manage it from your dashboard.".into(),
                    )
                } else {
                    AppError::field(
                        "email",
                        "An account with this email already exists. Sign in, then choose your plan.",
                    )
                });
            }
        }
        const END: &str = "UPDATE artist_signups SET state = 'abandoned', updated_at = $2 WHERE id = $1 AND state = 'open'";
        query(END)
            .bind(id)
            .bind(now_ms())
            .execute(&state.db)
            .await?;
    }
    Ok(())
}

/// Opens a checkout for sign-up `id`; `attempt` makes a fresh idempotency key when an
/// earlier checkout expired.
async fn open_checkout(
    state: &AppState,
    id: i64,
    tier: Tier,
    email: &str,
    attempt: u32,
) -> Result<String, AppError> {
    let request = SubscriptionCheckout {
        signup_id: id,
        reference: Reference::new(PURPOSE, id).to_string(),
        tier,
        email: email.to_owned(),
        success_url: state
            .settings
            .link("/artist/signup/return?session_id={CHECKOUT_SESSION_ID}"),
        cancel_url: state.settings.link("/artist/signup?canceled=1"),
        idempotency_key: format!("artist-signup-{id}-checkout-{attempt}"),
    };
    let redirect = state
        .payments
        .create_subscription_checkout(&request)
        .await
        .map_err(|e| e.into_app_error("opening a subscription checkout"))?;
    const SQL: &str =
        "UPDATE artist_signups SET checkout_session_id = $2, updated_at = $3 WHERE id = $1";
    query(SQL)
        .bind(id)
        .bind(&redirect.session_id)
        .bind(now_ms())
        .execute(&state.db)
        .await?;
    Ok(redirect.url)
}

/// The status of `user`'s newest subscription, if any.
pub async fn current_plan(db: &Db, user: UserId) -> Result<Option<SubscriptionStatus>, AppError> {
    const SQL: &str = "SELECT status FROM subscriptions WHERE user_id = $1 ORDER BY updated_at DESC, id DESC LIMIT 1";
    let status: Option<String> = query(SQL).bind(user.0).scalar_optional(db).await?;
    Ok(status.as_deref().and_then(SubscriptionStatus::parse))
}

async fn find_by_secret(db: &Db, secret: &str) -> Result<Option<SignupRow>, AppError> {
    if secret.is_empty() || secret.len() > 128 {
        return Ok(None);
    }
    let sql = format!("SELECT {SIGNUP_COLUMNS} FROM artist_signups WHERE secret_hash = $1");
    let row: Option<SignupRow> = query(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(accounts::digest(secret))
        .fetch_optional(db)
        .await?;
    Ok(row.filter(|r| r.secret_live(now_ms())))
}

async fn find_by_checkout(db: &Db, session_id: &str) -> Result<Option<SignupRow>, AppError> {
    let sql = format!("SELECT {SIGNUP_COLUMNS} FROM artist_signups WHERE checkout_session_id = $1");
    let row: Option<SignupRow> = query(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(session_id)
        .fetch_optional(db)
        .await?;
    Ok(row)
}

/// The unfinished sign-up this browser started, if it can still be resumed.
pub async fn pending(db: &Db, secret: &str) -> Result<Option<PendingSignup>, AppError> {
    Ok(find_by_secret(db, secret)
        .await?
        .filter(|r| r.state == SignupState::Open)
        .map(|r| PendingSignup {
            tier: r.tier(),
            email: r.email.clone(),
        }))
}

/// Where to continue an unfinished sign-up: its open checkout, or a new one when the
/// old one expired. A checkout that completed meanwhile finishes the sign-up instead.
pub async fn resume(state: &AppState, secret: &str) -> Result<Resumed, AppError> {
    let row = find_by_secret(&state.db, secret)
        .await?
        .filter(|r| r.state == SignupState::Open)
        .ok_or(AppError::NotFound)?;
    if let Some(session_id) = &row.checkout_session_id {
        let session = state
            .payments
            .checkout_session(session_id)
            .await
            .map_err(|e| e.into_app_error("fetching a checkout session"))?;
        match session.status {
            CheckoutStatus::Open => {
                if let Some(url) = session.url {
                    return Ok(Resumed::Checkout(url));
                }
            }
            CheckoutStatus::Complete => return Ok(Resumed::Finish(session_id.clone())),
            CheckoutStatus::Expired => {}
        }
    }
    let attempt = u32::try_from((now_ms() - row.created_at).max(0) / 1000).unwrap_or(0);
    let url = open_checkout(state, row.id, row.tier(), &row.email, attempt.max(1)).await?;
    Ok(Resumed::Checkout(url))
}

/// What resuming a sign-up leads to.
#[derive(Debug, PartialEq, Eq)]
pub enum Resumed {
    /// Pay at this URL.
    Checkout(String),
    /// The checkout already completed: finish with this session id.
    Finish(String),
}

/// Gives up an unfinished sign-up (the browser starts over). A checkout paid
/// meanwhile still completes: money is never dropped.
pub async fn abandon(db: &Db, secret: &str) -> Result<(), AppError> {
    const SQL: &str = "UPDATE artist_signups SET state = 'abandoned', updated_at = $2 WHERE secret_hash = $1 AND state = 'open'";
    query(SQL)
        .bind(accounts::digest(secret))
        .bind(now_ms())
        .execute(db)
        .await?;
    Ok(())
}

/// Makes the user, the artist profile and the subscription of a completed checkout.
/// Idempotent and safe to race: returns the artist's id, or `None` while the checkout
/// is still open (or is not a sign-up).
pub async fn complete_from_checkout(
    state: &AppState,
    session_id: &str,
) -> Result<Option<UserId>, AppError> {
    let Some(signup) = find_by_checkout(&state.db, session_id).await? else {
        tracing::debug!(session_id, "checkout completed for no known sign-up");
        return Ok(None);
    };
    if signup.state == SignupState::Complete {
        return Ok(signup.user_id.map(UserId));
    }
    let session = state
        .payments
        .checkout_session(session_id)
        .await
        .map_err(|e| e.into_app_error("fetching a checkout session"))?;
    if session.status != CheckoutStatus::Complete {
        return Ok(None);
    }
    let subscription = match &session.subscription {
        Some(id) => Some(
            state
                .payments
                .subscription(id)
                .await
                .map_err(|e| e.into_app_error("fetching a subscription"))?,
        ),
        None => None,
    };

    let now = now_ms();
    let mut tx = state.db.begin_write().await?;
    const CLAIM: &str = "UPDATE artist_signups SET state = 'complete', updated_at = $2 WHERE id = $1 AND state <> 'complete'";
    let claimed = query(CLAIM)
        .bind(signup.id)
        .bind(now)
        .execute(&mut tx)
        .await?;
    if claimed == 0 {
        drop(tx);
        return Ok(find_by_checkout(&state.db, session_id)
            .await?
            .and_then(|r| r.user_id)
            .map(UserId));
    }
    let tier = subscription
        .as_ref()
        .and_then(|s| s.tier)
        .unwrap_or_else(|| signup.tier());
    let user_id = match signup.existing_user_id {
        Some(id) => {
            accounts::promote_to_artist(&mut tx, UserId(id)).await?;
            UserId(id)
        }
        None => {
            let email = Email::parse(&signup.email).map_err(|m| AppError::field("email", m))?;
            let password_hash = signup.password_hash.clone().unwrap_or_default();
            accounts::create_user(
                &mut tx,
                &NewUser {
                    email: &email,
                    name: &signup.display_name,
                    password_hash: &password_hash,
                    role: Role::Artist,
                },
            )
            .await?
        }
    };
    crate::artists::service::create_profile(&mut tx, user_id.0, &signup.display_name, tier).await?;
    const LINK: &str = "UPDATE artist_signups SET user_id = $2 WHERE id = $1";
    query(LINK)
        .bind(signup.id)
        .bind(user_id.0)
        .execute(&mut tx)
        .await?;
    if let Some(subscription) = &subscription {
        store_subscription(&mut tx, Some((user_id, tier)), subscription).await?;
    }
    bus::emit(
        &mut tx,
        &PlatformEvent::ArtistSignedUp {
            artist_id: user_id.0,
            tier: tier.as_str().to_owned(),
        },
    )
    .await?;
    tx.commit().await?;
    tracing::info!(artist = user_id.0, tier = tier.as_str(), "artist signed up");
    Ok(Some(user_id))
}

/// Records a subscription's state. With `owner`, a subscription seen for the first
/// time is attached to that artist; without, only a known one is updated. The plan's
/// tier is copied onto the artist's profile. Returns the artist's id if known.
pub async fn store_subscription(
    tx: &mut Tx,
    owner: Option<(UserId, Tier)>,
    subscription: &SubscriptionState,
) -> Result<Option<i64>, AppError> {
    let now = now_ms();
    let period_end = subscription.current_period_end.map(|s| s * 1000);
    let tier = subscription.tier.map(Tier::as_str);
    let user: Option<i64> = match owner {
        Some((user, fallback_tier)) => {
            const UPSERT: &str = "INSERT INTO subscriptions (user_id, provider_subscription_id, provider_customer_id, tier, status, current_period_end, cancel_at_period_end, created_at, updated_at) \
                                  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) \
                                  ON CONFLICT (provider_subscription_id) DO UPDATE SET tier = excluded.tier, status = excluded.status, \
                                  current_period_end = excluded.current_period_end, cancel_at_period_end = excluded.cancel_at_period_end, updated_at = excluded.updated_at \
                                  RETURNING user_id";
            query(UPSERT)
                .bind(user.0)
                .bind(&subscription.id)
                .bind(&subscription.customer)
                .bind(tier.unwrap_or(fallback_tier.as_str()))
                .bind(subscription.status.as_str())
                .bind(period_end)
                .bind(subscription.cancel_at_period_end)
                .bind(now)
                .scalar_optional(&mut *tx)
                .await?
        }
        None => {
            const UPDATE: &str = "UPDATE subscriptions SET tier = COALESCE($2, tier), status = $3, current_period_end = $4, \
                                  cancel_at_period_end = $5, updated_at = $6 WHERE provider_subscription_id = $1 RETURNING user_id";
            query(UPDATE)
                .bind(&subscription.id)
                .bind(tier)
                .bind(subscription.status.as_str())
                .bind(period_end)
                .bind(subscription.cancel_at_period_end)
                .bind(now)
                .scalar_optional(&mut *tx)
                .await?
        }
    };
    if let (Some(user), Some(tier)) = (user, subscription.tier) {
        crate::artists::service::set_tier(tx, user, tier).await?;
    }
    Ok(user)
}

/// How returning from checkout ended.
#[derive(Debug)]
pub enum Finished {
    /// The artist exists; `session` is a new session secret when this browser was not
    /// signed in as them yet.
    Ready {
        artist: UserId,
        session: Option<String>,
    },
    /// The payment is still being confirmed; the page checks again shortly.
    Pending,
}

/// The browser is back from checkout: completes the sign-up if the provider says so,
/// and signs this browser in as the new artist. Only the browser that started the
/// sign-up (its secret) or the signed-in account that is upgrading may finish it.
pub async fn finish(
    state: &AppState,
    session_id: &str,
    secret: Option<&str>,
    signed_in: Option<&SessionUser>,
    user_agent: Option<&str>,
) -> Result<Finished, AppError> {
    let signup = find_by_checkout(&state.db, session_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let by_secret = secret.is_some_and(|s| signup.secret_opens(s, now_ms()));
    let by_account = signed_in
        .is_some_and(|u| Some(u.id.0) == signup.existing_user_id || Some(u.id.0) == signup.user_id);
    if !by_secret && !by_account {
        return Err(AppError::NotFound);
    }
    let Some(artist) = complete_from_checkout(state, session_id).await? else {
        return Ok(Finished::Pending);
    };
    if signed_in.is_some_and(|u| u.id == artist) {
        return Ok(Finished::Ready {
            artist,
            session: None,
        });
    }
    // The secret signs in once: the conditional update lets one of two racing
    // returns win, and the loser is treated like any stranger.
    let mut tx = state.db.begin().await?;
    const CONSUME: &str =
        "UPDATE artist_signups SET secret_ended_at = $2 WHERE id = $1 AND secret_ended_at IS NULL";
    let consumed = query(CONSUME)
        .bind(signup.id)
        .bind(now_ms())
        .execute(&mut tx)
        .await?;
    if consumed == 0 {
        return Err(AppError::NotFound);
    }
    let token = accounts::insert_session(&mut tx, artist, user_agent).await?;
    tx.commit().await?;
    Ok(Finished::Ready {
        artist,
        session: Some(token),
    })
}

/// Ends the browser secrets of `user`'s sign-ups (their password changed: only the
/// new password signs in now).
pub async fn end_secrets(tx: &mut Tx, user: UserId) -> Result<(), AppError> {
    const SQL: &str = "UPDATE artist_signups SET secret_ended_at = $2 \
                       WHERE (user_id = $1 OR existing_user_id = $1) AND secret_ended_at IS NULL";
    query(SQL)
        .bind(user.0)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// Copies a subscription's current state from the provider; returns its artist's id
/// when Boptone knows the subscription (a checkout that has not completed yet records
/// it itself when it does).
pub async fn sync_subscription(state: &AppState, id: &str) -> Result<Option<i64>, AppError> {
    let current = state
        .payments
        .subscription(id)
        .await
        .map_err(|e| e.into_app_error("fetching a subscription"))?;
    let mut tx = state.db.begin().await?;
    let user = store_subscription(&mut tx, None, &current).await?;
    tx.commit().await?;
    Ok(user)
}

/// The provider's changes to sign-up checkouts and plan subscriptions.
pub struct SignupPayments;

#[async_trait::async_trait]
impl PaymentHandler for SignupPayments {
    async fn apply(
        &self,
        state: &AppState,
        change: &Change<'_>,
    ) -> Result<Vec<PlatformEvent>, AppError> {
        match *change {
            Change::Checkout {
                id,
                completed: true,
                ..
            } => {
                complete_from_checkout(state, id).await?;
            }
            Change::Subscription { id, payment_failed } => {
                let artist = sync_subscription(state, id).await?;
                if payment_failed && let Some(artist_id) = artist {
                    return Ok(vec![PlatformEvent::PlanPaymentFailed { artist_id }]);
                }
            }
            _ => {}
        }
        Ok(Vec::new())
    }
}
