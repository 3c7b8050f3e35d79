//! Demo data and tests: an artist made ready without going through the hosted pages.

use super::*;

/// Test support and demo data: makes an active subscription and an enabled payout
/// account directly, as if the artist had gone through both hosted pages.
pub async fn provision_ready_artist(
    tx: &mut Tx,
    user: UserId,
    email: &str,
    tier: Tier,
) -> Result<(String, String, String), AppError> {
    let now = now_ms() / 1000;
    let key = format!("demo-{}", user.0);
    let customer = json!({ "id": id_from_key("cus", &key), "object": "customer", "email": email, "created": now,
                           "_sandbox": { "card_last4": "4242" } });
    let subscription = json!({
        "id": id_from_key("sub", &key), "object": "subscription", "customer": customer["id"], "status": "active",
        "current_period_start": now, "current_period_end": now + PERIOD_SECS, "cancel_at_period_end": false,
        "created": now, "metadata": { "tier": tier.as_str() },
    });
    let account = json!({
        "id": id_from_key("acct", &key), "object": "account", "type": "express", "email": email, "country": "US",
        "details_submitted": true, "charges_enabled": true, "payouts_enabled": true,
        "capabilities": { "transfers": "active", "card_payments": "active" },
        "metadata": { "user_id": user.0.to_string() }, "created": now,
    });
    save(tx, &customer).await?;
    save(tx, &subscription).await?;
    save(tx, &account).await?;
    Ok((
        text(&customer, "id").unwrap_or_default(),
        text(&subscription, "id").unwrap_or_default(),
        text(&account, "id").unwrap_or_default(),
    ))
}
