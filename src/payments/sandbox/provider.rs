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
        let metadata = Metadata::from([
            ("tier".into(), request.tier.as_str().into()),
            ("signup_id".into(), request.signup_id.to_string()),
            ("reference".into(), request.reference.clone()),
        ]);
        let session = CheckoutSession {
            amount_total: plan.monthly_cents,
            currency: plan.currency.to_ascii_lowercase(),
            client_reference_id: request.signup_id.to_string(),
            metadata,
            ..self.open_checkout(
                id,
                CheckoutMode::Subscription,
                &request.email,
                (&request.success_url, &request.cancel_url),
            )
        };
        let stored = create(&self.db, &session).await.map_err(unavailable)?;
        Ok(redirect(&self.public_url, stored))
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
        let metadata = Metadata::from([("reference".into(), request.reference.clone())]);
        let session = CheckoutSession {
            amount_total: request.amount,
            currency: request.currency.to_ascii_lowercase(),
            client_reference_id: request.reference.clone(),
            metadata,
            notes: CheckoutNotes {
                description: Some(request.description.clone()),
                destination: Some(request.destination.clone()),
                application_fee_amount: Some(request.application_fee),
                ..CheckoutNotes::default()
            },
            ..self.open_checkout(
                id,
                CheckoutMode::Payment,
                &request.email,
                (&request.success_url, &request.cancel_url),
            )
        };
        let stored = create(&self.db, &session).await.map_err(unavailable)?;
        Ok(redirect(&self.public_url, stored))
    }

    async fn checkout_session(&self, id: &str) -> Result<CheckoutSessionState, ProviderError> {
        let session = load::<CheckoutSession>(&self.db, id)
            .await
            .map_err(unavailable)?
            .ok_or_else(|| ProviderError::NotFound(id.to_owned()))?;
        let status = session.status_at(now_ms() / 1000);
        Ok(CheckoutSessionState {
            status,
            url: session.url.filter(|_| status == CheckoutStatus::Open),
            client_reference_id: Some(session.client_reference_id),
            customer: session.customer,
            subscription: session.subscription,
            paid: session.payment_status == PaymentStatus::Paid,
            payment_intent: session.payment_intent,
            amount_total: Some(session.amount_total),
            currency: Some(session.currency),
            destination: session.notes.destination,
            id: session.id,
        })
    }

    async fn expire_checkout(&self, id: &str) -> Result<CheckoutSessionState, ProviderError> {
        // Under the write lock, so it cannot interleave with a payment completing.
        let mut tx = self.db.begin_write().await.map_err(unavailable)?;
        let mut session = load::<CheckoutSession>(&mut tx, id)
            .await
            .map_err(unavailable)?
            .ok_or_else(|| ProviderError::NotFound(id.to_owned()))?;
        if session.status == SessionStatus::Open {
            session.status = SessionStatus::Expired;
            session.url = None;
            save(&mut tx, &session).await.map_err(unavailable)?;
            emit(&mut tx, "checkout.session.expired", &session)
                .await
                .map_err(unavailable)?;
        }
        tx.commit().await.map_err(unavailable)?;
        self.checkout_session(id).await
    }

    async fn subscription(&self, id: &str) -> Result<SubscriptionState, ProviderError> {
        let sub = load::<Subscription>(&self.db, id)
            .await
            .map_err(unavailable)?
            .ok_or_else(|| ProviderError::NotFound(id.to_owned()))?;
        Ok(SubscriptionState {
            tier: sub.metadata.get("tier").and_then(|t| Tier::parse(t).ok()),
            id: sub.id,
            customer: sub.customer,
            status: sub.status,
            current_period_end: Some(sub.current_period_end),
            cancel_at_period_end: sub.cancel_at_period_end,
        })
    }

    async fn billing_portal(
        &self,
        customer: &str,
        return_url: &str,
    ) -> Result<String, ProviderError> {
        let mut object = load::<Customer>(&self.db, customer)
            .await
            .map_err(unavailable)?
            .ok_or_else(|| ProviderError::NotFound(customer.to_owned()))?;
        object.notes.portal_return_url = Some(return_url.to_owned());
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
        let account = Account {
            id,
            account_type: "express".into(),
            email: request.email.clone(),
            country: "US".into(),
            default_currency: Some("usd".into()),
            details_submitted: false,
            charges_enabled: false,
            payouts_enabled: false,
            capabilities: Capabilities {
                transfers: Capability::Inactive,
                card_payments: Capability::Inactive,
            },
            individual: None,
            external_accounts: None,
            metadata: Metadata::from([("user_id".into(), request.user_id.to_string())]),
            created: now_ms() / 1000,
            notes: AccountNotes::default(),
        };
        let stored = create(&self.db, &account).await.map_err(unavailable)?;
        Ok(stored.id)
    }

    async fn onboarding_link(
        &self,
        account: &str,
        links: &OnboardingLinks,
    ) -> Result<String, ProviderError> {
        let mut object = load::<Account>(&self.db, account)
            .await
            .map_err(unavailable)?
            .ok_or_else(|| ProviderError::NotFound(account.to_owned()))?;
        object.notes = AccountNotes {
            return_url: Some(links.return_url.clone()),
            refresh_url: Some(links.refresh_url.clone()),
            // Like Stripe's account links, a link works for a few minutes.
            link_expires_at: Some(now_ms() + 5 * 60 * 1000),
        };
        let mut tx = self.db.begin().await.map_err(unavailable)?;
        save(&mut tx, &object).await.map_err(unavailable)?;
        tx.commit().await.map_err(unavailable)?;
        Ok(format!("{}/sandbox/connect/{account}", self.public_url))
    }

    /// The sandbox's bank is instant: a payout is paid (or fails) as soon as it is made,
    /// and its event says so. Stripe's test account number `000111111116` fails.
    async fn create_payout(&self, request: &PayoutRequest) -> Result<PayoutState, ProviderError> {
        let account = load::<Account>(&self.db, &request.account)
            .await
            .map_err(unavailable)?
            .ok_or_else(|| ProviderError::NotFound(request.account.clone()))?;
        if !account.payouts_enabled {
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
        if let Some(existing) = load::<Payout>(&self.db, &id).await.map_err(unavailable)? {
            return Ok(payout_state(&existing));
        }
        let bank = account.bank().map(|b| b.last4.clone());
        let now = now_ms() / 1000;
        let mut payout = Payout {
            id,
            amount: request.amount,
            currency: request.currency.to_ascii_lowercase(),
            method: if request.instant {
                PayoutMethod::Instant
            } else {
                PayoutMethod::Standard
            },
            status: PayoutStatus::InTransit,
            arrival_date: if request.instant {
                now
            } else {
                now + 24 * 3600
            },
            created: now,
            destination: bank.clone(),
            failure_code: None,
            failure_message: None,
            metadata: Metadata::from([("reference".into(), request.reference.clone())]),
            notes: PayoutNotes {
                account: request.account.clone(),
            },
        };
        let answer = payout_state(&payout);
        let mut tx = self.db.begin().await.map_err(unavailable)?;
        save(&mut tx, &payout).await.map_err(unavailable)?;
        emit(&mut tx, "payout.created", &payout)
            .await
            .map_err(unavailable)?;
        let outcome = if bank.as_deref() == Some("1116") {
            payout.status = PayoutStatus::Failed;
            payout.failure_code = Some("no_account".into());
            payout.failure_message = Some(
                "The bank account details on file are probably incorrect: no account was found."
                    .into(),
            );
            "payout.failed"
        } else {
            payout.status = PayoutStatus::Paid;
            "payout.paid"
        };
        save(&mut tx, &payout).await.map_err(unavailable)?;
        emit(&mut tx, outcome, &payout).await.map_err(unavailable)?;
        tx.commit().await.map_err(unavailable)?;
        Ok(answer)
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
            if movement.currency().eq_ignore_ascii_case(currency) {
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
        let payout = load::<Payout>(&self.db, id)
            .await
            .map_err(unavailable)?
            .ok_or_else(|| ProviderError::NotFound(id.to_owned()))?;
        Ok(payout_state(&payout))
    }

    async fn account(&self, id: &str) -> Result<AccountState, ProviderError> {
        let account = load::<Account>(&self.db, id)
            .await
            .map_err(unavailable)?
            .ok_or_else(|| ProviderError::NotFound(id.to_owned()))?;
        Ok(AccountState {
            id: account.id,
            details_submitted: account.details_submitted,
            charges_enabled: account.charges_enabled,
            payouts_enabled: account.payouts_enabled,
        })
    }
}

/// The platform's own side of a transfer.
const PLATFORM: &str = "platform";

/// Where the payer goes for `session`: its hosted page, which also answers for a
/// checkout already paid or expired (a create retried with the same key returns it).
fn redirect(public_url: &str, session: CheckoutSession) -> CheckoutRedirect {
    CheckoutRedirect {
        url: session
            .url
            .unwrap_or_else(|| format!("{public_url}/sandbox/checkout/{}", session.id)),
        session_id: session.id,
    }
}

impl Sandbox {
    /// A new open checkout `id` for nothing yet, paid on the sandbox's hosted page.
    fn open_checkout(
        &self,
        id: String,
        mode: CheckoutMode,
        email: &str,
        (success_url, cancel_url): (&str, &str),
    ) -> CheckoutSession {
        let now = now_ms() / 1000;
        CheckoutSession {
            url: Some(format!("{}/sandbox/checkout/{id}", self.public_url)),
            id,
            mode,
            status: SessionStatus::Open,
            payment_status: PaymentStatus::Unpaid,
            amount_total: 0,
            currency: String::new(),
            customer: None,
            customer_email: email.to_owned(),
            client_reference_id: String::new(),
            subscription: None,
            payment_intent: None,
            success_url: success_url.to_owned(),
            cancel_url: cancel_url.to_owned(),
            created: now,
            expires_at: now + CHECKOUT_LIFETIME_SECS,
            metadata: Metadata::new(),
            notes: CheckoutNotes::default(),
        }
    }

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
        let transfer = Transfer {
            id,
            amount,
            currency: currency.to_ascii_lowercase(),
            destination: to.to_owned(),
            created: now_ms() / 1000,
            notes: TransferNotes {
                from: from.to_owned(),
            },
        };
        create(&self.db, &transfer).await.map_err(unavailable)?;
        Ok(())
    }
}
