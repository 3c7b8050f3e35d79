//! Requesting payouts and following them to the bank. The money leaves the available
//! balance in the same database transaction that records the payout and queues its
//! submission, so two requests for the same balance pay once and no payout is left
//! behind by a crash or a provider outage; the job asks the provider with the
//! payout's own idempotency keys (retried with backoff), and the provider's events
//! move the money on (paid) or back (failed).
//!
//! Owns `payouts` and `payout_schedules`.

use crate::db::query;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::{Frequency, PayoutView, PayoutsOverview, Stage};
use crate::{
    accounts::UserId,
    db::Db,
    error::AppError,
    events::{PlatformEvent, bus},
    fees::{self, MINIMUM_PAYOUT_CENTS, PayoutRefusal, PayoutSpeed},
    jobs::{
        EnqueueOptions,
        worker::{Job, JobContext, enqueue},
    },
    ledger::{
        Account, AccountKind, NewTransaction, Owner, Posting, TransactionKind, service as ledger,
    },
    money::format_amount,
    onboarding::service::{payout_account, require_capability, require_revenue_ready},
    payments::{
        Capability,
        provider::{PayoutRequest, PayoutState, PayoutStatus},
        routing::{Change, PaymentHandler, Reference},
    },
    state::AppState,
    time::{DAY, civil_date, now_ms},
};

const CURRENCY: &str = crate::money::PLATFORM_CURRENCY.as_str();

/// The purpose of a payout made at the provider (`payout:12`).
pub const PURPOSE: &str = "payout";

#[derive(sqlx::FromRow)]
struct PayoutRow {
    id: i64,
    artist_id: i64,
    amount_cents: i64,
    fee_cents: i64,
    currency: String,
    #[sqlx(try_from = "String")]
    speed: PayoutSpeed,
    #[sqlx(try_from = "String")]
    state: Stage,
    provider_payout_id: Option<String>,
    failure_message: Option<String>,
    created_at: i64,
    arrival_at: Option<i64>,
}

const COLUMNS: &str = "id, artist_id, amount_cents, fee_cents, currency, speed, state, provider_payout_id, \
                       failure_message, created_at, arrival_at";

/// A payout with the fingerprint of the request that made it.
#[derive(sqlx::FromRow)]
struct KeyedPayoutRow {
    #[sqlx(flatten)]
    row: PayoutRow,
    request_fingerprint: Option<String>,
}

impl From<PayoutRow> for PayoutView {
    fn from(r: PayoutRow) -> Self {
        Self {
            id: r.id,
            amount_cents: r.amount_cents,
            fee_cents: r.fee_cents,
            currency: r.currency,
            speed: r.speed,
            state: r.state,
            failure_message: r.failure_message,
            created_at: r.created_at,
            arrival_at: r.arrival_at,
        }
    }
}

fn account(artist: i64, kind: AccountKind) -> Account {
    Account::new(Owner::Artist(artist), kind, CURRENCY)
}

/// Pays `amount` cents of the artist's available balance out (the bank receives it
/// minus the instant fee). `key` makes a retried request pay once: it is stored scoped
/// to its artist and origin (the artist's form, or the schedule), so no one can take
/// another artist's key, and bound to the amount and speed, so a reuse that differs
/// is refused instead of answered with the first payout.
pub async fn request(
    state: &AppState,
    artist: UserId,
    amount: i64,
    speed: PayoutSpeed,
    key: &str,
    by_schedule: bool,
) -> Result<PayoutView, AppError> {
    let status = match speed {
        PayoutSpeed::Standard => require_revenue_ready(&state.db, artist).await?,
        PayoutSpeed::Instant => {
            require_capability(&state.db, artist, Capability::InstantPayouts).await?
        }
    };
    let _ = status;
    if key.len() < 8 || key.len() > 120 {
        return Err(AppError::field(
            "idempotency_key",
            "This form is out of date. Reload the page and try again.",
        ));
    }
    if payout_account(&state.db, artist).await?.is_none() {
        return Err(AppError::Gate {
            step: crate::onboarding::OnboardingStep::Payouts,
        });
    }
    let fee = fees::payout_fee(amount, speed);
    let now = now_ms();

    // Money leaves the available balance together with the payout's record.
    let mut tx = state.db.begin_write().await?;
    let scoped_key = format!(
        "{}:{}:{key}",
        if by_schedule { "schedule" } else { "artist" },
        artist.0
    );
    let fingerprint = crate::idempotency::fingerprint(&[&amount.to_string(), speed.as_str()]);
    let existing_sql = format!(
        "SELECT {COLUMNS}, request_fingerprint FROM payouts WHERE idempotency_key = $1 AND artist_id = $2"
    );
    let existing: Option<(PayoutRow, Option<String>)> =
        query(sqlx::AssertSqlSafe(existing_sql.as_str()))
            .bind(&scoped_key)
            .bind(artist.0)
            .fetch_optional(&mut tx)
            .await?
            .map(|r: KeyedPayoutRow| (r.row, r.request_fingerprint));
    let row = match existing {
        Some((row, stored)) if stored.as_deref() == Some(fingerprint.as_str()) => {
            drop(tx);
            row
        }
        Some(_) => {
            return Err(AppError::field(
                "idempotency_key",
                "This form was already used for another payout. Reload the page and try again.",
            ));
        }
        None => {
            let available =
                ledger::balance_in(&mut tx, &account(artist.0, AccountKind::Available)).await?;
            match fees::check_payout(amount, available) {
                Err(PayoutRefusal::BelowMinimum) => {
                    return Err(AppError::field(
                        "amount",
                        format!(
                            "The smallest payout is {}.",
                            format_amount(MINIMUM_PAYOUT_CENTS, CURRENCY)
                        ),
                    ));
                }
                Err(PayoutRefusal::ExceedsAvailable) => {
                    return Err(AppError::field(
                        "amount",
                        format!(
                            "You have {} available to pay out.",
                            format_amount(available, CURRENCY)
                        ),
                    ));
                }
                Ok(()) => {}
            }
            const INSERT: &str = "INSERT INTO payouts (artist_id, amount_cents, fee_cents, currency, speed, state, idempotency_key, requested_by, \
                                  request_fingerprint, created_at, updated_at) \
                                  VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7, $9, $8, $8) RETURNING id";
            let id: i64 = query(INSERT)
                .bind(artist.0)
                .bind(amount)
                .bind(fee)
                .bind(CURRENCY)
                .bind(speed.as_str())
                .bind(&scoped_key)
                .bind(if by_schedule { "schedule" } else { "artist" })
                .bind(now)
                .bind(&fingerprint)
                .scalar_one(&mut tx)
                .await?;
            let mut postings = vec![
                Posting {
                    account: account(artist.0, AccountKind::Available),
                    amount: -amount,
                },
                Posting {
                    account: account(artist.0, AccountKind::PayoutInFlight),
                    amount: amount - fee,
                },
            ];
            if fee > 0 {
                postings.push(Posting {
                    account: Account::new(Owner::Platform, AccountKind::Revenue, CURRENCY),
                    amount: fee,
                });
            }
            ledger::post(
                &mut tx,
                &NewTransaction {
                    idempotency_key: format!("payout:{id}"),
                    kind: TransactionKind::Payout,
                    memo: format!(
                        "{} payout",
                        if speed == PayoutSpeed::Instant {
                            "Instant"
                        } else {
                            "Standard"
                        }
                    ),
                    reference: Some(Reference::new(PURPOSE, id).to_string()),
                    artist_id: Some(artist.0),
                    postings,
                },
            )
            .await
            .map_err(|e| match e {
                AppError::Conflict(_) => {
                    AppError::field("amount", "That's more than your available balance.")
                }
                other => other,
            })?;
            enqueue(
                &mut tx,
                &SubmitPayout { payout: id },
                EnqueueOptions {
                    dedupe_key: Some(format!("payout-submit:{id}")),
                    max_attempts: Some(12),
                    ..EnqueueOptions::default()
                },
            )
            .await?;
            let row = load(&mut tx, id).await?.ok_or(AppError::NotFound)?;
            tx.commit().await?;
            row
        }
    };
    Ok(PayoutView::from(row))
}

/// Sends a recorded payout to the provider (queued with the payout). Safe to run any
/// number of times: every provider call carries the payout's idempotency keys.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SubmitPayout {
    /// `payouts.id`.
    pub payout: i64,
}

#[async_trait]
impl Job for SubmitPayout {
    const KIND: &'static str = "payouts.submit";

    async fn run(self, ctx: &JobContext) -> anyhow::Result<()> {
        submit(&ctx.state, self.payout).await?;
        Ok(())
    }
}

pub async fn submit(state: &AppState, id: i64) -> Result<(), AppError> {
    let Some(row) = load(&state.db, id).await? else {
        return Ok(());
    };
    if row.provider_payout_id.is_some() || row.state != Stage::Pending {
        return Ok(());
    }
    match payout_account(&state.db, UserId(row.artist_id)).await? {
        Some(account) => send_to_provider(state, &row, &account).await,
        None => fail(state, row.id, "There is no payout account to pay.", false).await,
    }
}

/// Asks the provider to pay; a provider refusal fails the payout (money returns). The
/// instant fee is collected from the payout account first.
async fn send_to_provider(
    state: &AppState,
    row: &PayoutRow,
    provider_account: &str,
) -> Result<(), AppError> {
    if row.fee_cents > 0 {
        let collected = state
            .payments
            .collect_fee(
                provider_account,
                row.fee_cents,
                &row.currency,
                &format!("payout-fee-{}", row.id),
            )
            .await;
        match collected {
            Ok(()) => {}
            Err(crate::payments::provider::ProviderError::Refused { message, .. }) => {
                return fail(state, row.id, &message, false).await;
            }
            Err(other) => return Err(other.into_app_error("collecting an instant payout fee")),
        }
    }
    let result = state
        .payments
        .create_payout(&PayoutRequest {
            account: provider_account.to_owned(),
            amount: row.amount_cents - row.fee_cents,
            currency: row.currency.clone(),
            instant: row.speed == PayoutSpeed::Instant,
            reference: Reference::new(PURPOSE, row.id).to_string(),
            idempotency_key: format!("payout-{}", row.id),
        })
        .await;
    match result {
        Ok(provider) => link(state, row.id, &provider).await,
        Err(crate::payments::provider::ProviderError::Refused { message, .. }) => {
            fail(state, row.id, &message, row.fee_cents > 0).await
        }
        Err(other) => Err(other.into_app_error("requesting a payout")),
    }
}

/// Records the provider's payout on ours (once; later calls change nothing).
async fn link(state: &AppState, id: i64, provider: &PayoutState) -> Result<(), AppError> {
    const SQL: &str = "UPDATE payouts SET provider_payout_id = $2, state = CASE WHEN state = 'pending' THEN 'in_transit' ELSE state END, \
                       arrival_at = $3, updated_at = $4 WHERE id = $1 AND provider_payout_id IS NULL";
    query(SQL)
        .bind(id)
        .bind(&provider.id)
        .bind(provider.arrival_date.map(|s| s * 1000))
        .bind(now_ms())
        .execute(&state.db)
        .await?;
    Ok(())
}

/// Applies a provider payout's current state (from its events). Idempotent. The
/// payout is found by the provider's id, or by `reference` (`payout:12`, echoed in the
/// payout's metadata) when its event arrives before the provider's answer was stored.
pub async fn sync(
    state: &AppState,
    provider_payout_id: &str,
    reference: Option<&str>,
) -> Result<(), AppError> {
    let ours = Reference::id_of(reference, PURPOSE);
    let sql = format!(
        "SELECT {COLUMNS} FROM payouts WHERE provider_payout_id = $1 OR (id = $2 AND provider_payout_id IS NULL)"
    );
    let row: Option<PayoutRow> = query(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(provider_payout_id)
        .bind(ours)
        .fetch_optional(&state.db)
        .await?;
    let Some(row) = row else {
        return Ok(());
    };
    let account = payout_account(&state.db, UserId(row.artist_id)).await?;
    let current = state
        .payments
        .payout(account.as_deref().unwrap_or_default(), provider_payout_id)
        .await
        .map_err(|e| e.into_app_error("fetching a payout"))?;
    if row.provider_payout_id.is_none() {
        link(state, row.id, &current).await?;
    }
    match current.status {
        PayoutStatus::Paid => paid(state, &row).await,
        PayoutStatus::Failed | PayoutStatus::Canceled => {
            fail(
                state,
                row.id,
                current
                    .failure_message
                    .as_deref()
                    .unwrap_or("The bank refused the payout."),
                row.fee_cents > 0,
            )
            .await
        }
        PayoutStatus::Pending | PayoutStatus::InTransit => Ok(()),
    }
}

async fn paid(state: &AppState, row: &PayoutRow) -> Result<(), AppError> {
    let mut tx = state.db.begin_write().await?;
    const CLAIM: &str = "UPDATE payouts SET state = 'paid', updated_at = $2 WHERE id = $1 AND state IN ('pending', 'in_transit')";
    if query(CLAIM)
        .bind(row.id)
        .bind(now_ms())
        .execute(&mut tx)
        .await?
        == 1
    {
        let net = row.amount_cents - row.fee_cents;
        ledger::post(
            &mut tx,
            &NewTransaction {
                idempotency_key: format!("payout.paid:{}", row.id),
                kind: TransactionKind::PayoutPaid,
                memo: "Paid to your bank".into(),
                reference: Some(Reference::new(PURPOSE, row.id).to_string()),
                artist_id: Some(row.artist_id),
                postings: vec![
                    Posting {
                        account: account(row.artist_id, AccountKind::PayoutInFlight),
                        amount: -net,
                    },
                    Posting {
                        account: Account::new(
                            Owner::External,
                            AccountKind::BankPayouts,
                            &row.currency,
                        ),
                        amount: net,
                    },
                ],
            },
        )
        .await?;
        bus::emit(
            &mut tx,
            &PlatformEvent::PayoutPaid {
                payout_id: row.id,
                artist_id: row.artist_id,
                amount_cents: net,
                currency: row.currency.clone(),
            },
        )
        .await?;
    }
    tx.commit().await
}

/// Fails a payout: the whole amount (fee included) returns to the available balance;
/// a fee already collected at the provider goes back to the payout account first.
async fn fail(
    state: &AppState,
    id: i64,
    message: &str,
    fee_collected: bool,
) -> Result<(), AppError> {
    if fee_collected {
        let row = load(&state.db, id).await?.ok_or(AppError::NotFound)?;
        if row.state != Stage::Failed {
            let account = payout_account(&state.db, UserId(row.artist_id)).await?;
            state
                .payments
                .return_fee(
                    account.as_deref().unwrap_or_default(),
                    row.fee_cents,
                    &row.currency,
                    &format!("payout-fee-return-{id}"),
                )
                .await
                .map_err(|e| e.into_app_error("returning an instant payout fee"))?;
        }
    }
    let mut tx = state.db.begin_write().await?;
    let row = load(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    const CLAIM: &str = "UPDATE payouts SET state = 'failed', failure_message = $2, updated_at = $3 WHERE id = $1 AND state IN ('pending', 'in_transit')";
    if query(CLAIM)
        .bind(id)
        .bind(message)
        .bind(now_ms())
        .execute(&mut tx)
        .await?
        == 1
    {
        let net = row.amount_cents - row.fee_cents;
        let mut postings = vec![
            Posting {
                account: account(row.artist_id, AccountKind::PayoutInFlight),
                amount: -net,
            },
            Posting {
                account: account(row.artist_id, AccountKind::Available),
                amount: row.amount_cents,
            },
        ];
        if row.fee_cents > 0 {
            postings.push(Posting {
                account: Account::new(Owner::Platform, AccountKind::Revenue, &row.currency),
                amount: -row.fee_cents,
            });
        }
        ledger::post(
            &mut tx,
            &NewTransaction {
                idempotency_key: format!("payout.failed:{id}"),
                kind: TransactionKind::PayoutFailed,
                memo: "Payout failed: returned to your balance".into(),
                reference: Some(Reference::new(PURPOSE, id).to_string()),
                artist_id: Some(row.artist_id),
                postings,
            },
        )
        .await?;
    }
    tx.commit().await
}

/// Payout `id`, on the pool or inside a transaction.
async fn load<'a>(
    on: impl Into<crate::db::Exec<'a>>,
    id: i64,
) -> Result<Option<PayoutRow>, AppError> {
    let sql = format!("SELECT {COLUMNS} FROM payouts WHERE id = $1");
    query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(on)
        .await
}

pub async fn frequency(db: &Db, artist: UserId) -> Result<Frequency, AppError> {
    let f: Option<String> = query("SELECT frequency FROM payout_schedules WHERE artist_id = $1")
        .bind(artist.0)
        .scalar_optional(db)
        .await?;
    Ok(f.as_deref()
        .and_then(Frequency::parse)
        .unwrap_or(Frequency::Manual))
}

pub async fn set_frequency(db: &Db, artist: UserId, frequency: Frequency) -> Result<(), AppError> {
    require_revenue_ready(db, artist).await?;
    const SQL: &str = "INSERT INTO payout_schedules (artist_id, frequency, updated_at) VALUES ($1, $2, $3) \
                       ON CONFLICT (artist_id) DO UPDATE SET frequency = excluded.frequency, updated_at = excluded.updated_at";
    query(SQL)
        .bind(artist.0)
        .bind(frequency.as_str())
        .bind(now_ms())
        .execute(db)
        .await?;
    Ok(())
}

/// The payouts page: balances, schedule, history (newest first).
pub async fn overview(db: &Db, artist: UserId) -> Result<PayoutsOverview, AppError> {
    let status = crate::onboarding::service::status(db, artist)
        .await?
        .ok_or(AppError::Gate {
            step: crate::onboarding::OnboardingStep::Plan,
        })?;
    let sql = format!(
        "SELECT {COLUMNS} FROM payouts WHERE artist_id = $1 ORDER BY created_at DESC, id DESC LIMIT 50"
    );
    let rows: Vec<PayoutRow> = query(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(artist.0)
        .fetch_all(db)
        .await?;
    Ok(PayoutsOverview {
        currency: CURRENCY.into(),
        balances: ledger::artist_balances(db, artist.0, CURRENCY).await?,
        frequency: frequency(db, artist).await?,
        instant_allowed: status.tier.allows(Capability::InstantPayouts),
        minimum_cents: MINIMUM_PAYOUT_CENTS,
        history: rows.into_iter().map(PayoutView::from).collect(),
    })
}

/// Requests the scheduled payouts due today (cron, daily): the whole available
/// balance, when at least the minimum. One per artist per day, by key.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ScheduledPayouts;

#[async_trait]
impl Job for ScheduledPayouts {
    const KIND: &'static str = "payouts.scheduled";

    async fn run(self, ctx: &JobContext) -> anyhow::Result<()> {
        run_scheduled(&ctx.state, now_ms()).await?;
        Ok(())
    }
}

/// Requests one artist's scheduled payout of their whole available balance (at most
/// once a day, by key); `false` when there is nothing to pay or they cannot be paid.
async fn scheduled_payout(state: &AppState, artist: UserId, now: i64) -> Result<bool, AppError> {
    let available = ledger::artist_balances(&state.db, artist.0, CURRENCY)
        .await?
        .available;
    if available < MINIMUM_PAYOUT_CENTS {
        return Ok(false);
    }
    let key = format!("day-{}", now.div_euclid(DAY));
    match request(state, artist, available, PayoutSpeed::Standard, &key, true).await {
        Ok(_) => Ok(true),
        Err(AppError::Gate { .. } | AppError::Validation(_)) => Ok(false),
        Err(other) => Err(other),
    }
}

pub async fn run_scheduled(state: &AppState, now: i64) -> Result<usize, AppError> {
    let (_, _, day) = civil_date(now);
    // 1970-01-01 was a Thursday: Monday is 0.
    let weekday = u32::try_from((now.div_euclid(DAY) + 3).rem_euclid(7)).unwrap_or(0);
    let rows: Vec<(i64, String)> = query(
        "SELECT artist_id, frequency FROM payout_schedules WHERE frequency <> 'manual' ORDER BY artist_id").fetch_all(&state.db).await?;
    let mut requested = 0;
    let mut failed = Vec::new();
    for (artist, frequency) in rows {
        let due = Frequency::parse(&frequency).is_some_and(|f| f.due_on(weekday, day));
        if !due {
            continue;
        }
        // One artist's failure never stops the others' payouts: it is logged, the rest
        // are paid, and the job then fails (retried, shown at /admin/jobs).
        match scheduled_payout(state, UserId(artist), now).await {
            Ok(made) => requested += usize::from(made),
            Err(err) => {
                tracing::warn!(artist, error = %err, "scheduled payout failed");
                failed.push(artist);
            }
        }
    }
    if !failed.is_empty() {
        return Err(AppError::internal(
            "scheduled payouts failed for some artists",
            &std::io::Error::other(format!("artists {failed:?}")),
        ));
    }
    Ok(requested)
}

/// Copies a payout account's current state from the provider onto its artist; the
/// first time payouts turn on, that is recorded as a funnel step.
pub async fn sync_payout_account(state: &AppState, id: &str) -> Result<(), AppError> {
    let account = state
        .payments
        .account(id)
        .await
        .map_err(|e| e.into_app_error("fetching a payout account"))?;
    let mut tx = state.db.begin().await?;
    let newly_enabled = crate::artists::service::set_payout_state(
        &mut tx,
        &account.id,
        account.payouts_enabled,
        account.details_submitted,
    )
    .await?;
    if let Some(artist_id) = newly_enabled {
        bus::emit(&mut tx, &PlatformEvent::PayoutsEnabled { artist_id }).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The provider's changes to payouts and payout accounts.
pub struct PayoutPayments;

#[async_trait]
impl PaymentHandler for PayoutPayments {
    async fn apply(
        &self,
        state: &AppState,
        change: &Change<'_>,
    ) -> Result<Vec<PlatformEvent>, AppError> {
        match *change {
            Change::Payout { id, reference } => sync(state, id, reference).await?,
            Change::Account { id } => sync_payout_account(state, id).await?,
            Change::Checkout { .. }
            | Change::Payment { .. }
            | Change::Refund { .. }
            | Change::Subscription { .. } => {}
        }
        Ok(Vec::new())
    }
}
