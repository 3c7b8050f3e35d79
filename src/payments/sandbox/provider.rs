//! The sandbox as a [`PaymentProvider`]: what Stripe would do, on stored objects.

use super::*;

#[async_trait]
impl PaymentProvider for Sandbox {
    /// The sandbox settles at once.
    fn settlement_hold_ms(&self) -> i64 {
        0
    }

    fn hosts_pages_in_app(&self) -> bool {
        true
    }

    async fn create_subscription_checkout(
        &self,
        request: &SubscriptionCheckout,
    ) -> Result<CheckoutRedirect, ProviderError> {
        let plan = request.tier.plan();
        let id = keyed_id(
            &self.db,
            "cs_test",
            &request.idempotency_key,
            &[
                "subscription",
                &request.signup_id.to_string(),
                request.tier.as_str(),
                &request.email,
                &request.success_url,
                &request.cancel_url,
            ],
        )
        .await?;
        let url = format!("{}/sandbox/checkout/{id}", self.public_url);
        let session = json!({
            "id": id,
            "object": "checkout.session",
            "mode": "subscription",
            "status": "open",
            "payment_status": "unpaid",
            "amount_total": plan.monthly_cents,
            "currency": plan.currency.to_ascii_lowercase(),
            "customer": null,
            "customer_email": request.email,
            "client_reference_id": request.signup_id.to_string(),
            "subscription": null,
            "success_url": request.success_url,
            "cancel_url": request.cancel_url,
            "url": url,
            "created": now_ms() / 1000,
            "expires_at": now_ms() / 1000 + CHECKOUT_LIFETIME_SECS,
            "metadata": {
                "tier": request.tier.as_str(),
                "signup_id": request.signup_id.to_string(),
                "reference": request.reference,
            },
        });
        let stored = create(&self.db, session).await.map_err(unavailable)?;
        Ok(CheckoutRedirect {
            session_id: id,
            url: text(&stored, "url").unwrap_or(url),
        })
    }

    async fn create_payment_checkout(
        &self,
        request: &PaymentCheckout,
    ) -> Result<CheckoutRedirect, ProviderError> {
        let id = keyed_id(
            &self.db,
            "cs_test",
            &request.idempotency_key,
            &[
                "payment",
                &request.reference,
                &request.amount.to_string(),
                &request.currency,
                &request.destination,
                &request.application_fee.to_string(),
                &request.email,
                &request.description,
                &request.success_url,
                &request.cancel_url,
            ],
        )
        .await?;
        let url = format!("{}/sandbox/checkout/{id}", self.public_url);
        let session = json!({
            "id": id,
            "object": "checkout.session",
            "mode": "payment",
            "status": "open",
            "payment_status": "unpaid",
            "amount_total": request.amount,
            "currency": request.currency.to_ascii_lowercase(),
            "customer_email": request.email,
            "client_reference_id": request.reference,
            "payment_intent": null,
            "success_url": request.success_url,
            "cancel_url": request.cancel_url,
            "url": url,
            "created": now_ms() / 1000,
            "expires_at": now_ms() / 1000 + CHECKOUT_LIFETIME_SECS,
            "metadata": { "reference": request.reference },
            "_sandbox": {
                "description": request.description,
                "destination": request.destination,
                "application_fee_amount": request.application_fee,
            },
        });
        let stored = create(&self.db, session).await.map_err(unavailable)?;
        Ok(CheckoutRedirect {
            session_id: id,
            url: text(&stored, "url").unwrap_or(url),
        })
    }

    async fn checkout_session(&self, id: &str) -> Result<CheckoutSessionState, ProviderError> {
        let session = load(&self.db, id)
            .await
            .map_err(unavailable)?
            .filter(|s| s["object"] == "checkout.session")
            .ok_or_else(|| ProviderError::NotFound(id.to_owned()))?;
        let status = checkout_status(&session);
        Ok(CheckoutSessionState {
            id: id.to_owned(),
            status,
            url: (status == CheckoutStatus::Open)
                .then(|| text(&session, "url"))
                .flatten(),
            client_reference_id: text(&session, "client_reference_id"),
            customer: text(&session, "customer"),
            subscription: text(&session, "subscription"),
            paid: session["payment_status"] == "paid",
            payment_intent: text(&session, "payment_intent"),
            amount_total: session["amount_total"].as_i64(),
            currency: text(&session, "currency"),
            destination: text(&session["_sandbox"], "destination"),
        })
    }

    async fn expire_checkout(&self, id: &str) -> Result<CheckoutSessionState, ProviderError> {
        // Under the write lock, so it cannot interleave with a payment completing.
        let mut tx = self.db.begin_write().await.map_err(unavailable)?;
        let mut session = load(&mut tx, id)
            .await
            .map_err(unavailable)?
            .filter(|s| s["object"] == "checkout.session")
            .ok_or_else(|| ProviderError::NotFound(id.to_owned()))?;
        if checkout_status(&session) != CheckoutStatus::Complete && session["status"] != "expired" {
            session["status"] = json!("expired");
            session["url"] = Value::Null;
            save(&mut tx, &session).await.map_err(unavailable)?;
            emit(&mut tx, "checkout.session.expired", &session)
                .await
                .map_err(unavailable)?;
        }
        tx.commit().await.map_err(unavailable)?;
        self.checkout_session(id).await
    }

    async fn subscription(&self, id: &str) -> Result<SubscriptionState, ProviderError> {
        let sub = load(&self.db, id)
            .await
            .map_err(unavailable)?
            .filter(|s| s["object"] == "subscription")
            .ok_or_else(|| ProviderError::NotFound(id.to_owned()))?;
        Ok(SubscriptionState {
            id: id.to_owned(),
            customer: text(&sub, "customer").unwrap_or_default(),
            status: sub["status"]
                .as_str()
                .and_then(SubscriptionStatus::parse)
                .unwrap_or(SubscriptionStatus::Incomplete),
            tier: sub["metadata"]["tier"]
                .as_str()
                .and_then(|t| Tier::parse(t).ok()),
            current_period_end: sub["current_period_end"].as_i64(),
            cancel_at_period_end: sub["cancel_at_period_end"].as_bool().unwrap_or(false),
        })
    }

    async fn billing_portal(
        &self,
        customer: &str,
        return_url: &str,
    ) -> Result<String, ProviderError> {
        let mut object = load(&self.db, customer)
            .await
            .map_err(unavailable)?
            .filter(|c| c["object"] == "customer")
            .ok_or_else(|| ProviderError::NotFound(customer.to_owned()))?;
        object["_sandbox"]["portal_return_url"] = json!(return_url);
        let mut tx = self.db.begin().await.map_err(unavailable)?;
        save(&mut tx, &object).await.map_err(unavailable)?;
        tx.commit().await.map_err(unavailable)?;
        Ok(format!("{}/sandbox/billing/{customer}", self.public_url))
    }

    async fn create_payout_account(
        &self,
        request: &NewPayoutAccount,
    ) -> Result<String, ProviderError> {
        let id = keyed_id(
            &self.db,
            "acct",
            &request.idempotency_key,
            &[&request.user_id.to_string(), &request.email],
        )
        .await?;
        let account = json!({
            "id": id,
            "object": "account",
            "type": "express",
            "email": request.email,
            "country": "US",
            "default_currency": "usd",
            "details_submitted": false,
            "charges_enabled": false,
            "payouts_enabled": false,
            "capabilities": { "transfers": "inactive", "card_payments": "inactive" },
            "metadata": { "user_id": request.user_id.to_string() },
            "created": now_ms() / 1000,
        });
        create(&self.db, account).await.map_err(unavailable)?;
        Ok(id)
    }

    async fn onboarding_link(
        &self,
        account: &str,
        links: &OnboardingLinks,
    ) -> Result<String, ProviderError> {
        let mut object = load(&self.db, account)
            .await
            .map_err(unavailable)?
            .filter(|a| a["object"] == "account")
            .ok_or_else(|| ProviderError::NotFound(account.to_owned()))?;
        object["_sandbox"]["return_url"] = json!(links.return_url);
        object["_sandbox"]["refresh_url"] = json!(links.refresh_url);
        // Like Stripe's account links, a link works for a few minutes.
        object["_sandbox"]["link_expires_at"] = json!(now_ms() + 5 * 60 * 1000);
        let mut tx = self.db.begin().await.map_err(unavailable)?;
        save(&mut tx, &object).await.map_err(unavailable)?;
        tx.commit().await.map_err(unavailable)?;
        Ok(format!("{}/sandbox/connect/{account}", self.public_url))
    }

    /// The sandbox's bank is instant: a payout is paid (or fails) as soon as it is made,
    /// and its event says so. Stripe's test account number `000111111116` fails.
    async fn create_payout(&self, request: &PayoutRequest) -> Result<PayoutState, ProviderError> {
        let account = load(&self.db, &request.account)
            .await
            .map_err(unavailable)?
            .filter(|a| a["object"] == "account")
            .ok_or_else(|| ProviderError::NotFound(request.account.clone()))?;
        if account["payouts_enabled"] != true {
            return Err(ProviderError::Refused {
                code: "payouts_not_allowed".into(),
                message: "Payouts are not enabled on this account.".into(),
            });
        }
        let id = keyed_id(
            &self.db,
            "po",
            &request.idempotency_key,
            &[
                &request.account,
                &request.amount.to_string(),
                &request.currency,
                &request.instant.to_string(),
                &request.reference,
            ],
        )
        .await?;
        if let Some(existing) = load(&self.db, &id).await.map_err(unavailable)? {
            return payout_state(&existing);
        }
        let bank_fails = account["external_accounts"]["data"][0]["last4"] == "1116";
        let now = now_ms() / 1000;
        let arrival = if request.instant {
            now
        } else {
            now + 24 * 3600
        };
        let mut payout = json!({
            "id": id, "object": "payout", "amount": request.amount,
            "currency": request.currency.to_ascii_lowercase(),
            "method": if request.instant { "instant" } else { "standard" },
            "status": "in_transit", "arrival_date": arrival, "created": now,
            "destination": account["external_accounts"]["data"][0]["last4"],
            "failure_message": null, "metadata": { "reference": request.reference },
            "_sandbox": { "account": request.account },
        });
        let mut tx = self.db.begin().await.map_err(unavailable)?;
        save(&mut tx, &payout).await.map_err(unavailable)?;
        emit(&mut tx, "payout.created", &payout)
            .await
            .map_err(unavailable)?;
        if bank_fails {
            payout["status"] = json!("failed");
            payout["failure_code"] = json!("no_account");
            payout["failure_message"] = json!(
                "The bank account details on file are probably incorrect: no account was found."
            );
            save(&mut tx, &payout).await.map_err(unavailable)?;
            emit(&mut tx, "payout.failed", &payout)
                .await
                .map_err(unavailable)?;
        } else {
            payout["status"] = json!("paid");
            save(&mut tx, &payout).await.map_err(unavailable)?;
            emit(&mut tx, "payout.paid", &payout)
                .await
                .map_err(unavailable)?;
        }
        tx.commit().await.map_err(unavailable)?;
        Ok(PayoutState {
            id,
            status: PayoutStatus::InTransit,
            failure_message: None,
            arrival_date: Some(arrival),
        })
    }

    /// The sandbox's books for an account: payments to it (less the application fee and
    /// the refunded share), less payouts that did not fail, plus and minus transfers.
    /// Reads only the account's own movements (indexed); a stored movement that does not
    /// parse fails the read rather than being left out of the sum.
    async fn account_balance(&self, account: &str, currency: &str) -> Result<i64, ProviderError> {
        const SQL: &str = "SELECT id, data FROM sandbox_objects \
                           WHERE kind IN ('payment_intent', 'payout', 'transfer') AND (account = $1 OR counterparty = $1)";
        let rows: Vec<(String, String)> = query(SQL)
            .bind(account)
            .fetch_all(&self.db)
            .await
            .map_err(unavailable)?;
        let mut balance = 0;
        for (id, raw) in rows {
            let movement: Movement = serde_json::from_str(&raw).map_err(|e| {
                ProviderError::Unavailable(format!("sandbox object {id} does not parse: {e}"))
            })?;
            if movement.currency.eq_ignore_ascii_case(currency) {
                balance += movement.effect_on(account);
            }
        }
        Ok(balance)
    }

    async fn collect_fee(
        &self,
        account: &str,
        amount: i64,
        currency: &str,
        idempotency_key: &str,
    ) -> Result<(), ProviderError> {
        self.transfer(
            "collect",
            account,
            PLATFORM,
            amount,
            currency,
            idempotency_key,
        )
        .await
    }

    async fn return_fee(
        &self,
        account: &str,
        amount: i64,
        currency: &str,
        idempotency_key: &str,
    ) -> Result<(), ProviderError> {
        self.transfer(
            "return",
            PLATFORM,
            account,
            amount,
            currency,
            idempotency_key,
        )
        .await
    }

    async fn payout(&self, _account: &str, id: &str) -> Result<PayoutState, ProviderError> {
        let payout = load(&self.db, id)
            .await
            .map_err(unavailable)?
            .filter(|p| p["object"] == "payout")
            .ok_or_else(|| ProviderError::NotFound(id.to_owned()))?;
        payout_state(&payout)
    }

    async fn account(&self, id: &str) -> Result<AccountState, ProviderError> {
        let account = load(&self.db, id)
            .await
            .map_err(unavailable)?
            .filter(|a| a["object"] == "account")
            .ok_or_else(|| ProviderError::NotFound(id.to_owned()))?;
        Ok(AccountState {
            id: id.to_owned(),
            details_submitted: account["details_submitted"].as_bool().unwrap_or(false),
            charges_enabled: account["charges_enabled"].as_bool().unwrap_or(false),
            payouts_enabled: account["payouts_enabled"].as_bool().unwrap_or(false),
        })
    }
}

/// The platform's own side of a transfer.
const PLATFORM: &str = "platform";

impl Sandbox {
    /// Moves `amount` from `from` to `to` (a payout account or the platform), once per
    /// idempotency key.
    async fn transfer(
        &self,
        why: &str,
        from: &str,
        to: &str,
        amount: i64,
        currency: &str,
        idempotency_key: &str,
    ) -> Result<(), ProviderError> {
        let account = if from == PLATFORM { to } else { from };
        let id = keyed_id(
            &self.db,
            "tr",
            idempotency_key,
            &[why, account, &amount.to_string(), currency],
        )
        .await?;
        let transfer = json!({
            "id": id, "object": "transfer", "amount": amount,
            "currency": currency.to_ascii_lowercase(), "destination": to, "created": now_ms() / 1000,
            "_sandbox": { "from": from },
        });
        create(&self.db, transfer).await.map_err(unavailable)?;
        Ok(())
    }
}

/// A stored money movement, as far as a balance needs it.
#[derive(serde::Deserialize)]
struct Movement {
    object: MovementKind,
    amount: i64,
    currency: String,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    application_fee_amount: Option<i64>,
    #[serde(default)]
    amount_refunded: Option<i64>,
    /// A transfer's receiving account.
    #[serde(default)]
    destination: Option<serde_json::Value>,
    #[serde(default)]
    transfer_data: Option<TransferData>,
    #[serde(default, rename = "_sandbox")]
    sandbox: Option<SandboxNotes>,
}

#[derive(serde::Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum MovementKind {
    PaymentIntent,
    Payout,
    Transfer,
}

#[derive(serde::Deserialize)]
struct TransferData {
    destination: String,
}

#[derive(serde::Deserialize)]
struct SandboxNotes {
    #[serde(default)]
    account: Option<String>,
    #[serde(default)]
    from: Option<String>,
}

impl Movement {
    /// What this movement adds to (or takes from) `account`'s balance.
    fn effect_on(&self, account: &str) -> i64 {
        let notes = self.sandbox.as_ref();
        match self.object {
            MovementKind::PaymentIntent => {
                let paid_here = self
                    .transfer_data
                    .as_ref()
                    .is_some_and(|t| t.destination == account);
                if !paid_here || self.status.as_deref() != Some("succeeded") {
                    return 0;
                }
                let net = self.amount - self.application_fee_amount.unwrap_or(0);
                let refunded = self.amount_refunded.unwrap_or(0);
                let refunded_share = if self.amount > 0 {
                    net * refunded / self.amount
                } else {
                    0
                };
                net - refunded_share
            }
            MovementKind::Payout => {
                let from_here = notes.and_then(|n| n.account.as_deref()) == Some(account);
                if from_here && self.status.as_deref() != Some("failed") {
                    -self.amount
                } else {
                    0
                }
            }
            MovementKind::Transfer => {
                let mut effect = 0;
                if notes.and_then(|n| n.from.as_deref()) == Some(account) {
                    effect -= self.amount;
                }
                if self.destination.as_ref().and_then(|d| d.as_str()) == Some(account) {
                    effect += self.amount;
                }
                effect
            }
        }
    }
}
