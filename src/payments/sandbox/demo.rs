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
    let customer = Customer {
        id: id_from_key("cus", &key),
        email: email.to_owned(),
        created: now,
        invoice_settings: None,
        notes: CustomerNotes {
            card_last4: Some("4242".into()),
            portal_return_url: None,
        },
    };
    let subscription = Subscription {
        id: id_from_key("sub", &key),
        customer: customer.id.clone(),
        status: SubscriptionStatus::Active,
        currency: None,
        current_period_start: now,
        current_period_end: now + PERIOD_SECS,
        cancel_at_period_end: false,
        canceled_at: None,
        created: now,
        metadata: Metadata::from([("tier".into(), tier.as_str().into())]),
        items: None,
    };
    let account = Account {
        id: id_from_key("acct", &key),
        account_type: "express".into(),
        email: email.to_owned(),
        country: "US".into(),
        default_currency: None,
        details_submitted: true,
        charges_enabled: true,
        payouts_enabled: true,
        capabilities: Capabilities {
            transfers: Capability::Active,
            card_payments: Capability::Active,
        },
        individual: None,
        external_accounts: None,
        metadata: Metadata::from([("user_id".into(), user.0.to_string())]),
        created: now,
        notes: AccountNotes::default(),
    };
    save(tx, &customer).await?;
    save(tx, &subscription).await?;
    save(tx, &account).await?;
    Ok((customer.id, subscription.id, account.id))
}
