//! Taking a tip: the gate and the per-fan limit, a hosted checkout paid to the artist's
//! payout account, and — when the provider confirms the payment — the ledger posting,
//! the artist's notification and the fan's receipt, exactly once.

use super::{TIP_COLUMNS, TipRow, settle_tip};
use crate::{
    accounts::SessionUser,
    db::{Tx, query},
    error::AppError,
    events::{PlatformEvent, bus},
    ledger::{
        Account, AccountKind, NewTransaction, Owner, Posting, TransactionKind, service as ledger,
    },
    mail::templates,
    money::{Currency, Money, PLATFORM_CURRENCY, format_amount},
    onboarding::service::require_revenue_ready,
    payments::{
        provider::{CheckoutStatus, PaymentCheckout},
        routing::Reference,
    },
    state::AppState,
    time::{HOUR, now_ms},
    tips::{PURPOSE, TipInput, TipReceipt, TipState},
};

#[derive(sqlx::FromRow)]
struct ArtistRow {
    user_id: i64,
    stage_name: String,
    tips_enabled: bool,
    payout_account_id: Option<String>,
}

/// Starts a tip and returns the checkout URL to pay at. Refused, writing nothing,
/// when the artist cannot receive money (the gate) or the fan hit the hourly limit.
///
/// A guest is counted by `client` (their address), never by the email they typed: a
/// stranger typing someone's address cannot use up that person's allowance. The
/// idempotency key belongs to its owner (the signed-in fan, or guests) and to the
/// exact tip it was first used for: the same key with another amount, artist or
/// message is refused rather than answered with the first tip's checkout.
pub async fn start(
    state: &AppState,
    fan: Option<&SessionUser>,
    client: &str,
    input: &TipInput,
) -> Result<String, AppError> {
    const ARTIST: &str = "SELECT p.user_id, p.stage_name, p.tips_enabled, p.payout_account_id FROM artist_profiles p \
                          JOIN users u ON u.id = p.user_id WHERE u.handle = $1 AND u.deleted_at IS NULL AND p.deleted_at IS NULL";
    let artist: ArtistRow = query(ARTIST)
        .bind(&input.handle)
        .fetch_optional(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let refused = || {
        AppError::Conflict(format!(
            "{} can't receive tips yet. Check back soon!",
            artist.stage_name
        ))
    };
    // The gate: the artist must be able to receive money.
    match require_revenue_ready(&state.db, crate::accounts::UserId(artist.user_id)).await {
        Ok(_) => {}
        Err(AppError::Gate { .. }) => return Err(refused()),
        Err(other) => return Err(other),
    }
    let destination = artist.payout_account_id.clone().ok_or_else(refused)?;
    if !artist.tips_enabled {
        return Err(refused());
    }
    if fan.is_some_and(|f| f.id.0 == artist.user_id) {
        return Err(AppError::Conflict("You can't tip yourself.".into()));
    }
    // A tip from a Bop names one of this artist's live Bops; any other is not found.
    if let Some(bop) = input.bop
        && !crate::bops::service::is_live(&state.db, bop, artist.user_id).await?
    {
        return Err(AppError::NotFound);
    }
    let (fan_id, fan_email) = match (fan, &input.guest_email) {
        (Some(f), _) => (Some(f.id.0), f.email.clone()),
        (None, Some(email)) => (None, email.as_str().to_owned()),
        (None, None) => {
            return Err(AppError::field(
                "email",
                "Enter your email for the receipt.",
            ));
        }
    };
    // A guest is their email *from their address*: a stranger typing someone's email
    // from elsewhere has an allowance of their own, and an audience on one venue's
    // network is not one fan.
    let fan_key = fan_id.map_or_else(
        || format!("guest:{fan_email}|{client}"),
        |id| format!("user:{id}"),
    );
    let key = match fan_id {
        Some(id) => format!("user:{id}:{}", input.idempotency_key),
        None => format!("guest:{}", input.idempotency_key),
    };
    let fingerprint = crate::idempotency::fingerprint(&[
        &artist.user_id.to_string(),
        &input.amount_cents.to_string(),
        &input.cover_fee.to_string(),
        &input.message,
        &fan_email,
        &input.bop.map(|b| b.to_string()).unwrap_or_default(),
    ]);

    let now = now_ms();
    // A retry of the same attempt (same key) resumes its checkout instead of paying twice.
    const EXISTING: &str =
        "SELECT id, checkout_session_id, request_fingerprint FROM tips WHERE idempotency_key = $1";
    let existing: Option<(i64, Option<String>, Option<String>)> =
        query(EXISTING).bind(&key).fetch_optional(&state.db).await?;
    if let Some((_, _, stored)) = &existing
        && stored.as_deref() != Some(fingerprint.as_str())
    {
        return Err(key_reused());
    }
    let tip_id = match existing.map(|(id, session, _)| (id, session)) {
        Some((id, Some(session))) => {
            let current = state
                .payments
                .checkout_session(&session)
                .await
                .map_err(|e| e.into_app_error("fetching a tip checkout"))?;
            if let (CheckoutStatus::Open, Some(url)) = (current.status, current.url) {
                return Ok(url);
            }
            if current.status == CheckoutStatus::Complete {
                return Err(AppError::Conflict(
                    "This tip is already paid. Thank you!".into(),
                ));
            }
            id
        }
        Some((id, None)) => id,
        None => {
            // The limit is counted and the tip written under one lock per fan and
            // artist, so concurrent attempts cannot slip past it together.
            let mut tx = state.db.begin_write().await?;
            tx.lock(&format!("tips:{}:{fan_key}", artist.user_id))
                .await?;
            check_rate(&mut tx, state, &artist, &fan_key, now).await?;
            let b = input.breakdown;
            const INSERT: &str = "INSERT INTO tips (artist_id, fan_id, fan_email, fan_key, amount_cents, gross_cents, processing_fee_cents, \
                                  net_cents, currency, fan_covers_fee, message, idempotency_key, request_fingerprint, destination, bop_id, state, created_at, updated_at) \
                                  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $14, $15, $16, 'pending', $13, $13) \
                                  ON CONFLICT (idempotency_key) DO NOTHING RETURNING id";
            let id: Option<i64> = query(INSERT)
                .bind(artist.user_id)
                .bind(fan_id)
                .bind(&fan_email)
                .bind(&fan_key)
                .bind(input.amount_cents)
                .bind(b.gross)
                .bind(b.processing_fee)
                .bind(b.net)
                .bind(PLATFORM_CURRENCY.as_str())
                .bind(input.cover_fee)
                .bind(&input.message)
                .bind(&key)
                .bind(now)
                .bind(&fingerprint)
                .bind(&destination)
                .bind(input.bop)
                .scalar_optional(&mut tx)
                .await?;
            tx.commit().await?;
            id.ok_or_else(|| AppError::Conflict("This tip is already on its way.".into()))?
        }
    };
    let redirect = state
        .payments
        .create_payment_checkout(&PaymentCheckout {
            reference: Reference::new(PURPOSE, tip_id).to_string(),
            description: format!("Kick In for {}", artist.stage_name),
            amount: input.breakdown.gross,
            currency: PLATFORM_CURRENCY.to_string(),
            destination,
            application_fee: input.breakdown.processing_fee,
            email: fan_email,
            success_url: state
                .settings
                .link(&format!("/@{}?tip={{CHECKOUT_SESSION_ID}}", input.handle)),
            cancel_url: state.settings.link(&format!("/@{}", input.handle)),
            // The tip's own id (so the key can only ever build this tip) and the
            // fan's random attempt key (so no other database's tip 1 shares it).
            idempotency_key: format!("tip-{tip_id}-{}", input.idempotency_key),
        })
        .await
        .map_err(|e| e.into_app_error("opening a tip checkout"))?;
    const LINK: &str = "UPDATE tips SET checkout_session_id = $2, updated_at = $3 WHERE id = $1";
    query(LINK)
        .bind(tip_id)
        .bind(&redirect.session_id)
        .bind(now_ms())
        .execute(&state.db)
        .await?;
    Ok(redirect.url)
}

fn key_reused() -> AppError {
    AppError::Conflict(
        "This tip form was already used for a different tip. Reload the page and try again.".into(),
    )
}

/// Refuses when the fan already tipped this artist `tips_per_fan_per_hour` times in
/// the last hour (counted in the database, so it holds across servers).
async fn check_rate(
    tx: &mut Tx,
    state: &AppState,
    artist: &ArtistRow,
    fan_key: &str,
    now: i64,
) -> Result<(), AppError> {
    let limit = state.settings.tips_per_fan_per_hour;
    const SQL: &str = "SELECT created_at FROM tips WHERE artist_id = $1 AND fan_key = $2 AND created_at > $3 \
                       AND state IN ('pending', 'succeeded') ORDER BY created_at";
    let recent: Vec<i64> = query(SQL)
        .bind(artist.user_id)
        .bind(fan_key)
        .bind(now - HOUR)
        .scalar_all(&mut *tx)
        .await?;
    if i64::try_from(recent.len()).unwrap_or(i64::MAX) >= limit {
        let oldest = recent.first().copied().unwrap_or(now);
        let wait = u64::try_from((oldest + HOUR - now).max(1_000) / 1_000).unwrap_or(60);
        return Err(AppError::RateLimited {
            retry_after_secs: wait,
            reason: Some(format!(
                "That's {} to {} this hour. Thank you!",
                if limit == 1 {
                    "1 tip".to_owned()
                } else {
                    format!("{limit} tips")
                },
                artist.stage_name
            )),
        });
    }
    Ok(())
}

/// The tip paid through checkout `session_id`, if any.
async fn tip_by_checkout(state: &AppState, session_id: &str) -> Result<Option<TipRow>, AppError> {
    let sql = format!("SELECT {TIP_COLUMNS} FROM tips WHERE checkout_session_id = $1");
    query(sqlx::AssertSqlSafe(sql))
        .bind(session_id)
        .fetch_optional(&state.db)
        .await
}

/// The receipt of the tip paid in checkout `session_id`, as recorded so far. Reads
/// only: a page load shows it, and the page then asks [`sync_checkout`] (a POST) to
/// confirm a payment that is not recorded yet.
pub async fn receipt(state: &AppState, session_id: &str) -> Result<Option<TipReceipt>, AppError> {
    match tip_by_checkout(state, session_id).await? {
        Some(tip) => receipt_for(state, &tip, tip.state.is_recorded())
            .await
            .map(Some),
        None => Ok(None),
    }
}

/// Applies a tip checkout's current state: when paid, posts the tip to the ledger,
/// notifies the artist and emails the fan's receipt — once, however often it runs.
pub async fn sync_checkout(
    state: &AppState,
    session_id: &str,
) -> Result<Option<TipReceipt>, AppError> {
    let Some(tip) = tip_by_checkout(state, session_id).await? else {
        return Ok(None);
    };
    let session = state
        .payments
        .checkout_session(session_id)
        .await
        .map_err(|e| e.into_app_error("fetching a tip checkout"))?;
    let paid = session.status == CheckoutStatus::Complete && session.paid;
    // Money the provider collected is recorded whatever we thought of the tip before
    // (an expired-then-completed checkout is still a paid tip), but only as the tip it
    // was made for: the amount, currency and destination must be the row's.
    if paid && !tip.state.is_recorded() {
        check_paid_as_recorded(&tip, &session)?;
        let mut tx = state.db.begin_write().await?;
        const CLAIM: &str = "UPDATE tips SET state = 'succeeded', paid_at = $2, updated_at = $2 WHERE id = $1 AND state IN ('pending', 'failed')";
        let now = now_ms();
        let claimed = query(CLAIM).bind(tip.id).bind(now).execute(&mut tx).await?;
        const INTENT: &str =
            "UPDATE tips SET payment_intent_id = $2 WHERE id = $1 AND payment_intent_id IS NULL";
        query(INTENT)
            .bind(tip.id)
            .bind(&session.payment_intent)
            .execute(&mut tx)
            .await?;
        if claimed == 1 {
            record_paid_tip(&mut tx, state, &tip).await?;
        }
        tx.commit().await?;
        // A provider that settles at once (the sandbox) makes the money available now.
        if state.payments.settlement_hold_ms() == 0 {
            settle_tip(state, tip.id).await?;
        }
    } else if session.status == CheckoutStatus::Expired && tip.state == TipState::Pending {
        // The fan left without paying: the tip ends, and stops counting to the limit.
        const EXPIRE: &str =
            "UPDATE tips SET state = 'failed', updated_at = $2 WHERE id = $1 AND state = 'pending'";
        query(EXPIRE)
            .bind(tip.id)
            .bind(now_ms())
            .execute(&state.db)
            .await?;
    }
    receipt_for(state, &tip, paid).await.map(Some)
}

/// Refuses to credit a payment that is not the tip's: another amount, currency or
/// payout account than the row the ledger would credit. Nothing is posted; the job
/// fails loudly (operators see it at /admin/jobs) and reconciliation flags the money.
fn check_paid_as_recorded(
    tip: &TipRow,
    session: &crate::payments::provider::CheckoutSessionState,
) -> Result<(), AppError> {
    let paid = session
        .amount_total
        .zip(session.currency.as_deref().and_then(Currency::parse))
        .map(|(minor, currency)| Money::new(minor, currency));
    let recorded = Currency::parse(&tip.currency).map(|c| Money::new(tip.gross_cents, c));
    let destination_ok = session.destination.is_some() && session.destination == tip.destination;
    if paid.is_some() && paid == recorded && destination_ok {
        return Ok(());
    }
    tracing::error!(
        tip = tip.id,
        checkout = %session.id,
        paid_amount = ?session.amount_total,
        paid_currency = ?session.currency,
        paid_to = ?session.destination,
        "a paid checkout does not match its tip; not credited"
    );
    Err(AppError::internal(
        "paid checkout does not match its tip",
        &std::io::Error::other(format!("tip {}", tip.id)),
    ))
}

async fn receipt_for(state: &AppState, tip: &TipRow, paid: bool) -> Result<TipReceipt, AppError> {
    let artist_name = crate::artists::service::stage_name(&state.db, tip.artist_id).await?;
    Ok(TipReceipt {
        artist_name,
        amount_cents: tip.amount_cents,
        gross_cents: tip.gross_cents,
        currency: tip.currency.clone(),
        paid,
    })
}

/// The paid tip's effects, in the transaction that marked it paid.
async fn record_paid_tip(tx: &mut Tx, state: &AppState, tip: &TipRow) -> Result<(), AppError> {
    let c = &tip.currency;
    ledger::post(
        tx,
        &NewTransaction {
            idempotency_key: format!("tip:{}", tip.id),
            kind: TransactionKind::Tip,
            memo: "Kick In tip".into(),
            reference: Some(Reference::new(PURPOSE, tip.id).to_string()),
            artist_id: Some(tip.artist_id),
            postings: vec![
                Posting {
                    account: Account::new(Owner::External, AccountKind::CardPayments, c),
                    amount: -tip.gross_cents,
                },
                Posting {
                    account: Account::new(Owner::Platform, AccountKind::ProcessorFees, c),
                    amount: tip.processing_fee_cents,
                },
                Posting {
                    account: Account::new(Owner::Artist(tip.artist_id), AccountKind::Pending, c),
                    amount: tip.net_cents,
                },
            ],
        },
    )
    .await?;
    if crate::artists::service::mark_first_dollar(tx, tip.artist_id).await? {
        bus::emit(
            tx,
            &PlatformEvent::FirstDollar {
                artist_id: tip.artist_id,
            },
        )
        .await?;
    }
    bus::emit(
        tx,
        &PlatformEvent::TipReceived {
            tip_id: tip.id,
            artist_id: tip.artist_id,
            fan_id: tip.fan_id,
            amount_cents: tip.amount_cents,
            currency: tip.currency.clone(),
            bop_id: tip.bop_id,
        },
    )
    .await?;
    if let Some(bop_id) = tip.bop_id {
        bus::emit(
            tx,
            &PlatformEvent::BopTipReceived {
                tip_id: tip.id,
                bop_id,
                artist_id: tip.artist_id,
                fan_id: tip.fan_id,
                amount_cents: tip.amount_cents,
                currency: tip.currency.clone(),
            },
        )
        .await?;
    }
    let artist_name = crate::artists::service::stage_name(&mut *tx, tip.artist_id).await?;
    if let Ok(to) = crate::accounts::Email::parse(&tip.fan_email) {
        let receipt = templates::TipReceipt {
            id: tip.id,
            artist: &artist_name,
            tip: &format_amount(tip.amount_cents, &tip.currency),
            fee: &format_amount(tip.processing_fee_cents, &tip.currency),
            gross: &format_amount(tip.gross_cents, &tip.currency),
            message: &tip.message,
            link: &state.settings.link("/music"),
        };
        crate::mail::send_later(tx, templates::tip_receipt(to, &receipt)).await?;
    }
    Ok(())
}

/// Finds the tip a provider reference (`tip:12`) names and syncs its checkout.
pub async fn sync_reference(state: &AppState, reference: Option<&str>) -> Result<(), AppError> {
    let Some(id) = Reference::id_of(reference, PURPOSE) else {
        return Ok(());
    };
    const SQL: &str = "SELECT checkout_session_id FROM tips WHERE id = $1";
    let session: Option<Option<String>> = query(SQL).bind(id).scalar_optional(&state.db).await?;
    if let Some(Some(session)) = session {
        sync_checkout(state, &session).await?;
    }
    Ok(())
}
