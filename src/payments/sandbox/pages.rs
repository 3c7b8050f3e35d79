//! The sandbox's hosted pages: checkout, 3-D Secure, payout onboarding, billing.

use super::*;

/// A checkout as its hosted page shows it. Anyone with the (unguessable) link may
/// pay, as with a provider's checkout URL, but the payer's email is shown in full only
/// to its owner (`viewer_emails`: the signed-in account's, the browser's pending
/// sign-up's); others see it masked.
pub async fn checkout_view(
    db: &Db,
    id: &str,
    viewer_emails: &[String],
) -> Result<CheckoutView, AppError> {
    let session = load::<CheckoutSession>(db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let owner = viewer_emails
        .iter()
        .any(|v| v.eq_ignore_ascii_case(&session.customer_email));
    let email = if owner {
        session.customer_email.clone()
    } else {
        mask_email(&session.customer_email)
    };
    let recurring = session.mode == CheckoutMode::Subscription;
    let description = if recurring {
        let tier = session
            .metadata
            .get("tier")
            .and_then(|t| Tier::parse(t).ok());
        format!(
            "Boptone {} plan, billed monthly",
            tier.unwrap_or(Tier::Starter).plan().name
        )
    } else {
        session.notes.description.clone().unwrap_or_default()
    };
    Ok(CheckoutView {
        id: session.id.clone(),
        recurring,
        description,
        amount_cents: session.amount_total,
        currency: session.currency.to_ascii_uppercase(),
        email,
        open: session.status_at(now_ms() / 1000) == CheckoutStatus::Open,
        awaiting_authentication: session.notes.awaiting_authentication,
        cancel_url: session.cancel_url,
    })
}

/// `ana@example.com` → `a•••@example.com`: enough for its owner to recognise.
pub fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}•••@{domain}")
        }
        None if email.is_empty() => String::new(),
        None => "•••".into(),
    }
}

/// Charges `card` for checkout `id`, with Stripe's test-card behaviour. A decline
/// changes nothing: the checkout stays open for another card.
pub async fn pay(
    state: &AppState,
    id: &str,
    card: &CardInput,
    today: (i32, u32),
) -> Result<PayResult, AppError> {
    let mut session = load::<CheckoutSession>(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    match session.status_at(now_ms() / 1000) {
        CheckoutStatus::Complete => {
            return Ok(PayResult::Paid {
                redirect: session.success_redirect(),
            });
        }
        CheckoutStatus::Expired => {
            return Err(AppError::Conflict(
                "This checkout has expired. Go back and start again.".into(),
            ));
        }
        CheckoutStatus::Open => {}
    }
    match card_outcome(card, today).map_err(AppError::Validation)? {
        CardOutcome::Declined { code, message } => {
            // As on Stripe, a one-off payment's declined attempt is an event of its
            // payment intent; the checkout itself stays open.
            if session.mode == CheckoutMode::Payment {
                let intent = PaymentIntent {
                    status: IntentStatus::RequiresPaymentMethod,
                    last_payment_error: Some(PaymentError {
                        code: code.into(),
                        message: message.into(),
                    }),
                    ..intent_of(&session)
                };
                let mut tx = state.db.begin().await?;
                save(&mut tx, &intent).await?;
                emit(&mut tx, "payment_intent.payment_failed", &intent).await?;
                tx.commit().await?;
            }
            Err(AppError::Payment {
                code: code.into(),
                message: message.into(),
            })
        }
        CardOutcome::RequiresAuthentication => {
            session.notes.awaiting_authentication = true;
            session.notes.card_last4 = Some(last4(&card.number));
            let mut tx = state.db.begin().await?;
            save(&mut tx, &session).await?;
            tx.commit().await?;
            Ok(PayResult::NeedsAuthentication)
        }
        CardOutcome::Approved => complete_checkout(state, id, &last4(&card.number)).await,
    }
}

/// The payment intent a payment-mode checkout makes, before it is paid.
fn intent_of(session: &CheckoutSession) -> PaymentIntent {
    PaymentIntent {
        id: id_from_key("pi", &session.id),
        amount: session.amount_total,
        amount_received: None,
        amount_refunded: 0,
        currency: session.currency.clone(),
        status: IntentStatus::RequiresPaymentMethod,
        last_payment_error: None,
        application_fee_amount: None,
        transfer_data: None,
        metadata: session.metadata.clone(),
        receipt_email: None,
        latest_charge: None,
        created: now_ms() / 1000,
        notes: CardNotes::default(),
    }
}

/// The cardholder's answer on the 3-D Secure step.
pub async fn authenticate(
    state: &AppState,
    id: &str,
    approve: bool,
) -> Result<PayResult, AppError> {
    let mut session = load::<CheckoutSession>(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !session.notes.awaiting_authentication {
        return Err(AppError::Conflict(
            "There is no payment waiting for authentication.".into(),
        ));
    }
    let last4 = session.notes.card_last4.clone().unwrap_or_default();
    session.notes.awaiting_authentication = false;
    let mut tx = state.db.begin().await?;
    save(&mut tx, &session).await?;
    tx.commit().await?;
    if !approve {
        return Err(AppError::Payment {
            code: "payment_intent_authentication_failure".into(),
            message: AUTHENTICATION_FAILED.into(),
        });
    }
    complete_checkout(state, id, &last4).await
}

fn last4(number: &str) -> String {
    let digits: Vec<char> = number.chars().filter(char::is_ascii_digit).collect();
    digits[digits.len().saturating_sub(4)..].iter().collect()
}

/// Pays the session: a customer, an active subscription, and the events Stripe sends.
async fn complete_checkout(state: &AppState, id: &str, last4: &str) -> Result<PayResult, AppError> {
    let now = now_ms() / 1000;
    let mut tx = state.db.begin_write().await?;
    let mut session = load::<CheckoutSession>(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if session.status == SessionStatus::Complete {
        return Ok(PayResult::Paid {
            redirect: session.success_redirect(),
        });
    }
    let card = CardNotes {
        card_last4: Some(last4.to_owned()),
    };
    if session.mode == CheckoutMode::Payment {
        let intent = PaymentIntent {
            amount_received: Some(session.amount_total),
            status: IntentStatus::Succeeded,
            application_fee_amount: session.notes.application_fee_amount,
            transfer_data: session
                .notes
                .destination
                .clone()
                .map(|destination| TransferData { destination }),
            receipt_email: Some(session.customer_email.clone()),
            latest_charge: Some(id_from_key("ch", id)),
            notes: card,
            ..intent_of(&session)
        };
        session.complete();
        session.payment_intent = Some(intent.id.clone());
        save(&mut tx, &intent).await?;
        save(&mut tx, &session).await?;
        emit(&mut tx, "payment_intent.succeeded", &intent).await?;
        emit(&mut tx, "checkout.session.completed", &session).await?;
        tx.commit().await?;
        return Ok(PayResult::Paid {
            redirect: session.success_redirect(),
        });
    }
    let customer = Customer {
        id: id_from_key("cus", id),
        email: session.customer_email.clone(),
        created: now,
        invoice_settings: Some(InvoiceSettings {
            default_payment_method: Some(format!("pm_card_{last4}")),
        }),
        notes: CustomerNotes {
            card_last4: Some(last4.to_owned()),
            portal_return_url: None,
        },
    };
    let subscription = Subscription {
        id: id_from_key("sub", id),
        customer: customer.id.clone(),
        status: SubscriptionStatus::Active,
        currency: Some(session.currency.clone()),
        current_period_start: now,
        current_period_end: now + PERIOD_SECS,
        cancel_at_period_end: false,
        canceled_at: None,
        created: now,
        metadata: session.metadata.clone(),
        items: Some(List {
            data: vec![SubscriptionItem {
                price: Price {
                    unit_amount: session.amount_total,
                    currency: session.currency.clone(),
                    recurring: Recurring {
                        interval: "month".into(),
                    },
                },
                current_period_end: now + PERIOD_SECS,
            }],
        }),
    };
    let invoice = Invoice {
        id: id_from_key("in", id),
        customer: customer.id.clone(),
        subscription: subscription.id.clone(),
        status: InvoiceStatus::Paid,
        amount_paid: session.amount_total,
        currency: session.currency.clone(),
        created: now,
    };
    session.complete();
    session.customer = Some(customer.id.clone());
    session.subscription = Some(subscription.id.clone());
    save(&mut tx, &customer).await?;
    save(&mut tx, &subscription).await?;
    save(&mut tx, &invoice).await?;
    save(&mut tx, &session).await?;
    emit(&mut tx, "customer.created", &customer).await?;
    emit(&mut tx, "customer.subscription.created", &subscription).await?;
    emit(&mut tx, "invoice.paid", &invoice).await?;
    emit(&mut tx, "checkout.session.completed", &session).await?;
    tx.commit().await?;
    Ok(PayResult::Paid {
        redirect: session.success_redirect(),
    })
}

/// Refunds `amount` (all of it when `None`) of a sandbox payment, emitting
/// `charge.refunded` as Stripe does (with the cumulative `amount_refunded`).
pub async fn refund_payment(
    state: &AppState,
    payment_intent: &str,
    amount: Option<i64>,
) -> Result<(), AppError> {
    let mut intent = load::<PaymentIntent>(&state.db, payment_intent)
        .await?
        .ok_or(AppError::NotFound)?;
    let (total, before) = (intent.amount, intent.amount_refunded);
    let refunded = (before + amount.unwrap_or(total - before)).min(total);
    if refunded <= before {
        return Err(AppError::Conflict(
            "This payment is already refunded.".into(),
        ));
    }
    intent.amount_refunded = refunded;
    let charge = Charge {
        id: intent.latest_charge.clone().unwrap_or_default(),
        payment_intent: intent.id.clone(),
        amount: total,
        amount_refunded: refunded,
        refunded: refunded == total,
        currency: intent.currency.clone(),
        metadata: intent.metadata.clone(),
    };
    let mut tx = state.db.begin().await?;
    save(&mut tx, &intent).await?;
    emit(&mut tx, "charge.refunded", &charge).await?;
    tx.commit().await
}

/// The connected account `id`, if it is `user`'s own payout account.
async fn owned_account(db: &Db, user: UserId, id: &str) -> Result<Account, AppError> {
    const SQL: &str =
        "SELECT COUNT(*) FROM artist_profiles WHERE user_id = $1 AND payout_account_id = $2";
    let n: i64 = query(SQL).bind(user.0).bind(id).scalar_one(db).await?;
    if n == 0 {
        return Err(AppError::NotFound);
    }
    load(db, id).await?.ok_or(AppError::NotFound)
}

pub async fn connect_view(db: &Db, user: UserId, id: &str) -> Result<ConnectView, AppError> {
    let account = owned_account(db, user, id).await?;
    Ok(ConnectView {
        link_expired: account.notes.link_expires_at.is_none_or(|t| t < now_ms()),
        id: account.id,
        email: account.email,
        details_submitted: account.details_submitted,
    })
}

fn validate_onboarding(form: &OnboardingForm, today_ms: i64) -> Result<(String, String), AppError> {
    let mut errors = Vec::new();
    let name = form
        .legal_name
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if name.chars().count() < 2 {
        errors.push(FieldError::new("legal_name", "Enter your legal name."));
    }
    match crate::time::parse_date(&form.date_of_birth) {
        Some(born) if born + 18 * 365 * DAY + 4 * DAY <= today_ms => {}
        Some(_) => errors.push(FieldError::new(
            "date_of_birth",
            "You must be 18 or older to receive payouts.",
        )),
        None => errors.push(FieldError::new(
            "date_of_birth",
            "Enter your date of birth as YYYY-MM-DD.",
        )),
    }
    let routing: String = form
        .routing_number
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    if routing.len() != 9 {
        errors.push(FieldError::new(
            "routing_number",
            "A routing number has 9 digits (test: 110000000).",
        ));
    }
    let account: String = form
        .account_number
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    if !(4..=17).contains(&account.len()) {
        errors.push(FieldError::new(
            "account_number",
            "An account number has 4 to 17 digits (test: 000123456789).",
        ));
    }
    if errors.is_empty() {
        Ok((name, account))
    } else {
        Err(AppError::Validation(errors))
    }
}

/// Submits the onboarding form: the account is verified at once (the sandbox has no
/// review), `account.updated` is emitted, and the artist goes back to the return URL.
pub async fn submit_onboarding(
    state: &AppState,
    user: UserId,
    id: &str,
    form: &OnboardingForm,
) -> Result<String, AppError> {
    let mut account = owned_account(&state.db, user, id).await?;
    let (name, account_number) = validate_onboarding(form, now_ms())?;
    let last4: String = account_number[account_number.len() - 4..].to_owned();
    account.details_submitted = true;
    account.charges_enabled = true;
    account.payouts_enabled = true;
    account.capabilities = Capabilities {
        transfers: Capability::Active,
        card_payments: Capability::Active,
    };
    account.individual = Some(Individual { name });
    account.external_accounts = Some(List {
        data: vec![BankAccount {
            last4,
            routing_number: Some(form.routing_number.trim().to_owned()),
            currency: Some("usd".into()),
        }],
    });
    let return_url = account
        .notes
        .return_url
        .clone()
        .unwrap_or_else(|| state.settings.link("/artist/payout?return=1"));
    let mut tx = state.db.begin().await?;
    save(&mut tx, &account).await?;
    emit(&mut tx, "account.updated", &account).await?;
    tx.commit().await?;
    Ok(return_url)
}

/// The customer `id`, if one of `user`'s subscriptions belongs to it; and that subscription.
async fn owned_customer(
    db: &Db,
    user: UserId,
    id: &str,
) -> Result<(Customer, Subscription), AppError> {
    const SQL: &str = "SELECT provider_subscription_id FROM subscriptions WHERE user_id = $1 AND provider_customer_id = $2 \
                       ORDER BY updated_at DESC LIMIT 1";
    let sub: Option<String> = query(SQL).bind(user.0).bind(id).scalar_optional(db).await?;
    let sub = sub.ok_or(AppError::NotFound)?;
    let customer = load(db, id).await?.ok_or(AppError::NotFound)?;
    let subscription = load(db, &sub).await?.ok_or(AppError::NotFound)?;
    Ok((customer, subscription))
}

pub async fn billing_view(db: &Db, user: UserId, customer: &str) -> Result<BillingView, AppError> {
    let (customer, sub) = owned_customer(db, user, customer).await?;
    Ok(BillingView {
        customer: customer.id,
        tier: sub
            .metadata
            .get("tier")
            .and_then(|t| Tier::parse(t).ok())
            .unwrap_or(Tier::Starter),
        subscription: sub.id,
        status: sub.status,
        current_period_end: Some(sub.current_period_end * 1000),
        card_last4: customer.notes.card_last4.unwrap_or_default(),
        return_url: customer
            .notes
            .portal_return_url
            .unwrap_or_else(|| "/dashboard".into()),
    })
}

/// Changes the plan or cancels it, emitting the subscription event Stripe would.
pub async fn change_billing(
    state: &AppState,
    user: UserId,
    customer: &str,
    change: BillingChange,
) -> Result<(), AppError> {
    let (_, mut sub) = owned_customer(&state.db, user, customer).await?;
    if sub.status == SubscriptionStatus::Canceled {
        return Err(AppError::Conflict(
            "This plan is canceled. Choose a plan again from the sign-up page.".into(),
        ));
    }
    let kind = match change {
        BillingChange::SwitchTo(tier) => {
            sub.metadata.insert("tier".into(), tier.as_str().into());
            for item in sub.items.iter_mut().flat_map(|items| items.data.iter_mut()) {
                item.price.unit_amount = tier.plan().monthly_cents;
            }
            "customer.subscription.updated"
        }
        BillingChange::Cancel => {
            sub.status = SubscriptionStatus::Canceled;
            sub.canceled_at = Some(now_ms() / 1000);
            "customer.subscription.deleted"
        }
    };
    let mut tx = state.db.begin().await?;
    save(&mut tx, &sub).await?;
    emit(&mut tx, kind, &sub).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_masked_for_strangers() {
        assert_eq!(mask_email("ana@example.com"), "a•••@example.com");
        assert_eq!(mask_email(""), "");
    }

    #[test]
    fn ids_are_stable_per_idempotency_key() {
        assert_eq!(id_from_key("cs_test", "a"), id_from_key("cs_test", "a"));
        assert_ne!(id_from_key("cs_test", "a"), id_from_key("cs_test", "b"));
        assert!(id_from_key("acct", "a").starts_with("acct_sbx_"));
    }

    #[test]
    fn onboarding_form_is_checked_field_by_field() {
        let now = crate::time::parse_date("2026-11-25").expect("a valid date");
        let good = OnboardingForm {
            legal_name: "Nova  Reyes".into(),
            date_of_birth: "1990-04-02".into(),
            routing_number: "110000000".into(),
            account_number: "000123456789".into(),
        };
        assert_eq!(
            validate_onboarding(&good, now).ok(),
            Some(("Nova Reyes".into(), "000123456789".into()))
        );
        let minor = OnboardingForm {
            date_of_birth: "2010-01-01".into(),
            ..good.clone()
        };
        assert!(
            validate_onboarding(&minor, now)
                .expect_err("should be refused")
                .field_message("date_of_birth")
                .is_some()
        );
        let bad = OnboardingForm::default();
        let AppError::Validation(errors) =
            validate_onboarding(&bad, now).expect_err("should be refused")
        else {
            panic!("expected validation errors");
        };
        assert_eq!(errors.len(), 4);
        assert_eq!(last4("4242 4242 4242 4242"), "4242");
    }
}
