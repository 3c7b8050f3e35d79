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

both_databases!(
    pages_carry_security_headers_and_a_matching_nonce,
    foreign_origins_cannot_change_state,
    oversized_bodies_are_refused,
);
