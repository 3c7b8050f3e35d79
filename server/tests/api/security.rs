use boptone::db::query;
use boptone::{both_databases, testing::TestDb};
use reqwest::header;

use crate::helpers::TestApp;

async fn pages_carry_security_headers_and_a_matching_nonce(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let res = app.get("/").await;
    assert_eq!(res.status(), 200);
    let headers = res.headers().clone();
    let csp = headers
        .get(header::CONTENT_SECURITY_POLICY)
        .expect("csp")
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(csp.contains("default-src 'self'"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(
        headers
            .get(header::X_CONTENT_TYPE_OPTIONS)
            .map(|v| v.as_bytes()),
        Some(&b"nosniff"[..])
    );
    assert_eq!(
        headers.get(header::X_FRAME_OPTIONS).map(|v| v.as_bytes()),
        Some(&b"DENY"[..])
    );
    assert!(headers.get(header::REFERRER_POLICY).is_some());

    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|s| s.split('\'').next())
        .expect("nonce in csp")
        .to_owned();
    let html = res.text().await.expect("html");
    assert!(
        html.contains(&format!("nonce=\"{nonce}\"")),
        "inline scripts carry the response's nonce"
    );

    let other = app.get("/").await;
    let other_csp = other
        .headers()
        .get(header::CONTENT_SECURITY_POLICY)
        .expect("csp")
        .to_str()
        .expect("ascii");
    assert!(
        !other_csp.contains(&nonce),
        "every response has its own nonce"
    );
}

async fn foreign_origins_cannot_change_state(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let res = app
        .client
        .post(app.url("/api/accounts/sign_up"))
        .header(header::ORIGIN, "https://evil.example")
        .form(&[
            ("name", "Mallory"),
            ("email", "mallory@example.com"),
            ("password", "long enough"),
        ])
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), 403);
    let cross_site = app
        .client
        .post(app.url("/api/accounts/sign_up"))
        .header("sec-fetch-site", "cross-site")
        .form(&[
            ("name", "Mallory"),
            ("email", "mallory@example.com"),
            ("password", "long enough"),
        ])
        .send()
        .await
        .expect("POST");
    assert_eq!(cross_site.status(), 403);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users").await,
        0,
        "nothing was written"
    );

    // The site's own origin passes.
    let own = app.sign_up("Ana", "ana@example.com", "long enough").await;
    assert!(
        own.status().is_success() || own.status().is_redirection(),
        "{}",
        own.status()
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 1);
}

async fn oversized_bodies_are_refused(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let huge = "x".repeat(2 * 1024 * 1024);
    let sent = app
        .client
        .post(app.url("/api/accounts/sign_up"))
        .header(header::ORIGIN, &app.base)
        .form(&[
            ("name", "Ana"),
            ("email", "ana@example.com"),
            ("password", &huge),
        ])
        .send()
        .await;
    // The server answers 413 from the Content-Length alone and may close the connection
    // while the client is still sending: either way, the body is refused.
    match sent {
        Ok(res) => assert_eq!(res.status(), 413),
        Err(err) => assert!(err.is_request(), "{err}"),
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 0);
}

async fn the_host_header_never_vouches_for_an_origin(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let write = |origin: &'static str, host: Option<&'static str>| {
        let mut req = app
            .client
            .post(app.url("/api/accounts/request_password_reset"))
            .header(header::ORIGIN, origin)
            .form(&[("email", "ana@example.com")]);
        if let Some(host) = host {
            req = req.header(header::HOST, host);
        }
        req.send()
    };
    // The request names the attacker's site as its own host: still refused.
    let forged = write("http://evil.example", Some("evil.example"))
        .await
        .expect("POST");
    assert_eq!(forged.status(), 403);
    // The configured origin passes, and so does localhost on the same port when no
    // public URL is set (how a developer opens a loopback server).
    let port = app.base.rsplit(':').next().expect("port").to_owned();
    let own = app
        .client
        .post(app.url("/api/accounts/request_password_reset"))
        .header(header::ORIGIN, &app.base)
        .form(&[("email", "ana@example.com")])
        .send()
        .await
        .expect("POST");
    assert_eq!(own.status(), 200);
    let localhost = app
        .client
        .post(app.url("/api/accounts/request_password_reset"))
        .header(header::ORIGIN, format!("http://localhost:{port}"))
        .form(&[("email", "ana@example.com")])
        .send()
        .await
        .expect("POST");
    assert_eq!(localhost.status(), 200);
}

async fn extra_origins_come_from_configuration_only(db: TestDb) {
    let app = TestApp::spawn_with(db, |c| {
        c.public_url = Some("https://boptone.test".into());
        c.allowed_origins = vec!["https://www.boptone.test/".into()];
    })
    .await;
    let post = |origin: &'static str| {
        app.client
            .post(app.url("/api/accounts/request_password_reset"))
            .header(header::ORIGIN, origin)
            .form(&[("email", "ana@example.com")])
            .send()
    };
    assert_eq!(
        post("https://boptone.test").await.expect("POST").status(),
        200
    );
    assert_eq!(
        post("https://www.boptone.test")
            .await
            .expect("POST")
            .status(),
        200
    );
    assert_eq!(
        post("https://evil.example").await.expect("POST").status(),
        403
    );
    let port = app.base.rsplit(':').next().expect("port").to_owned();
    let loopback = app
        .client
        .post(app.url("/api/accounts/request_password_reset"))
        .header(header::ORIGIN, format!("http://localhost:{port}"))
        .form(&[("email", "ana@example.com")])
        .send()
        .await
        .expect("POST");
    assert_eq!(
        loopback.status(),
        403,
        "a set public URL is the only origin"
    );
}

async fn metrics_are_for_operators_only(db: TestDb) {
    let closed = TestApp::spawn(db).await;
    assert_eq!(closed.get("/metrics").await.status(), 404);

    let app = TestApp::spawn_with(TestDb::sqlite().await, |c| {
        c.metrics_token = Some("s3cret-metrics-token".into());
    })
    .await;
    app.get("/healthz").await;
    assert_eq!(app.get("/metrics").await.status(), 401);
    let wrong = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth("guess")
        .send()
        .await
        .expect("GET");
    assert_eq!(wrong.status(), 401);
    let right = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth("s3cret-metrics-token")
        .send()
        .await
        .expect("GET");
    assert_eq!(right.status(), 200);
    assert!(
        right
            .text()
            .await
            .expect("text")
            .contains("http_requests_total")
    );
}

async fn anonymous_tips_are_limited_per_client(db: TestDb) {
    boptone::seed::seed_demo(&db.db).await.expect("seed");
    let app = TestApp::spawn_with(db, |c| c.client_ip_header = Some("x-real-ip".into())).await;
    let handles: Vec<String> = query(
        "SELECT u.handle FROM users u JOIN artist_profiles p ON p.user_id = u.id ORDER BY u.id",
    )
    .scalar_all(&app.state.db)
    .await
    .expect("handles");
    assert_eq!(handles.len(), 5, "the demo artists");
    let app = &app;
    let handles = &handles;
    let tip = move |i: usize, from: &'static str| {
        let handle = handles[i % handles.len()].clone();
        let email = format!("guest{i}@example.com");
        let key = format!("tip-client-limit-{i:04}");
        async move {
            app.client
                .post(app.url("/api/tips/kick_in"))
                .header(header::ORIGIN, &app.base)
                .header("x-real-ip", from)
                .form(&[
                    ("handle", handle.as_str()),
                    ("amount", "5"),
                    ("email", email.as_str()),
                    ("idempotency_key", key.as_str()),
                ])
                .send()
                .await
                .expect("POST")
                .status()
        }
    };
    let mut started = 0;
    let mut refused = None;
    for i in 0..80 {
        let status = tip(i, "203.0.113.40").await;
        if status == 429 {
            refused = Some(i);
            break;
        }
        assert_eq!(status, 200, "tip {i}");
        started += 1;
    }
    assert_eq!(refused, Some(60), "one client starts 60 checkouts an hour");
    assert_eq!(app.count("SELECT COUNT(*) FROM tips").await, started);
    // Another client is not affected.
    assert_eq!(tip(100, "198.51.100.41").await, 200);
}

async fn uploads_are_bounded_in_pixels_rate_and_storage(db: TestDb) {
    let app = TestApp::spawn(db).await;
    crate::onboarding::sandbox_artist(&app, "bomb@example.com").await;
    let upload = |body: Vec<u8>| {
        app.client
            .post(app.url("/uploads/profile-photo"))
            .header(header::ORIGIN, &app.base)
            .header(header::CONTENT_TYPE, "image/png")
            .body(body)
            .send()
    };
    // A tiny PNG declaring 12000×10000 pixels is refused from its header.
    let bomb = boptone::testing::png_declaring(12_000, 10_000);
    assert!(bomb.len() < 200, "a tiny file");
    let refused = upload(bomb).await.expect("upload");
    assert_eq!(refused.status(), 422);
    let body: serde_json::Value = refused.json().await.expect("json");
    assert!(
        body["detail"]["Validation"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("megapixels")),
        "{body}"
    );

    // A new photo replaces the old one, whose blob goes.
    let first: serde_json::Value = upload(crate::onboarding::png(200, 200))
        .await
        .expect("upload")
        .json()
        .await
        .expect("json");
    let first = first["photo_url"].as_str().expect("url").to_owned();
    let second: serde_json::Value = upload(crate::onboarding::png(300, 200))
        .await
        .expect("upload")
        .json()
        .await
        .expect("json");
    let second = second["photo_url"].as_str().expect("url").to_owned();
    assert_ne!(first, second);
    assert_eq!(
        app.get(&first).await.status(),
        404,
        "the replaced photo is gone"
    );
    assert_eq!(app.get(&second).await.status(), 200);

    // Uploads are limited per account (each costs a decode).
    let mut limited = false;
    for _ in 0..25 {
        let res = upload(b"not an image".to_vec()).await.expect("upload");
        if res.status() == 429 {
            assert!(res.headers().get(header::RETRY_AFTER).is_some());
            limited = true;
            break;
        }
    }
    assert!(limited, "the account's uploads are rate limited");
}

async fn webhook_bodies_are_kept_small(db: TestDb) {
    let app = TestApp::spawn_with(db, |c| c.stripe_webhook_secret = Some("whsec_x".into())).await;
    let body = "x".repeat(boptone::payments::webhook::MAX_BODY_BYTES + 1);
    let sent = app
        .client
        .post(app.url("/webhooks/stripe"))
        .header("stripe-signature", "t=1,v1=00")
        .body(body)
        .send()
        .await;
    match sent {
        Ok(res) => assert_eq!(res.status(), 413),
        Err(err) => assert!(err.is_request(), "{err}"),
    }
}

async fn a_tip_page_load_records_nothing(db: TestDb) {
    boptone::seed::seed_demo(&db.db).await.expect("seed");
    let app = TestApp::spawn(db).await;
    let url: String = app
        .call(
            "tips/kick_in",
            &[
                ("handle", "nova_reyes"),
                ("amount", "10"),
                ("email", "fan@example.com"),
                ("idempotency_key", "tip-get-000000001"),
            ],
        )
        .await
        .json()
        .await
        .expect("checkout url");
    let session = url.rsplit('/').next().expect("session").to_owned();
    let card = boptone::payments::CardInput {
        number: "4242424242424242".into(),
        expiry: "12/34".into(),
        cvc: "123".into(),
        name: String::new(),
    };
    boptone::payments::sandbox::pay(&app.state, &session, &card, (2026, 11))
        .await
        .expect("paid");
    // The provider's event is not processed yet; a link follower loads the thank-you page.
    let page = app.get(&format!("/@nova_reyes?tip={session}")).await;
    assert_eq!(page.status(), 200);
    assert!(
        page.text()
            .await
            .expect("html")
            .contains("Your payment is being confirmed")
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM ledger_transactions WHERE kind = 'tip'")
            .await,
        0,
        "a GET posts nothing"
    );
    // The page's own request (a POST) confirms it.
    let receipt: serde_json::Value = app
        .call("tips/confirm", &[("session_id", &session)])
        .await
        .json()
        .await
        .expect("receipt");
    assert_eq!(receipt["paid"], true);
    assert!(
        app.count("SELECT COUNT(*) FROM ledger_transactions WHERE kind = 'tip'")
            .await
            > 0
    );
}

async fn the_artist_sign_up_answers_taken_emails_only_a_few_times_per_client(db: TestDb) {
    boptone::seed::seed_demo(&db.db).await.expect("seed");
    let app = TestApp::spawn(db).await;
    let start = |email: String| {
        let app = &app;
        async move {
            app.call(
                "artist/start_signup",
                &[
                    ("tier", "starter"),
                    ("name", "Prober"),
                    ("email", email.as_str()),
                    ("password", "correct horse"),
                ],
            )
            .await
        }
    };
    // The form says when an address has an account (the person must know before paying)…
    let taken = start("nova@demo.boptone.app".into()).await;
    assert_eq!(taken.status(), 422);
    let err: boptone::AppError = taken.json().await.expect("json");
    assert!(
        err.field_message("email")
            .is_some_and(|m| m.contains("already exists"))
    );
    // …but not in bulk: ten tries an hour from one client.
    let mut limited = None;
    for i in 0..12 {
        let res = start(format!("probe{i}@example.com")).await;
        if res.status() == 429 {
            limited = Some(i);
            break;
        }
    }
    assert_eq!(limited, Some(9), "the eleventh try from this client waits");
}

async fn money_moving_calls_are_rate_limited_per_account(db: TestDb) {
    boptone::seed::seed_demo(&db.db).await.expect("seed");
    let app = TestApp::spawn(db).await;
    app.sign_in_demo("nova@demo.boptone.app").await;
    let mut limited = None;
    for i in 0..35 {
        let key = format!("payout-rate-{i:04}");
        let res = app
            .call(
                "payouts/request",
                &[
                    ("amount", "1000000"),
                    ("speed", "standard"),
                    ("idempotency_key", &key),
                ],
            )
            .await;
        if res.status() == 429 {
            limited = Some(i);
            break;
        }
        assert_eq!(
            res.status(),
            422,
            "refused for the balance, writing nothing"
        );
    }
    assert_eq!(limited, Some(30), "30 payout requests an hour per artist");
    assert_eq!(app.count("SELECT COUNT(*) FROM payouts").await, 0);
}

async fn the_hosted_checkout_shows_the_payers_email_only_to_them(db: TestDb) {
    boptone::seed::seed_demo(&db.db).await.expect("seed");
    let app = TestApp::spawn(db).await;
    app.sign_in_demo("ana@demo.boptone.app").await;
    let url: String = app
        .call(
            "tips/kick_in",
            &[
                ("handle", "nova_reyes"),
                ("amount", "5"),
                ("idempotency_key", "tip-email-000000001"),
            ],
        )
        .await
        .json()
        .await
        .expect("checkout url");
    let id = url.rsplit('/').next().expect("id").to_owned();
    let owner: serde_json::Value = app
        .call("sandbox/checkout", &[("id", &id)])
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(owner["email"], "ana@demo.boptone.app");
    // Anyone else with the link may pay, but sees the email masked.
    let other = reqwest::Client::new()
        .post(app.url("/api/sandbox/checkout"))
        .header(header::ORIGIN, &app.base)
        .form(&[("id", id.as_str())])
        .send()
        .await
        .expect("POST")
        .json::<serde_json::Value>()
        .await
        .expect("json");
    assert_eq!(other["email"], "a•••@demo.boptone.app");
}

both_databases!(
    the_artist_sign_up_answers_taken_emails_only_a_few_times_per_client,
    money_moving_calls_are_rate_limited_per_account,
    the_hosted_checkout_shows_the_payers_email_only_to_them,
    pages_carry_security_headers_and_a_matching_nonce,
    foreign_origins_cannot_change_state,
    oversized_bodies_are_refused,
    the_host_header_never_vouches_for_an_origin,
    extra_origins_come_from_configuration_only,
    metrics_are_for_operators_only,
    anonymous_tips_are_limited_per_client,
    uploads_are_bounded_in_pixels_rate_and_storage,
    webhook_bodies_are_kept_small,
    a_tip_page_load_records_nothing,
);
