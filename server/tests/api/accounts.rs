use boptone::db::query;
use boptone::{AppError, accounts::SessionUser, both_databases, testing::TestDb};
use reqwest::header;

use crate::helpers::TestApp;

/// The body and status of an answer, for comparing two answers.
async fn answer(res: reqwest::Response) -> (u16, bool, String) {
    let status = res.status().as_u16();
    let cookie = res.headers().get(header::SET_COOKIE).is_some();
    (status, cookie, res.text().await.expect("body"))
}

async fn sign_up_answers_alike_whoever_owns_the_address(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let first = answer(
        app.sign_up("Ana Souza", "ana@example.com", "long enough")
            .await,
    )
    .await;
    let again = answer(
        app.sign_up("Mallory", "ANA@example.com", "other password")
            .await,
    )
    .await;
    assert_eq!(first.0, 200);
    assert!(!first.1, "a sign-up signs nobody in: {first:?}");
    assert_eq!(
        first, again,
        "a taken address gets the very same answer as a new one"
    );
    let sent: serde_json::Value = serde_json::from_str(&first.2).expect("json");
    assert_eq!(sent["email"], "ana@example.com");
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);

    // The owner hears about the second attempt; nothing else changed.
    app.run_jobs().await;
    let email = boptone::accounts::Email::parse("ana@example.com").expect("email");
    let subjects: Vec<String> = boptone::mail::list_mailbox(&app.state.db, Some(&email), 10)
        .await
        .expect("mailbox")
        .into_iter()
        .map(|m| m.subject)
        .collect();
    assert!(
        subjects
            .iter()
            .any(|s| s == "Confirm your email for Boptone"),
        "{subjects:?}"
    );
    assert!(
        subjects
            .iter()
            .any(|s| s == "You already have a Boptone account"),
        "{subjects:?}"
    );
    let taken = app.sign_in("ana@example.com", "other password").await;
    assert_eq!(taken.status(), 422, "the second password was not set");
}

async fn the_emailed_link_confirms_and_signs_in_with_a_hardened_cookie(db: TestDb) {
    let app = TestApp::spawn(db).await;
    app.sign_up("Ana Souza", "ana@example.com", "long enough")
        .await;
    let token = app.mailed_token("ana@example.com", "/verify-email").await;

    // Opening the link changes nothing: the page asks first.
    let page = app.get(&format!("/verify-email?token={token}")).await;
    assert_eq!(page.status(), 200);
    assert!(page.headers().get(header::SET_COOKIE).is_none());
    assert_eq!(
        app.count("SELECT COUNT(*) FROM account_tokens WHERE used_at IS NOT NULL")
            .await,
        0,
        "a GET never consumes the token"
    );

    let res = app
        .call("accounts/verify_email", &[("token", &token)])
        .await;
    assert_eq!(res.status(), 200);
    let cookie = res
        .headers()
        .get(header::SET_COOKIE)
        .expect("cookie")
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(cookie.starts_with("boptone_session="), "{cookie}");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=2592000"] {
        assert!(cookie.contains(attribute), "{attribute} missing: {cookie}");
    }
    assert!(!cookie.contains("Secure"), "plain http in tests: {cookie}");
    let done: serde_json::Value = res.json().await.expect("json");
    assert_eq!(done["signed_in"], true);
    assert_eq!(done["user"]["handle"], "ana_souza");

    let me: Option<SessionUser> = app.call("accounts/me", &[]).await.json().await.expect("me");
    let me = me.expect("signed in");
    assert_eq!(me.email, "ana@example.com");
    assert!(me.email_verified);

    // The link works once.
    let again = app
        .call("accounts/verify_email", &[("token", &token)])
        .await;
    let err: AppError = again.json().await.expect("error json");
    assert!(err.field_message("token").is_some(), "{err:?}");

    let out = app.call("accounts/sign_out", &[]).await;
    assert_eq!(out.status(), 200);
    let cleared = out
        .headers()
        .get(header::SET_COOKIE)
        .expect("cookie")
        .to_str()
        .expect("ascii");
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    let me: Option<SessionUser> = app.call("accounts/me", &[]).await.json().await.expect("me");
    assert_eq!(me, None);
}

async fn https_deployments_get_secure_cookies_and_hsts(db: TestDb) {
    let app = TestApp::spawn_with(db, |c| c.public_url = Some("https://boptone.test".into())).await;
    let up = app
        .client
        .post(app.url("/api/accounts/sign_up"))
        .header(header::ORIGIN, "https://boptone.test")
        .form(&[
            ("name", "Ana"),
            ("email", "ana@example.com"),
            ("password", "long enough"),
        ])
        .send()
        .await
        .expect("POST");
    assert_eq!(up.status(), 200);
    let res = app
        .client
        .post(app.url("/api/accounts/sign_in"))
        .header(header::ORIGIN, "https://boptone.test")
        .form(&[("email", "ana@example.com"), ("password", "long enough")])
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), 200);
    let cookie = res
        .headers()
        .get(header::SET_COOKIE)
        .expect("cookie")
        .to_str()
        .expect("ascii");
    assert!(cookie.contains("; Secure"), "{cookie}");
    assert!(
        res.headers()
            .get(header::STRICT_TRANSPORT_SECURITY)
            .is_some()
    );

    // The same request from the plain-http origin is now foreign.
    let foreign = app
        .client
        .post(app.url("/api/accounts/sign_in"))
        .header(header::ORIGIN, "http://boptone.test")
        .form(&[("email", "ana@example.com"), ("password", "long enough")])
        .send()
        .await
        .expect("POST");
    assert_eq!(foreign.status(), 403);
}

async fn bad_input_gets_field_messages_and_writes_nothing(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let res = app.sign_up("", "not-an-email", "short").await;
    assert!(
        res.status().is_server_error() || res.status().is_client_error(),
        "{}",
        res.status()
    );
    let err: AppError = res.json().await.expect("error json");
    assert!(err.field_message("name").is_some());
    assert!(
        err.field_message("email")
            .is_some_and(|m| m.contains("name@example.com"))
    );
    assert!(
        err.field_message("password")
            .is_some_and(|m| m.contains("8 characters"))
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
}

async fn sign_in_is_refused_with_a_message_then_rate_limited(db: TestDb) {
    let app = TestApp::spawn(db).await;
    app.sign_up("Ana", "ana@example.com", "long enough").await;
    app.call("accounts/sign_out", &[]).await;

    let wrong = app.sign_in("ana@example.com", "nope nope").await;
    let err: AppError = wrong.json().await.expect("error json");
    assert!(
        err.field_message("password")
            .is_some_and(|m| m.contains("don't match")),
        "{err:?}"
    );

    // Ten attempts per account and address per 15 minutes: the eleventh waits, and
    // says how long.
    let mut limited = None;
    for _ in 0..12 {
        let res = app.sign_in("ana@example.com", "nope nope").await;
        if res.status() == 429 {
            limited = Some(res);
            break;
        }
    }
    let limited = limited.expect("rate limited before 12 more attempts");
    let retry_after: u64 = limited
        .headers()
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After");
    assert!(retry_after > 0);
    let err: AppError = limited.json().await.expect("error json");
    assert!(matches!(err, AppError::RateLimited { .. }));
    assert!(err.to_string().contains("try again in"), "{err}");

    // Even the right password waits, from this address.
    let right = app.sign_in("ana@example.com", "long enough").await;
    assert_eq!(right.status(), 429);
}

async fn a_strangers_failures_do_not_lock_the_owner_out(db: TestDb) {
    // Behind a proxy that puts the client's address in X-Forwarded-For; a header the
    // client adds itself is not the last entry, so it cannot pick its address.
    let app =
        TestApp::spawn_with(db, |c| c.client_ip_header = Some("x-forwarded-for".into())).await;
    app.sign_up("Ana", "ana@example.com", "long enough").await;
    let attempt = |from: &'static str, password: &'static str| {
        app.client
            .post(app.url("/api/accounts/sign_in"))
            .header(header::ORIGIN, &app.base)
            .header("x-forwarded-for", from)
            .form(&[("email", "ana@example.com"), ("password", password)])
            .send()
    };
    let mut stranger_limited = false;
    for _ in 0..12 {
        if attempt("203.0.113.66", "guessing")
            .await
            .expect("POST")
            .status()
            == 429
        {
            stranger_limited = true;
            break;
        }
    }
    assert!(stranger_limited, "the stranger's address is limited");
    // Spoofing an address in front of the proxy's changes nothing.
    assert_eq!(
        attempt("198.51.100.7, 203.0.113.66", "guessing")
            .await
            .expect("POST")
            .status(),
        429
    );
    let owner = attempt("198.51.100.7", "long enough").await.expect("POST");
    assert_eq!(
        owner.status(),
        200,
        "the owner signs in from their own address"
    );

    // Reset links: a stranger asking for the owner's uses up only their own allowance.
    let reset = |from: &'static str| {
        app.client
            .post(app.url("/api/accounts/request_password_reset"))
            .header(header::ORIGIN, &app.base)
            .header("x-forwarded-for", from)
            .form(&[("email", "ana@example.com")])
            .send()
    };
    let mut reset_limited = false;
    for _ in 0..8 {
        if reset("203.0.113.66").await.expect("POST").status() == 429 {
            reset_limited = true;
            break;
        }
    }
    assert!(reset_limited);
    assert_eq!(reset("198.51.100.7").await.expect("POST").status(), 200);
}

async fn a_plain_form_post_redirects(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let res = app
        .client
        .post(app.url("/api/accounts/sign_up"))
        .header(header::ACCEPT, "text/html")
        .header(header::REFERER, app.url("/signup"))
        .form(&[
            ("name", "Ana"),
            ("email", "ana@example.com"),
            ("password", "long enough"),
        ])
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), 302, "forms work before the app hydrates");
    assert_eq!(
        res.headers().get(header::LOCATION).map(|v| v.as_bytes()),
        Some(&b"/signup?sent=1"[..])
    );
}

async fn sign_in_returns_only_to_paths_on_this_site(db: TestDb) {
    let app = TestApp::spawn(db).await;
    app.sign_up("Ana", "ana@example.com", "long enough").await;
    for (next, expected) in [
        ("/notifications", "/notifications"),
        ("/\t/evil.example", "/feed"),
        ("/\n/evil.example", "/feed"),
        ("//evil.example", "/feed"),
        ("/\\evil.example", "/feed"),
        ("https://evil.example", "/feed"),
    ] {
        let res = app
            .call(
                "accounts/sign_in",
                &[
                    ("email", "ana@example.com"),
                    ("password", "long enough"),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(res.status(), 200, "{next:?}");
        assert_eq!(
            res.headers()
                .get(header::LOCATION)
                .and_then(|v| v.to_str().ok()),
            Some(expected),
            "{next:?}"
        );
    }
}

async fn only_operators_read_the_mailbox_and_no_secret_rests_in_jobs(db: TestDb) {
    let app = TestApp::spawn(db).await;
    boptone::seed::seed_demo(&app.state.db).await.expect("seed");
    // A stranger asks for the operator's reset link and tries to read it.
    let asked = app
        .call(
            "accounts/request_password_reset",
            &[("email", "admin@demo.boptone.app")],
        )
        .await;
    assert_eq!(asked.status(), 200);
    let jobs: Vec<String> = query("SELECT payload FROM jobs")
        .scalar_all(&app.state.db)
        .await
        .expect("jobs");
    app.run_jobs().await;
    let link = app
        .mailed_link("admin@demo.boptone.app", "/reset-password")
        .await;
    let token = link.split("token=").nth(1).expect("token");
    assert!(
        jobs.iter().all(|payload| !payload.contains(token)),
        "job payloads hold no secret: {jobs:?}"
    );

    assert_eq!(app.call("mailbox/list", &[]).await.status(), 401);
    let page = app.get("/dev/mailbox").await.text().await.expect("html");
    assert!(
        !page.contains("token="),
        "the page shows no mail to strangers"
    );
    assert!(
        page.contains("Only operators can read this mailbox"),
        "{page}"
    );
    assert!(
        page.contains("DEV_MAILBOX=true"),
        "the page says how to open it"
    );

    app.sign_in_demo("ana@demo.boptone.app").await;
    assert_eq!(app.call("mailbox/list", &[]).await.status(), 403);
    let enabled: bool = app
        .call("mailbox/enabled", &[])
        .await
        .json()
        .await
        .expect("json");
    assert!(!enabled);

    app.sign_in_demo("admin@demo.boptone.app").await;
    let page = app.get("/dev/mailbox?to=admin@demo.boptone.app").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("html");
    assert!(html.contains("Reset your Boptone password"), "{html}");
    assert!(html.contains("/reset-password?token="), "the link is shown");
}

async fn the_dev_setting_opens_the_mailbox_and_smtp_closes_it(db: TestDb) {
    let app = TestApp::spawn_with(db, |c| c.dev_mailbox = true).await;
    app.sign_up("Ana", "ana@example.com", "long enough").await;
    app.run_jobs().await;
    let list: serde_json::Value = app
        .call("mailbox/list", &[("to", "ana@example.com")])
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(list[0]["subject"], "Confirm your email for Boptone");

    // With SMTP configured there is no mailbox at all.
    let smtp = TestApp::spawn_with(TestDb::sqlite().await, |c| {
        c.dev_mailbox = true;
        c.smtp_url = Some("smtp://127.0.0.1:9".into());
    })
    .await;
    assert_eq!(smtp.call("mailbox/list", &[]).await.status(), 404);
}

both_databases!(
    sign_up_answers_alike_whoever_owns_the_address,
    the_emailed_link_confirms_and_signs_in_with_a_hardened_cookie,
    https_deployments_get_secure_cookies_and_hsts,
    bad_input_gets_field_messages_and_writes_nothing,
    sign_in_is_refused_with_a_message_then_rate_limited,
    a_strangers_failures_do_not_lock_the_owner_out,
    a_plain_form_post_redirects,
    sign_in_returns_only_to_paths_on_this_site,
    only_operators_read_the_mailbox_and_no_secret_rests_in_jobs,
    the_dev_setting_opens_the_mailbox_and_smtp_closes_it,
);
