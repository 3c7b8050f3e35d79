use boptone::{AppError, accounts::SessionUser, both_databases, testing::TestDb};
use reqwest::header;

use crate::helpers::TestApp;

async fn sign_up_sets_a_hardened_session_cookie(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let res = app
        .sign_up("Ana Souza", "ana@example.com", "long enough")
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
    assert_eq!(
        res.headers().get(header::LOCATION).map(|v| v.as_bytes()),
        Some(&b"/me?welcome=1"[..])
    );
    let user: SessionUser = res.json().await.expect("user json");
    assert_eq!(user.handle, "ana_souza");

    let me: Option<SessionUser> = app.call("accounts/me", &[]).await.json().await.expect("me");
    assert_eq!(me.map(|u| u.email), Some("ana@example.com".to_owned()));

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
    let res = app
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

    let wrong = app
        .call(
            "accounts/sign_in",
            &[("email", "ana@example.com"), ("password", "nope nope")],
        )
        .await;
    let err: AppError = wrong.json().await.expect("error json");
    assert!(
        err.field_message("password")
            .is_some_and(|m| m.contains("don't match")),
        "{err:?}"
    );

    // Ten attempts per account per 15 minutes: the eleventh waits, and says how long.
    let mut limited = None;
    for _ in 0..12 {
        let res = app
            .call(
                "accounts/sign_in",
                &[("email", "ana@example.com"), ("password", "nope nope")],
            )
            .await;
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

    // Even the right password waits while the account is limited.
    let right = app
        .call(
            "accounts/sign_in",
            &[("email", "ana@example.com"), ("password", "long enough")],
        )
        .await;
    assert_eq!(right.status(), 429);
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
        Some(&b"/me?welcome=1"[..])
    );
}

async fn the_mailbox_lists_email_only_without_smtp(db: TestDb) {
    let app = TestApp::spawn(db).await;
    app.sign_up("Ana", "ana@example.com", "long enough").await;
    assert!(
        app.run_jobs().await >= 1,
        "the verification email was queued"
    );
    let page = app.get("/dev/mailbox?to=ana@example.com").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("html");
    assert!(html.contains("Confirm your email for Boptone"), "{html}");
    assert!(html.contains("/verify-email?token="), "the link is shown");
}

both_databases!(
    sign_up_sets_a_hardened_session_cookie,
    https_deployments_get_secure_cookies_and_hsts,
    bad_input_gets_field_messages_and_writes_nothing,
    sign_in_is_refused_with_a_message_then_rate_limited,
    a_plain_form_post_redirects,
    the_mailbox_lists_email_only_without_smtp,
);
