//! The revenue gate on both databases (SPEC ONB-2..7), through the sandbox provider:
//! sign-up through checkout, setup, payouts, the gate, and provider events delivered
//! twice or out of order.

use boptone::db::query;
use std::io::Cursor;

use boptone::{
    AppError,
    accounts::{Password, UserId},
    both_databases,
    onboarding::{OnboardingStep, ProfileForm, ProfileInput, service},
    payments::{
        Capability, CardInput, SubscriptionStatus, Tier, events,
        sandbox::{self, BillingChange, OnboardingForm, PayResult},
    },
    signup::{self, Applicant, Finished},
    state::AppState,
    testing::TestDb,
};

const TODAY: (i32, u32) = (2026, 11);

async fn count(t: &TestDb, sql: &'static str) -> i64 {
    query(sql).scalar_one::<i64>(&t.db).await.expect("count")
}

fn card(number: &str) -> CardInput {
    CardInput {
        number: number.into(),
        expiry: "12 / 34".into(),
        cvc: "123".into(),
        name: "Nova Reyes".into(),
    }
}

fn applicant(email: &str) -> Applicant {
    Applicant::New {
        name: boptone::accounts::DisplayName::parse("Nova Reyes").expect("name"),
        email: boptone::accounts::Email::parse(email).expect("email"),
        password: Password::parse("correct horse").expect("password"),
    }
}

/// Starts a sign-up; returns the browser's secret and the checkout session id.
async fn start(state: &AppState, tier: Tier, email: &str) -> (String, String) {
    let started = signup::start(state, tier, applicant(email))
        .await
        .expect("start sign-up");
    let session = started
        .checkout_url
        .rsplit('/')
        .next()
        .expect("session id in the checkout URL")
        .to_owned();
    (started.secret, session)
}

/// A whole sign-up paid with 4242…; returns the new artist.
async fn signed_up_artist(t: &TestDb, tier: Tier, email: &str) -> UserId {
    let state = t.state();
    let (secret, session) = start(&state, tier, email).await;
    let paid = sandbox::pay(&state, &session, &card("4242424242424242"), TODAY)
        .await
        .expect("paid");
    assert!(matches!(paid, PayResult::Paid { ref redirect } if redirect.contains(&session)));
    match signup::finish(&state, &session, Some(&secret), None, None)
        .await
        .expect("finish")
    {
        Finished::Ready { artist, session } => {
            assert!(session.is_some(), "the browser is signed in");
            artist
        }
        Finished::Pending => panic!("a paid checkout is complete"),
    }
}

fn png(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 200])
    });
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
        .expect("encode");
    out
}

fn profile(handle: &str) -> ProfileInput {
    ProfileInput::parse(&ProfileForm {
        stage_name: "Nova Reyes".into(),
        handle: handle.into(),
        bio: "Bedroom-pop songwriter recording in a converted closet.".into(),
        location: "Austin, TX".into(),
        genres: vec!["Indie Pop".into()],
        links: vec!["https://instagram.com/nova".into()],
    })
    .expect("valid profile")
}

async fn set_up_profile(t: &TestDb, artist: UserId, handle: &str) {
    let state = t.state();
    boptone::media::store_profile_photo(&t.db, &state.storage, artist, png(300, 200))
        .await
        .expect("photo");
    service::save_profile(&state, artist, &profile(handle))
        .await
        .expect("profile saved");
}

async fn enable_payouts(t: &TestDb, artist: UserId) {
    let state = t.state();
    let user = boptone::accounts::service::find_user(&t.db, artist)
        .await
        .expect("user")
        .expect("exists");
    let link = service::payout_onboarding_link(&state, &user)
        .await
        .expect("onboarding link");
    let account = link.rsplit('/').next().expect("account id").to_owned();
    let back = sandbox::submit_onboarding(
        &state,
        artist,
        &account,
        &OnboardingForm {
            legal_name: "Nova Reyes".into(),
            date_of_birth: "1994-03-02".into(),
            routing_number: "110000000".into(),
            account_number: "000123456789".into(),
        },
    )
    .await
    .expect("submitted");
    assert!(back.ends_with("/artist/payout?return=1"));
    t.run_jobs().await;
}

async fn checkout_creates_the_artist_only_when_paid(t: TestDb) {
    let state = t.state();
    let (secret, session) = start(&state, Tier::Pro, "nova@example.com").await;
    assert_eq!(count(&t, "SELECT COUNT(*) FROM users").await, 0);
    assert_eq!(count(&t, "SELECT COUNT(*) FROM artist_profiles").await, 0);
    assert_eq!(
        signup::pending(&t.db, &secret).await.expect("pending"),
        Some(boptone::payments::PendingSignup {
            tier: Tier::Pro,
            email: "nova@example.com".into()
        })
    );

    // A declined card: Stripe's message, and still nothing but the pending sign-up.
    let declined = sandbox::pay(&state, &session, &card("4000 0000 0000 0002"), TODAY).await;
    assert_eq!(
        declined,
        Err(AppError::Payment {
            code: "card_declined".into(),
            message: "Your card was declined.".into()
        })
    );
    t.run_jobs().await;
    assert_eq!(count(&t, "SELECT COUNT(*) FROM users").await, 0);
    assert_eq!(count(&t, "SELECT COUNT(*) FROM payment_events").await, 0);

    // Coming back without paying changes nothing either.
    assert!(matches!(
        signup::finish(&state, &session, Some(&secret), None, None).await,
        Ok(Finished::Pending)
    ));
    assert_eq!(count(&t, "SELECT COUNT(*) FROM users").await, 0);

    // Paid: the provider's events make the artist, once.
    sandbox::pay(&state, &session, &card("4242 4242 4242 4242"), TODAY)
        .await
        .expect("paid");
    t.run_jobs().await;
    assert_eq!(
        count(&t, "SELECT COUNT(*) FROM users WHERE role = 'artist'").await,
        1
    );
    assert_eq!(
        count(&t, "SELECT COUNT(*) FROM artist_profiles WHERE onboarding_completed = FALSE AND tier = 'pro'").await,
        1
    );
    assert_eq!(
        count(
            &t,
            "SELECT COUNT(*) FROM subscriptions WHERE status = 'active' AND tier = 'pro'"
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &t,
            "SELECT COUNT(*) FROM payment_events WHERE processed_at IS NULL"
        )
        .await,
        0
    );
    // The browser that paid is signed in on return; a stranger with the session id is not.
    assert!(matches!(
        signup::finish(&state, &session, None, None, None).await,
        Err(AppError::NotFound)
    ));
    let Finished::Ready {
        artist,
        session: Some(_),
    } = signup::finish(&state, &session, Some(&secret), None, None)
        .await
        .expect("finish")
    else {
        panic!("signed in as the new artist");
    };
    let status = service::status(&t.db, artist)
        .await
        .expect("status")
        .expect("an artist");
    assert_eq!(status.tier, Tier::Pro);
    assert_eq!(status.subscription, Some(SubscriptionStatus::Active));
    assert_eq!(status.first_missing_step(), Some(OnboardingStep::Profile));
    assert_eq!(count(&t, "SELECT COUNT(*) FROM users").await, 1);
    // The pending sign-up is finished: nothing left to resume.
    assert_eq!(
        signup::pending(&t.db, &secret).await.expect("pending"),
        None
    );
}

async fn an_abandoned_checkout_can_be_resumed(t: TestDb) {
    let state = t.state();
    let (secret, session) = start(&state, Tier::Starter, "later@example.com").await;
    let resumed = signup::resume(&state, &secret).await.expect("resume");
    assert_eq!(
        resumed,
        signup::Resumed::Checkout(format!("http://127.0.0.1:3000/sandbox/checkout/{session}"))
    );
    // Starting over with the same email is allowed; the old checkout still completes if paid.
    signup::abandon(&t.db, &secret).await.expect("abandon");
    assert_eq!(
        signup::pending(&t.db, &secret).await.expect("pending"),
        None
    );
    sandbox::pay(&state, &session, &card("4242424242424242"), TODAY)
        .await
        .expect("paid anyway");
    t.run_jobs().await;
    assert_eq!(
        count(&t, "SELECT COUNT(*) FROM users").await,
        1,
        "money is never dropped"
    );
}

async fn one_email_has_one_live_checkout(t: TestDb) {
    let state = t.state();
    // Two tabs (or devices) start a sign-up with one email: the older checkout ends,
    // so the same person cannot pay for two plans.
    let (first_secret, first) = start(&state, Tier::Starter, "twice@example.com").await;
    let (_, second) = start(&state, Tier::Pro, "twice@example.com").await;
    assert_eq!(
        signup::pending(&t.db, &first_secret)
            .await
            .expect("pending"),
        None
    );
    assert!(matches!(
        sandbox::pay(&state, &first, &card("4242424242424242"), TODAY).await,
        Err(AppError::Conflict(_))
    ));
    sandbox::pay(&state, &second, &card("4242424242424242"), TODAY)
        .await
        .expect("the newer checkout pays");
    t.run_jobs().await;
    assert_eq!(count(&t, "SELECT COUNT(*) FROM users").await, 1);
    assert_eq!(count(&t, "SELECT COUNT(*) FROM subscriptions").await, 1);
    assert_eq!(
        count(
            &t,
            "SELECT COUNT(*) FROM artist_profiles WHERE tier = 'pro'"
        )
        .await,
        1
    );

    // A checkout paid in the other tab before the new start: that sign-up completes,
    // and the new one is refused instead of opening a second plan.
    let (_, paid_elsewhere) = start(&state, Tier::Starter, "tabs@example.com").await;
    sandbox::pay(&state, &paid_elsewhere, &card("4242424242424242"), TODAY)
        .await
        .expect("paid");
    let again = signup::start(&state, Tier::Label, applicant("tabs@example.com")).await;
    assert!(
        again
            .as_ref()
            .err()
            .and_then(|e| e.field_message("email"))
            .is_some(),
        "{again:?}"
    );
    assert_eq!(count(&t, "SELECT COUNT(*) FROM users").await, 2);
    assert_eq!(count(&t, "SELECT COUNT(*) FROM subscriptions").await, 2);
}

async fn three_d_secure_asks_before_paying(t: TestDb) {
    let state = t.state();
    let (_, session) = start(&state, Tier::Starter, "tds@example.com").await;
    let asked = sandbox::pay(&state, &session, &card("4000 0025 0000 3155"), TODAY).await;
    assert_eq!(asked, Ok(PayResult::NeedsAuthentication));
    let failed = sandbox::authenticate(&state, &session, false).await;
    assert!(matches!(failed, Err(AppError::Payment { .. })));
    t.run_jobs().await;
    assert_eq!(count(&t, "SELECT COUNT(*) FROM users").await, 0);
    // Confirming without a pending authentication is refused.
    assert!(matches!(
        sandbox::authenticate(&state, &session, true).await,
        Err(AppError::Conflict(_))
    ));
    sandbox::pay(&state, &session, &card("4000002500003155"), TODAY)
        .await
        .expect("asked again");
    let paid = sandbox::authenticate(&state, &session, true).await;
    assert!(matches!(paid, Ok(PayResult::Paid { .. })));
    t.run_jobs().await;
    assert_eq!(count(&t, "SELECT COUNT(*) FROM users").await, 1);
}

async fn completing_twice_at_once_makes_one_artist(t: TestDb) {
    let state = t.state();
    let (_, session) = start(&state, Tier::Starter, "race@example.com").await;
    sandbox::pay(&state, &session, &card("4242424242424242"), TODAY)
        .await
        .expect("paid");
    let (a, b, _) = tokio::join!(
        signup::complete_from_checkout(&state, &session),
        signup::complete_from_checkout(&state, &session),
        t.run_jobs(),
    );
    let (a, b) = (a.expect("a"), b.expect("b"));
    assert_eq!(count(&t, "SELECT COUNT(*) FROM users").await, 1);
    assert_eq!(count(&t, "SELECT COUNT(*) FROM artist_profiles").await, 1);
    assert_eq!(count(&t, "SELECT COUNT(*) FROM subscriptions").await, 1);
    assert!(a.is_some() || b.is_some());
    for id in [a, b].into_iter().flatten() {
        assert_eq!(Some(id), a.or(b));
    }
    assert_eq!(
        count(
            &t,
            "SELECT COUNT(*) FROM platform_events WHERE name = 'artist.signed_up'"
        )
        .await,
        1
    );
}

async fn the_gate_names_each_missing_step(t: TestDb) {
    let state = t.state();
    let artist = signed_up_artist(&t, Tier::Starter, "gate@example.com").await;
    let refused = service::set_tips_enabled(&state, artist, true).await;
    assert_eq!(
        refused,
        Err(AppError::Gate {
            step: OnboardingStep::Profile
        })
    );

    // Setup needs the photo first.
    let no_photo = service::save_profile(&state, artist, &profile("nova_gate")).await;
    assert!(
        no_photo
            .expect_err("photo required")
            .field_message("photo")
            .is_some()
    );
    set_up_profile(&t, artist, "nova_gate").await;
    assert_eq!(
        service::set_tips_enabled(&state, artist, true).await,
        Err(AppError::Gate {
            step: OnboardingStep::Payouts
        })
    );
    assert_eq!(
        count(
            &t,
            "SELECT COUNT(*) FROM artist_profiles WHERE tips_enabled = TRUE"
        )
        .await,
        0,
        "a refused revenue action writes nothing"
    );

    enable_payouts(&t, artist).await;
    service::set_tips_enabled(&state, artist, true)
        .await
        .expect("ready to earn");
    let status = service::status(&t.db, artist)
        .await
        .expect("status")
        .expect("artist");
    assert!(status.tips_enabled && status.payouts_enabled && status.profile_complete);
    assert!(status.checklist().iter().take(4).all(|i| i.done));
    assert!(!status.first_dollar, "no money has moved yet");

    // Plan limits go through the same gate.
    assert_eq!(
        service::require_capability(&t.db, artist, Capability::InstantPayouts).await,
        Err(AppError::PlanRequired {
            capability: Capability::InstantPayouts
        })
    );
    // Funnel steps were recorded once each.
    for name in [
        "artist.signed_up",
        "artist.profile.completed",
        "artist.payouts.enabled",
        "artist.tips.enabled",
    ] {
        let n: i64 = query("SELECT COUNT(*) FROM platform_events WHERE name = $1")
            .bind(name)
            .scalar_one(&t.db)
            .await
            .expect("count");
        assert_eq!(n, 1, "{name}");
    }
    // Sharing is the fifth step, recorded once however often the artist shares.
    service::record_share(&state, artist).await.expect("shared");
    service::record_share(&state, artist)
        .await
        .expect("shared again");
    // Turning Kick In off later does not undo having reached the step.
    service::set_tips_enabled(&state, artist, false)
        .await
        .expect("off");
    let funnel = service::funnel(&t.db).await.expect("funnel");
    let reached: Vec<i64> = funnel.iter().map(|row| row.artists).collect();
    assert_eq!(reached, [1, 1, 1, 1, 1, 0], "{funnel:?}");
}

async fn handles_are_unique(t: TestDb) {
    let first = signed_up_artist(&t, Tier::Starter, "one@example.com").await;
    let second = signed_up_artist(&t, Tier::Starter, "two@example.com").await;
    set_up_profile(&t, first, "same_name").await;
    let state = t.state();
    boptone::media::store_profile_photo(&t.db, &state.storage, second, png(100, 100))
        .await
        .expect("photo");
    let taken = service::save_profile(&state, second, &profile("same_name")).await;
    assert!(taken.expect_err("taken").field_message("handle").is_some());
    let listed = boptone::artists::service::find_by_handle(&t.db, "same_name")
        .await
        .expect("public profile");
    assert_eq!(listed.links, ["https://instagram.com/nova"]);
    assert!(
        listed
            .photo_url
            .is_some_and(|u| u.starts_with("/media/artists/"))
    );
}

async fn uploads_are_checked_by_content(t: TestDb) {
    let artist = signed_up_artist(&t, Tier::Starter, "photo@example.com").await;
    let state = t.state();
    let renamed = boptone::media::store_profile_photo(
        &t.db,
        &state.storage,
        artist,
        b"<?xml version=\"1.0\"?><svg></svg>".to_vec(),
    )
    .await;
    assert!(
        renamed
            .expect_err("not a photo")
            .field_message("photo")
            .is_some()
    );
    let huge = vec![0xFFu8; boptone::media::PHOTO_MAX_BYTES + 1];
    let too_big = boptone::media::store_profile_photo(&t.db, &state.storage, artist, huge).await;
    assert!(
        too_big
            .expect_err("too big")
            .field_message("photo")
            .is_some()
    );
    assert_eq!(
        count(
            &t,
            "SELECT COUNT(*) FROM artist_profiles WHERE photo_url IS NOT NULL"
        )
        .await,
        0
    );
    let url = boptone::media::store_profile_photo(&t.db, &state.storage, artist, png(800, 600))
        .await
        .expect("stored");
    let key = url.strip_prefix("/media/").expect("media URL");
    let stored = state.storage.get(key).await.expect("read").expect("exists");
    let decoded = image::load_from_memory(&stored).expect("a JPEG");
    assert_eq!((decoded.width(), decoded.height()), (512, 512));
}

async fn provider_events_apply_once_in_any_order(t: TestDb) {
    let state = t.state();
    let artist = signed_up_artist(&t, Tier::Starter, "events@example.com").await;
    t.run_jobs().await;
    let customer: String =
        query("SELECT provider_customer_id FROM subscriptions WHERE user_id = $1")
            .bind(artist.0)
            .scalar_one(&t.db)
            .await
            .expect("customer");
    // Two changes on the billing page, their events processed newest first.
    sandbox::change_billing(
        &state,
        artist,
        &customer,
        BillingChange::SwitchTo(Tier::Pro),
    )
    .await
    .expect("switch");
    sandbox::change_billing(&state, artist, &customer, BillingChange::Cancel)
        .await
        .expect("cancel");
    let pending: Vec<i64> =
        query("SELECT id FROM payment_events WHERE processed_at IS NULL ORDER BY id DESC")
            .scalar_all(&t.db)
            .await
            .expect("pending events");
    assert_eq!(pending.len(), 2);
    for id in &pending {
        events::process(&state, *id).await.expect("processed");
    }
    // Processing again, or redelivering, changes nothing.
    for id in &pending {
        events::process(&state, *id).await.expect("processed again");
    }
    let raw: String = query("SELECT payload FROM payment_events WHERE id = $1")
        .bind(pending[0])
        .scalar_one(&t.db)
        .await
        .expect("payload");
    let mut tx = t.db.begin().await.expect("tx");
    assert!(
        !events::record(&mut tx, "sandbox", &raw)
            .await
            .expect("redelivery")
    );
    tx.commit().await.expect("commit");
    t.run_jobs().await;

    let status = service::status(&t.db, artist)
        .await
        .expect("status")
        .expect("artist");
    assert_eq!(status.subscription, Some(SubscriptionStatus::Canceled));
    assert_eq!(status.tier, Tier::Pro);
    assert_eq!(status.first_missing_step(), Some(OnboardingStep::Plan));
    assert_eq!(count(&t, "SELECT COUNT(*) FROM subscriptions").await, 1);
    // A canceled plan cannot be changed again.
    assert!(matches!(
        sandbox::change_billing(&state, artist, &customer, BillingChange::Cancel).await,
        Err(AppError::Conflict(_))
    ));
}

async fn another_artists_sandbox_pages_are_not_found(t: TestDb) {
    let owner = signed_up_artist(&t, Tier::Starter, "owner@example.com").await;
    let other = signed_up_artist(&t, Tier::Starter, "other@example.com").await;
    let state = t.state();
    let customer: String =
        query("SELECT provider_customer_id FROM subscriptions WHERE user_id = $1")
            .bind(owner.0)
            .scalar_one(&t.db)
            .await
            .expect("customer");
    assert_eq!(
        sandbox::billing_view(&t.db, other, &customer).await,
        Err(AppError::NotFound)
    );
    assert!(matches!(
        sandbox::change_billing(&state, other, &customer, BillingChange::Cancel).await,
        Err(AppError::NotFound)
    ));
    let user = boptone::accounts::service::find_user(&t.db, owner)
        .await
        .expect("user")
        .expect("exists");
    let link = service::payout_onboarding_link(&state, &user)
        .await
        .expect("link");
    let account = link.rsplit('/').next().expect("account");
    assert_eq!(
        sandbox::connect_view(&t.db, other, account).await,
        Err(AppError::NotFound)
    );
    // Asking for the link twice opens one account.
    service::payout_onboarding_link(&state, &user)
        .await
        .expect("link again");
    assert_eq!(
        count(
            &t,
            "SELECT COUNT(*) FROM artist_profiles WHERE payout_account_id IS NOT NULL"
        )
        .await,
        1
    );
}

async fn demo_artists_are_ready_to_earn(t: TestDb) {
    boptone::seed::seed_demo(&t.db).await.expect("seed");
    let nova: i64 = query("SELECT id FROM users WHERE handle = 'nova_reyes'")
        .scalar_one(&t.db)
        .await
        .expect("nova");
    let ready = service::require_revenue_ready(&t.db, UserId(nova))
        .await
        .expect("demo artists pass the gate");
    assert_eq!(ready.tier, Tier::Pro);
    assert!(ready.tips_enabled);
    // The sandbox knows their accounts, so provider events about them resolve.
    let state = t.state();
    let account: String = query("SELECT payout_account_id FROM artist_profiles WHERE user_id = $1")
        .bind(nova)
        .scalar_one(&t.db)
        .await
        .expect("account");
    boptone::payouts::service::sync_payout_account(&state, &account)
        .await
        .expect("sync");
    assert!(
        service::status(&t.db, UserId(nova))
            .await
            .expect("status")
            .expect("artist")
            .payouts_enabled
    );
}

async fn a_signed_in_fan_becomes_an_artist(t: TestDb) {
    let state = t.state();
    let fan = t
        .signed_up_fan(&state, "Ana Souza", "ana@example.com")
        .await;
    let started = signup::start(&state, Tier::Label, Applicant::Existing(fan.user.clone()))
        .await
        .expect("start");
    let session = started
        .checkout_url
        .rsplit('/')
        .next()
        .expect("id")
        .to_owned();
    sandbox::pay(&state, &session, &card("5555 5555 5555 4444"), TODAY)
        .await
        .expect("paid");
    // Back in the browser that is signed in as the fan: no new session is needed.
    let finished = signup::finish(&state, &session, None, Some(&fan.user), None)
        .await
        .expect("finish");
    assert!(matches!(finished, Finished::Ready { artist, session: None } if artist == fan.user.id));
    assert_eq!(count(&t, "SELECT COUNT(*) FROM users").await, 1);
    assert_eq!(
        count(&t, "SELECT COUNT(*) FROM users WHERE role = 'artist'").await,
        1
    );
    let status = service::status(&t.db, fan.user.id)
        .await
        .expect("status")
        .expect("artist");
    assert_eq!(status.tier, Tier::Label);
    assert_eq!(status.stage_name, "Ana Souza");
    // With a plan in good standing, a second sign-up is refused.
    let again = signup::start(&state, Tier::Pro, Applicant::Existing(fan.user.clone())).await;
    assert!(matches!(again, Err(AppError::Conflict(_))));
    // An email that already has an account cannot start a new one.
    let taken = signup::start(&state, Tier::Pro, applicant("ana@example.com")).await;
    assert!(taken.expect_err("taken").field_message("email").is_some());
}

async fn the_signup_secret_signs_in_once_and_ends_with_a_password_change(t: TestDb) {
    let state = t.state();
    let (secret, session) = start(&state, Tier::Starter, "nova@example.com").await;
    sandbox::pay(&state, &session, &card("4242424242424242"), TODAY)
        .await
        .expect("paid");
    let Finished::Ready {
        artist,
        session: Some(_),
    } = signup::finish(&state, &session, Some(&secret), None, None)
        .await
        .expect("finish")
    else {
        panic!("the paying browser is signed in");
    };
    // Whoever holds the secret and the checkout id cannot mint another session.
    assert_eq!(
        signup::finish(&state, &session, Some(&secret), None, None)
            .await
            .err(),
        Some(AppError::NotFound)
    );
    // The browser that is signed in as the artist may come back to the page.
    let me = boptone::accounts::service::find_user(&t.db, artist)
        .await
        .expect("find")
        .expect("artist");
    assert!(matches!(
        signup::finish(&state, &session, None, Some(&me), None).await,
        Ok(Finished::Ready { session: None, .. })
    ));

    // A secret never used ends when the password changes, and after its lifetime.
    let (other_secret, other_session) = start(&state, Tier::Starter, "kofi@example.com").await;
    sandbox::pay(&state, &other_session, &card("4242424242424242"), TODAY)
        .await
        .expect("paid");
    t.run_jobs().await;
    boptone::accounts::service::request_password_reset(
        &state,
        &boptone::accounts::Email::parse("kofi@example.com").expect("email"),
    )
    .await
    .expect("reset asked");
    t.run_jobs().await;
    let email = boptone::accounts::Email::parse("kofi@example.com").expect("email");
    let body = boptone::mail::list_mailbox(&t.db, Some(&email), 10)
        .await
        .expect("mailbox")
        .into_iter()
        .find(|m| m.body_text.contains("/reset-password"))
        .expect("reset email")
        .body_text;
    let token = body
        .split("token=")
        .nth(1)
        .and_then(|t| t.split_whitespace().next())
        .expect("token")
        .to_owned();
    boptone::accounts::service::reset_password(
        &state,
        &token,
        &Password::parse("a brand new secret").expect("password"),
    )
    .await
    .expect("reset");
    assert_eq!(
        signup::finish(&state, &other_session, Some(&other_secret), None, None)
            .await
            .err(),
        Some(AppError::NotFound),
        "the old secret no longer signs in"
    );

    let (late_secret, late_session) = start(&state, Tier::Starter, "late@example.com").await;
    query("UPDATE artist_signups SET created_at = $1 WHERE checkout_session_id = $2")
        .bind(boptone::time::now_ms() - signup::SIGNUP_LIFETIME_MS - 1)
        .bind(&late_session)
        .execute(&t.db)
        .await
        .expect("age");
    assert_eq!(
        signup::finish(&state, &late_session, Some(&late_secret), None, None)
            .await
            .err(),
        Some(AppError::NotFound),
        "an expired secret signs nobody in"
    );
}

async fn sandbox_checkouts_are_unguessable_and_keys_bound_to_their_request(t: TestDb) {
    let state = t.state();
    let (_, session) = start(&state, Tier::Starter, "nova@example.com").await;
    // Not derived from the guessable idempotency key.
    assert!(!session.contains("artist-signup"));
    assert!(session.len() >= "cs_test_sbx_".len() + 32, "{session}");
    // The checkout page shows the payer's email only to its owner.
    let stranger = sandbox::checkout_view(&t.db, &session, &[])
        .await
        .expect("view");
    assert_eq!(stranger.email, "n•••@example.com");
    let owner = sandbox::checkout_view(&t.db, &session, &["nova@example.com".to_owned()])
        .await
        .expect("view");
    assert_eq!(owner.email, "nova@example.com");
    // The provider keeps its idempotency keys as Stripe does.
    use boptone::payments::provider::{CheckoutStatus, PaymentCheckout, PaymentProvider};
    let sandbox = sandbox::Sandbox::new(t.db.clone(), "http://127.0.0.1:3000");
    let request = PaymentCheckout {
        reference: "tip:1".into(),
        description: "Kick In".into(),
        amount: 1_000,
        currency: "USD".into(),
        destination: "acct_1".into(),
        application_fee: 59,
        email: "ana@example.com".into(),
        success_url: "http://127.0.0.1:3000/ok".into(),
        cancel_url: "http://127.0.0.1:3000/no".into(),
        idempotency_key: "tip-1".into(),
    };
    let first = sandbox
        .create_payment_checkout(&request)
        .await
        .expect("made");
    let retry = sandbox
        .create_payment_checkout(&request)
        .await
        .expect("same");
    assert_eq!(first.session_id, retry.session_id);
    // A checkout that ended has no payment page of its own any more; a retried create
    // still sends the payer to its hosted page, which says it expired.
    let expired = sandbox
        .expire_checkout(&first.session_id)
        .await
        .expect("expired");
    assert_eq!(expired.status, CheckoutStatus::Expired);
    assert_eq!(expired.url, None);
    let after = sandbox
        .create_payment_checkout(&request)
        .await
        .expect("same");
    assert_eq!(
        after.url,
        format!(
            "http://127.0.0.1:3000/sandbox/checkout/{}",
            first.session_id
        )
    );
    let other = PaymentCheckout {
        amount: 100_000,
        ..request
    };
    assert!(matches!(
        sandbox.create_payment_checkout(&other).await,
        Err(boptone::payments::provider::ProviderError::Refused { ref code, .. }) if code == "idempotency_error"
    ));
}

both_databases!(
    the_signup_secret_signs_in_once_and_ends_with_a_password_change,
    sandbox_checkouts_are_unguessable_and_keys_bound_to_their_request,
    one_email_has_one_live_checkout,
    a_signed_in_fan_becomes_an_artist,
    checkout_creates_the_artist_only_when_paid,
    an_abandoned_checkout_can_be_resumed,
    three_d_secure_asks_before_paying,
    completing_twice_at_once_makes_one_artist,
    the_gate_names_each_missing_step,
    handles_are_unique,
    uploads_are_checked_by_content,
    provider_events_apply_once_in_any_order,
    another_artists_sandbox_pages_are_not_found,
    demo_artists_are_ready_to_earn,
);
