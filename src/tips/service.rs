//! Tips on the server: [`checkout`] takes a tip and confirms its payment,
//! [`settlement`] makes the money available after the provider's hold, [`refunds`]
//! reverses it. Owns the `tips` table.

mod checkout;
mod history;
mod refunds;
mod settlement;

pub use checkout::{receipt, start, sync_checkout, sync_reference};
pub use history::{PastTip, record_past};
pub use refunds::refund;
pub use settlement::{SettleTips, settle_tip};

use crate::{
    error::AppError,
    events::PlatformEvent,
    payments::routing::{Change, PaymentHandler},
    state::AppState,
    tips::TipState,
};

/// The provider's changes to tip checkouts and their payments.
pub struct TipPayments;

#[async_trait::async_trait]
impl PaymentHandler for TipPayments {
    async fn apply(
        &self,
        state: &AppState,
        change: &Change<'_>,
    ) -> Result<Vec<PlatformEvent>, AppError> {
        match *change {
            Change::Checkout { id, .. } => {
                sync_checkout(state, id).await?;
            }
            Change::Payment { reference } => sync_reference(state, reference).await?,
            Change::Refund {
                payment_intent,
                amount_refunded,
                reference,
            } => refund(state, payment_intent, amount_refunded, reference).await?,
            Change::Payout { .. } | Change::Subscription { .. } | Change::Account { .. } => {}
        }
        Ok(Vec::new())
    }
}

#[derive(sqlx::FromRow)]
struct TipRow {
    id: i64,
    artist_id: i64,
    fan_id: Option<i64>,
    fan_email: String,
    amount_cents: i64,
    gross_cents: i64,
    processing_fee_cents: i64,
    net_cents: i64,
    currency: String,
    message: String,
    #[sqlx(try_from = "String")]
    state: TipState,
    /// The payout account its checkout pays (recorded when the checkout was made).
    destination: Option<String>,
    bop_id: Option<i64>,
}

const TIP_COLUMNS: &str = "id, artist_id, fan_id, fan_email, amount_cents, gross_cents, processing_fee_cents, net_cents, \
                           currency, message, state, destination, bop_id";

/// How many paid tips Bop `bop_id` brought, and what they are worth to the artist
/// (after processing, less refunds).
pub async fn bop_totals<'a>(
    on: impl Into<crate::db::Exec<'a>>,
    bop_id: i64,
) -> Result<(i64, i64), AppError> {
    // A partial refund takes back its share of the net, as settlement reckons it.
    const SQL: &str = "SELECT COUNT(*), CAST(COALESCE(SUM(net_cents - net_cents * refunded_cents / gross_cents), 0) AS BIGINT) \
                       FROM tips WHERE bop_id = $1 AND state = 'succeeded'";
    let (count, cents): (i64, i64) = crate::db::query(SQL).bind(bop_id).fetch_one(on).await?;
    Ok((count, cents))
}
