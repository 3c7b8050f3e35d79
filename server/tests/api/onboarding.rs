//! The revenue gate over HTTP: artist sign-up through the sandbox and through Stripe
//! (a local server speaking Stripe's wire format), signed webhooks, the gate on every
//! revenue server function, photo uploads, and public profiles at `/@handle`.

use std::io::Cursor;

use boptone::{
    AppError, both_databases,
    payments::{views::PayResult, webhook},
    testing::TestDb,
    time::now_ms,
};
use boptone_server::config::PaymentProviderKind;
use reqwest::{StatusCode, header};
use serde_json::{Value, json};

use crate::{fake_stripe::FakeStripe, helpers::TestApp};

const WEBHOOK_SECRET: &str = "whsec_test_boptone";
const CONNECT_SECRET: &str = "whsec_test_boptone_connect";

/// Every server function that lets money flow to an artist, with arguments. Each must
/// refuse an artist who has not finished onboarding.
const REVENUE_ENDPOINTS: &[(&str, &[(&str, &str)])] = &[
    ("artist/set_kick_in", &[("enabled", "true")]),
    (
        "payouts/request",
        &[
            ("amount", "25"),
            ("speed", "standard"),
            ("idempotency_key", "payout-gate-test"),
        ],
    ),
    ("payouts/schedule", &[("frequency", "weekly")]),
];

/// An artist signed up through the sandbox checkout, signed in on `app`'s client.
pub(crate) async fn sandbox_artist(app: &TestApp, email: &str) {
    let res = app
        .call(
            "artist/start_signup",
            &[
                ("tier", "starter"),
                ("name", "Kai Rivers"),
                ("email", email),
                ("password", "correct horse"),
            ],
        )
        .await;
    assert_eq!(res.status(), 200);
    let url: String = res.json().await.expect("checkout url");
    let session = url.rsplit('/').next().expect("session id").to_owned();
    let paid: PayResult = app
        .call(
            "sandbox/pay",
            &[
                ("id", &session),
                ("number", "4242 4242 4242 4242"),
                ("expiry", "12 / 34"),
                ("cvc", "123"),
            ],
        )
        .await
        .json()
        .await
        .expect("pay result");
    assert!(matches!(paid, PayResult::Paid { .. }));
    let done = app
        .call("artist/finish_signup", &[("session_id", &session)])
        .await;
    assert_eq!(done.status(), 200);
}

pub(crate) fn png(width: u32, height: u32) -> Vec<u8> {
    let img =
        image::RgbImage::from_fn(width, height, |x, _| image::Rgb([(x % 256) as u8, 90, 160]));
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
        .expect("encode");
    out
}

fn event(id: &str, kind: &str, object: &Value) -> String {
    json!({ "id": id, "object": "event", "type": kind, "created": now_ms() / 1000, "data": { "object": object } }).to_string()
}

async fn deliver(app: &TestApp, body: &str, signature: &str) -> StatusCode {
    app.client
        .post(app.url("/webhooks/stripe"))
        .header("stripe-signature", signature)
        .header(header::CONTENT_TYPE, "application/json")
        .body(body.to_owned())
        .send()
        .await
        .expect("webhook")
        .status()
}

async fn stripe_app(db: TestDb, fake: &FakeStripe) -> TestApp {
    let base = fake.base.clone();
    TestApp::spawn_with(db, move |config| {
        config.payment_provider = PaymentProviderKind::Stripe;
        config.stripe_secret_key = Some("sk_test_boptone".into());
        // The platform endpoint's secret and the Connect endpoint's.
        config.stripe_webhook_secret = Some(format!("{WEBHOOK_SECRET}, {CONNECT_SECRET}"));
        config.stripe_api_base = base;
    })
    .await
}

async fn a_new_artist_signs_up_through_stripe(db: TestDb) {
    let fake = FakeStripe::start().await;
    let app = stripe_app(db, &fake).await;

    let res = app
        .call(
            "artist/start_signup",
            &[
                ("tier", "pro"),
                ("name", "Nova Reyes"),
                ("email", "nova@example.com"),
                ("password", "correct horse"),
            ],
        )
        .await;
    assert_eq!(res.status(), 200);
    let url: String = res.json().await.expect("url");
    assert_eq!(url, "https://checkout.stripe.test/c/pay/cs_test_1");

    // The request, field by field, as Stripe receives it.
    let create = fake.last("POST", "/v1/checkout/sessions");
    assert_eq!(create.authorization, "Bearer sk_test_boptone");
    assert!(
        create
            .idempotency_key
            .as_deref()
            .is_some_and(|k| k.starts_with("artist-signup-"))
    );
    assert!(create.stripe_version.is_some());
    for (field, value) in [
        ("mode", "subscription"),
        ("customer_email", "nova@example.com"),
        ("line_items[0][quantity]", "1"),
        ("line_items[0][price_data][currency]", "usd"),
        ("line_items[0][price_data][unit_amount]", "2900"),
        ("line_items[0][price_data][recurring][interval]", "month"),
        (
            "line_items[0][price_data][product_data][name]",
            "Boptone Pro",
        ),
        ("metadata[tier]", "pro"),
        ("subscription_data[metadata][tier]", "pro"),
    ] {
        assert_eq!(create.field(field), Some(value), "{field}");
    }
    let success = create.field("success_url").expect("success_url");
    assert!(
        success.ends_with("/artist/signup/return?session_id={CHECKOUT_SESSION_ID}"),
        "{success}"
    );
    assert!(
        create
            .field("cancel_url")
            .is_some_and(|u| u.ends_with("/artist/signup?canceled=1"))
    );
    assert!(
        create
            .field("client_reference_id")
            .is_some_and(|id| id.parse::<i64>().is_ok())
    );
    // Its events find their way back to sign-ups by this reference.
    assert!(
        create
            .field("metadata[reference]")
            .is_some_and(|r| r.starts_with("signup:"))
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users").await,
        0,
        "nothing before payment"
    );

    // Stripe says the checkout completed: a signed webhook, delivered twice.
    let session = fake.complete_session("cs_test_1", "pro");
    let body = event("evt_1", "checkout.session.completed", &session);
    let signature = webhook::sign(WEBHOOK_SECRET, now_ms() / 1000, body.as_bytes());
    assert_eq!(deliver(&app, &body, &signature).await, StatusCode::OK);
    assert_eq!(deliver(&app, &body, &signature).await, StatusCode::OK);
    assert_eq!(app.count("SELECT COUNT(*) FROM payment_events").await, 1);
    app.run_jobs().await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE role = 'artist'")
            .await,
        1
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM subscriptions WHERE status = 'active' AND tier = 'pro' AND provider_customer_id = 'cus_test_1'").await,
        1
    );

    // The browser comes back and is signed in as the artist.
    let done = app
        .call("artist/finish_signup", &[("session_id", "cs_test_1")])
        .await;
    assert_eq!(done.status(), 200);
    let me: Option<boptone::accounts::SessionUser> =
        app.call("accounts/me", &[]).await.json().await.expect("me");
    assert_eq!(me.map(|u| u.email), Some("nova@example.com".into()));

    // Payouts: an Express account and an onboarding link, then `account.updated`.
    let link: String = app
        .call("artist/start_payouts", &[])
        .await
        .json()
        .await
        .expect("link");
    assert_eq!(link, "https://connect.stripe.test/setup/e/acct_test_2");
    let account = fake.last("POST", "/v1/accounts");
    assert_eq!(account.field("type"), Some("express"));
    assert_eq!(account.field("email"), Some("nova@example.com"));
    assert_eq!(
        account.field("capabilities[transfers][requested]"),
        Some("true")
    );
    assert!(account.field("metadata[user_id]").is_some());
    assert!(
        account
            .idempotency_key
            .as_deref()
            .is_some_and(|k| k.starts_with("payout-account-"))
    );
    let link_request = fake.last("POST", "/v1/account_links");
    assert_eq!(link_request.field("account"), Some("acct_test_2"));
    assert_eq!(link_request.field("type"), Some("account_onboarding"));
    assert!(
        link_request
            .field("return_url")
            .is_some_and(|u| u.ends_with("/artist/payout?return=1"))
    );
    assert!(
        link_request
            .field("refresh_url")
            .is_some_and(|u| u.ends_with("/artist/payout?refresh=1"))
    );

    let enabled = fake.enable_account("acct_test_2");
    let body = event("evt_2", "account.updated", &enabled);
    let signature = webhook::sign(WEBHOOK_SECRET, now_ms() / 1000, body.as_bytes());
    assert_eq!(deliver(&app, &body, &signature).await, StatusCode::OK);
    app.run_jobs().await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM artist_profiles WHERE payouts_enabled = TRUE")
            .await,
        1
    );

    // A failed renewal: the plan is past due and the artist is told once.
    let past_due = fake.set_subscription_status("sub_cs_test_1", "past_due");
    let invoice = json!({ "id": "in_1", "object": "invoice", "subscription": past_due["id"], "status": "open" });
    for (id, kind) in [
        ("evt_3", "invoice.payment_failed"),
        ("evt_3", "invoice.payment_failed"),
    ] {
        let body = event(id, kind, &invoice);
        let signature = webhook::sign(WEBHOOK_SECRET, now_ms() / 1000, body.as_bytes());
        assert_eq!(deliver(&app, &body, &signature).await, StatusCode::OK);
    }
    app.run_jobs().await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM subscriptions WHERE status = 'past_due'")
            .await,
        1
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM notifications WHERE kind = 'artist.plan.payment_failed'")
            .await,
        1
    );

    // The billing portal for the artist's customer.
    let portal: String = app
        .call("artist/billing_portal", &[])
        .await
        .json()
        .await
        .expect("portal");
    assert_eq!(portal, "https://billing.stripe.test/p/session/bps_1");
    let request = fake.last("POST", "/v1/billing_portal/sessions");
    assert_eq!(request.field("customer"), Some("cus_test_1"));
    assert!(
        request
            .field("return_url")
            .is_some_and(|u| u.ends_with("/dashboard"))
    );
}

async fn webhooks_need_a_fresh_valid_signature(db: TestDb) {
    let fake = FakeStripe::start().await;
    let app = stripe_app(db, &fake).await;
    let body = event(
        "evt_sig",
        "account.updated",
        &json!({ "id": "acct_unknown" }),
    );
    let now = now_ms() / 1000;
    let forged = webhook::sign("whsec_someone_else", now, body.as_bytes());
    assert_eq!(deliver(&app, &body, &forged).await, StatusCode::BAD_REQUEST);
    let stale = webhook::sign(
        WEBHOOK_SECRET,
        now - webhook::TOLERANCE_SECS - 1,
        body.as_bytes(),
    );
    assert_eq!(deliver(&app, &body, &stale).await, StatusCode::BAD_REQUEST);
    assert_eq!(deliver(&app, &body, "").await, StatusCode::BAD_REQUEST);
    let tampered = body.replace("acct_unknown", "acct_other");
    let signed = webhook::sign(WEBHOOK_SECRET, now, body.as_bytes());
    assert_eq!(
        deliver(&app, &tampered, &signed).await,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM payment_events").await, 0);
    assert_eq!(deliver(&app, &body, &signed).await, StatusCode::OK);
    assert_eq!(app.count("SELECT COUNT(*) FROM payment_events").await, 1);
    // Events of connected accounts come signed with the Connect endpoint's secret.
    let connected = event(
        "evt_sig_connect",
        "account.updated",
        &json!({ "id": "acct_unknown" }),
    );
    let by_connect = webhook::sign(CONNECT_SECRET, now, connected.as_bytes());
    assert_eq!(deliver(&app, &connected, &by_connect).await, StatusCode::OK);
    assert_eq!(app.count("SELECT COUNT(*) FROM payment_events").await, 2);
}

async fn a_declined_card_creates_nothing(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let url: String = app
        .call(
            "artist/start_signup",
            &[
                ("tier", "label"),
                ("name", "Static Bloom"),
                ("email", "bloom@example.com"),
                ("password", "correct horse"),
            ],
        )
        .await
        .json()
        .await
        .expect("url");
    let session = url.rsplit('/').next().expect("id");
    let res = app
        .call(
            "sandbox/pay",
            &[
                ("id", session),
                ("number", "4000 0000 0000 0002"),
                ("expiry", "12/34"),
                ("cvc", "123"),
            ],
        )
        .await;
    assert_eq!(res.status(), 402);
    let err: AppError = res.json().await.expect("error");
    assert_eq!(err.to_string(), "Your card was declined.");
    app.run_jobs().await;
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM artist_profiles").await, 0);
    // Bad sign-up input is refused field by field, before any checkout exists.
    let res = app
        .call(
            "artist/start_signup",
            &[
                ("tier", "gold"),
                ("name", ""),
                ("email", "nope"),
                ("password", "short"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert_eq!(app.count("SELECT COUNT(*) FROM artist_signups").await, 1);
}

async fn the_gate_guards_every_revenue_server_function(db: TestDb) {
    let app = TestApp::spawn(db).await;
    sandbox_artist(&app, "kai@example.com").await;
    for (endpoint, args) in REVENUE_ENDPOINTS {
        let res = app.call(endpoint, args).await;
        assert_eq!(res.status(), 403, "{endpoint}");
        let err: AppError = res.json().await.expect("error");
        assert_eq!(
            err,
            AppError::Gate {
                step: boptone::onboarding::OnboardingStep::Profile
            },
            "{endpoint}"
        );
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM artist_profiles WHERE tips_enabled = TRUE")
            .await,
        0
    );
    // Fans are not artists at all.
    let fan = TestApp::spawn(TestDb::sqlite().await).await;
    fan.sign_up_and_in("Ana Souza", "ana@example.com", "long enough")
        .await;
    for (endpoint, args) in REVENUE_ENDPOINTS {
        assert_eq!(fan.call(endpoint, args).await.status(), 403, "{endpoint}");
    }
}

async fn photos_upload_checked_and_resized(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let upload = |body: Vec<u8>| {
        app.client
            .post(app.url("/uploads/profile-photo"))
            .header(header::ORIGIN, &app.base)
            .header(header::CONTENT_TYPE, "image/jpeg")
            .body(body)
            .send()
    };
    assert_eq!(upload(png(100, 100)).await.expect("upload").status(), 401);
    sandbox_artist(&app, "photo@example.com").await;

    let renamed = upload(b"MZ\x90\x00 an executable named photo.jpg".to_vec())
        .await
        .expect("upload");
    assert_eq!(renamed.status(), 422);
    let body: Value = renamed.json().await.expect("json");
    assert!(body["error"].as_str().is_some());
    // The server answers 413 from the Content-Length alone and may close the connection
    // while the client is still sending: either way, the upload is refused.
    match upload(vec![0xFF; boptone::media::PHOTO_MAX_BYTES + 1]).await {
        Ok(oversized) => assert_eq!(oversized.status(), 413),
        Err(err) => assert!(err.is_request(), "{err}"),
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM artist_profiles WHERE photo_url IS NOT NULL")
            .await,
        0
    );

    let ok = upload(png(640, 480)).await.expect("upload");
    assert_eq!(ok.status(), 200);
    let body: Value = ok.json().await.expect("json");
    let url = body["photo_url"].as_str().expect("photo url").to_owned();
    let served = app.get(&url).await;
    assert_eq!(served.status(), 200);
    assert_eq!(served.headers()[header::CONTENT_TYPE], "image/jpeg");
    assert!(
        served.headers()[header::CACHE_CONTROL]
            .to_str()
            .expect("ascii")
            .contains("immutable")
    );
    let bytes = served.bytes().await.expect("bytes");
    let image = image::load_from_memory(&bytes).expect("decodes");
    assert_eq!((image.width(), image.height()), (512, 512));
    assert_eq!(
        app.get("/media/artists/1/../../etc/passwd").await.status(),
        404
    );
    assert_eq!(app.get("/media/artists/none.jpg").await.status(), 404);
}

async fn public_profiles_live_at_their_handle(db: TestDb) {
    boptone::seed::seed_demo(&db.db).await.expect("seed");
    let app = TestApp::spawn(db).await;
    let page = app.get("/@nova_reyes").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("html");
    assert!(
        html.contains("<title>Nova Reyes · Boptone</title>"),
        "title in the head"
    );
    assert!(html.contains("Bedroom-pop songwriter"));
    assert_eq!(app.get("/@nobody_here").await.status(), 404);
    assert_eq!(app.get("/nova_reyes").await.status(), 404);
}

both_databases!(
    a_new_artist_signs_up_through_stripe,
    webhooks_need_a_fresh_valid_signature,
    a_declined_card_creates_nothing,
    the_gate_guards_every_revenue_server_function,
    photos_upload_checked_and_resized,
    public_profiles_live_at_their_handle,
);
