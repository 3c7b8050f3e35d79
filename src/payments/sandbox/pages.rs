//! The sandbox's hosted pages: checkout, 3-D Secure, payout onboarding, billing.

use super::*;

async fn checkout_object(db: &Db, id: &str) -> Result<Value, AppError> {
    load(db, id)
        .await?
        .filter(|s| s["object"] == "checkout.session")
        .ok_or(AppError::NotFound)
}

/// A checkout as its hosted page shows it. Anyone with the (unguessable) link may
/// pay, as with a provider's checkout URL, but the payer's email is shown in full only
/// to its owner (`viewer_emails`: the signed-in account's, the browser's pending
/// sign-up's); others see it masked.
pub async fn checkout_view(
    db: &Db,
    id: &str,
    viewer_emails: &[String],
) -> Result<CheckoutView, AppError> {
    let session = checkout_object(db, id).await?;
    let email = text(&session, "customer_email").unwrap_or_default();
    let email = if viewer_emails.iter().any(|v| v.eq_ignore_ascii_case(&email)) {
        email
    } else {
        mask_email(&email)
    };
    let tier = session["metadata"]["tier"]
        .as_str()
        .and_then(|t| Tier::parse(t).ok())
        .unwrap_or(Tier::Starter);
    let payment = session["mode"] == "payment";
    Ok(CheckoutView {
        id: id.to_owned(),
        recurring: !payment,
        description: if payment {
            text(&session["_sandbox"], "description").unwrap_or_default()
        } else {
            format!("Boptone {} plan, billed monthly", tier.plan().name)
        },
        amount_cents: session["amount_total"].as_i64().unwrap_or_default(),
        currency: session["currency"]
            .as_str()
            .unwrap_or("usd")
            .to_ascii_uppercase(),
        email,
        open: checkout_status(&session) == CheckoutStatus::Open,
        awaiting_authentication: session["_sandbox"]["awaiting_authentication"]
            .as_bool()
            .unwrap_or(false),
        cancel_url: text(&session, "cancel_url").unwrap_or_else(|| "/".into()),
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

fn success_redirect(session: &Value) -> String {
    let id = session["id"].as_str().unwrap_or_default();
    text(session, "success_url")
        .unwrap_or_else(|| "/".into())
        .replace("{CHECKOUT_SESSION_ID}", id)
}

/// Charges `card` for checkout `id`, with Stripe's test-card behaviour. A decline
/// changes nothing: the checkout stays open for another card.
pub async fn pay(
    state: &AppState,
    id: &str,
    card: &CardInput,
    today: (i32, u32),
) -> Result<PayResult, AppError> {
    let session = checkout_object(&state.db, id).await?;
    match checkout_status(&session) {
        CheckoutStatus::Complete => {
            return Ok(PayResult::Paid {
                redirect: success_redirect(&session),
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
            if session["mode"] == "payment" {
                let intent = json!({
                    "id": id_from_key("pi", id),
                    "object": "payment_intent",
                    "amount": session["amount_total"],
                    "currency": session["currency"],
                    "status": "requires_payment_method",
                    "last_payment_error": { "code": code, "message": message },
                    "metadata": session["metadata"],
                    "created": now_ms() / 1000,
                });
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
            let mut session = session;
            session["_sandbox"]["awaiting_authentication"] = json!(true);
            session["_sandbox"]["card_last4"] = json!(last4(&card.number));
            let mut tx = state.db.begin().await?;
            save(&mut tx, &session).await?;
            tx.commit().await?;
            Ok(PayResult::NeedsAuthentication)
        }
        CardOutcome::Approved => complete_checkout(state, id, &last4(&card.number)).await,
    }
}

/// The cardholder's answer on the 3-D Secure step.
pub async fn authenticate(
    state: &AppState,
    id: &str,
    approve: bool,
) -> Result<PayResult, AppError> {
    let mut session = checkout_object(&state.db, id).await?;
    if !session["_sandbox"]["awaiting_authentication"]
        .as_bool()
        .unwrap_or(false)
    {
        return Err(AppError::Conflict(
            "There is no payment waiting for authentication.".into(),
        ));
    }
    let last4 = text(&session["_sandbox"], "card_last4").unwrap_or_default();
    session["_sandbox"]["awaiting_authentication"] = json!(false);
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
    let mut session = load(&mut tx, id)
        .await?
        .filter(|s| s["object"] == "checkout.session")
        .ok_or(AppError::NotFound)?;
    if checkout_status(&session) == CheckoutStatus::Complete {
        return Ok(PayResult::Paid {
            redirect: success_redirect(&session),
        });
    }
    if session["mode"] == "payment" {
        let intent = json!({
            "id": id_from_key("pi", id),
            "object": "payment_intent",
            "amount": session["amount_total"],
            "amount_received": session["amount_total"],
            "currency": session["currency"],
            "status": "succeeded",
            "application_fee_amount": session["_sandbox"]["application_fee_amount"],
            "transfer_data": { "destination": session["_sandbox"]["destination"] },
            "metadata": session["metadata"],
            "receipt_email": session["customer_email"],
            "latest_charge": id_from_key("ch", id),
            "created": now,
            "_sandbox": { "card_last4": last4 },
        });
        session["status"] = json!("complete");
        session["payment_status"] = json!("paid");
        session["payment_intent"] = intent["id"].clone();
        session["url"] = Value::Null;
        save(&mut tx, &intent).await?;
        save(&mut tx, &session).await?;
        emit(&mut tx, "payment_intent.succeeded", &intent).await?;
        emit(&mut tx, "checkout.session.completed", &session).await?;
        tx.commit().await?;
        return Ok(PayResult::Paid {
            redirect: success_redirect(&session),
        });
    }
    let customer = json!({
        "id": id_from_key("cus", id),
        "object": "customer",
        "email": session["customer_email"],
        "created": now,
        "invoice_settings": { "default_payment_method": format!("pm_card_{last4}") },
        "_sandbox": { "card_last4": last4 },
    });
    let subscription = json!({
        "id": id_from_key("sub", id),
        "object": "subscription",
        "customer": customer["id"],
        "status": "active",
        "currency": session["currency"],
        "current_period_start": now,
        "current_period_end": now + PERIOD_SECS,
        "cancel_at_period_end": false,
        "created": now,
        "metadata": session["metadata"],
        "items": { "object": "list", "data": [{
            "object": "subscription_item",
            "price": { "object": "price", "unit_amount": session["amount_total"], "currency": session["currency"],
                       "recurring": { "interval": "month" } },
            "current_period_end": now + PERIOD_SECS,
        }]},
    });
    let invoice = json!({
        "id": id_from_key("in", id),
        "object": "invoice",
        "customer": customer["id"],
        "subscription": subscription["id"],
        "status": "paid",
        "amount_paid": session["amount_total"],
        "currency": session["currency"],
        "created": now,
    });
    session["status"] = json!("complete");
    session["payment_status"] = json!("paid");
    session["customer"] = customer["id"].clone();
    session["subscription"] = subscription["id"].clone();
    session["url"] = Value::Null;
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
        redirect: success_redirect(&session),
    })
}

/// Refunds `amount` (all of it when `None`) of a sandbox payment, emitting
/// `charge.refunded` as Stripe does (with the cumulative `amount_refunded`).
pub async fn refund_payment(
    state: &AppState,
    payment_intent: &str,
    amount: Option<i64>,
) -> Result<(), AppError> {
    let mut intent = load(&state.db, payment_intent)
        .await?
        .filter(|p| p["object"] == "payment_intent")
        .ok_or(AppError::NotFound)?;
    let total = intent["amount"].as_i64().unwrap_or(0);
    let before = intent["amount_refunded"].as_i64().unwrap_or(0);
    let refunded = (before + amount.unwrap_or(total - before)).min(total);
    if refunded <= before {
        return Err(AppError::Conflict(
            "This payment is already refunded.".into(),
        ));
    }
    intent["amount_refunded"] = json!(refunded);
    let charge = json!({
        "id": intent["latest_charge"], "object": "charge", "payment_intent": payment_intent,
        "amount": total, "amount_refunded": refunded, "refunded": refunded == total,
        "currency": intent["currency"], "metadata": intent["metadata"],
    });
    let mut tx = state.db.begin().await?;
    save(&mut tx, &intent).await?;
    emit(&mut tx, "charge.refunded", &charge).await?;
    tx.commit().await
}

/// The connected account `id`, if it is `user`'s own payout account.
async fn owned_account(db: &Db, user: UserId, id: &str) -> Result<Value, AppError> {
    const SQL: &str =
        "SELECT COUNT(*) FROM artist_profiles WHERE user_id = $1 AND payout_account_id = $2";
    let n: i64 = query(SQL).bind(user.0).bind(id).scalar_one(db).await?;
    if n == 0 {
        return Err(AppError::NotFound);
    }
    load(db, id)
        .await?
        .filter(|a| a["object"] == "account")
        .ok_or(AppError::NotFound)
}

pub async fn connect_view(db: &Db, user: UserId, id: &str) -> Result<ConnectView, AppError> {
    let account = owned_account(db, user, id).await?;
    Ok(ConnectView {
        id: id.to_owned(),
        email: text(&account, "email").unwrap_or_default(),
        details_submitted: account["details_submitted"].as_bool().unwrap_or(false),
        link_expired: account["_sandbox"]["link_expires_at"]
            .as_i64()
            .is_none_or(|t| t < now_ms()),
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
    account["details_submitted"] = json!(true);
    account["charges_enabled"] = json!(true);
    account["payouts_enabled"] = json!(true);
    account["capabilities"] = json!({ "transfers": "active", "card_payments": "active" });
    account["individual"] = json!({ "name": name });
    account["external_accounts"] = json!({ "object": "list", "data": [{
        "object": "bank_account", "last4": last4, "routing_number": form.routing_number.trim(),
        "currency": "usd", "status": "new"
    }]});
    let return_url = text(&account["_sandbox"], "return_url")
        .unwrap_or_else(|| state.settings.link("/artist/payout?return=1"));
    let mut tx = state.db.begin().await?;
    save(&mut tx, &account).await?;
    emit(&mut tx, "account.updated", &account).await?;
    tx.commit().await?;
    Ok(return_url)
}

/// The customer `id`, if one of `user`'s subscriptions belongs to it; and that subscription.
async fn owned_customer(db: &Db, user: UserId, id: &str) -> Result<(Value, Value), AppError> {
    const SQL: &str = "SELECT provider_subscription_id FROM subscriptions WHERE user_id = $1 AND provider_customer_id = $2 \
                       ORDER BY updated_at DESC LIMIT 1";
    let sub: Option<String> = query(SQL).bind(user.0).bind(id).scalar_optional(db).await?;
    let sub = sub.ok_or(AppError::NotFound)?;
    let customer = load(db, id).await?.ok_or(AppError::NotFound)?;
    let subscription = load(db, &sub).await?.ok_or(AppError::NotFound)?;
    Ok((customer, subscription))
}

pub async fn billing_view(db: &Db, user: UserId, customer: &str) -> Result<BillingView, AppError> {
    let (customer_obj, sub) = owned_customer(db, user, customer).await?;
    Ok(BillingView {
        customer: customer.to_owned(),
        subscription: text(&sub, "id").unwrap_or_default(),
        tier: sub["metadata"]["tier"]
            .as_str()
            .and_then(|t| Tier::parse(t).ok())
            .unwrap_or(Tier::Starter),
        status: sub["status"]
            .as_str()
            .and_then(SubscriptionStatus::parse)
            .unwrap_or(SubscriptionStatus::Incomplete),
        current_period_end: sub["current_period_end"].as_i64().map(|s| s * 1000),
        card_last4: text(&customer_obj["_sandbox"], "card_last4").unwrap_or_default(),
        return_url: text(&customer_obj["_sandbox"], "portal_return_url")
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
    if sub["status"] == "canceled" {
        return Err(AppError::Conflict(
            "This plan is canceled. Choose a plan again from the sign-up page.".into(),
        ));
    }
    let kind = match change {
        BillingChange::SwitchTo(tier) => {
            let plan = tier.plan();
            sub["metadata"]["tier"] = json!(tier.as_str());
            sub["items"]["data"][0]["price"]["unit_amount"] = json!(plan.monthly_cents);
            "customer.subscription.updated"
        }
        BillingChange::Cancel => {
            sub["status"] = json!("canceled");
            sub["canceled_at"] = json!(now_ms() / 1000);
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
