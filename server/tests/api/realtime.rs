use std::time::Duration;

use boptone::{accounts::UserId, both_databases, db::Dialect, realtime::Realtime, testing::TestDb};
use futures_util::StreamExt;
use reqwest::header;
use tokio_tungstenite::tungstenite::{client::IntoClientRequest, http::StatusCode};

use crate::helpers::TestApp;

/// Signs up and returns the user and their session cookie.
async fn signed_in(app: &TestApp) -> (UserId, String) {
    let res = app
        .sign_up_and_in("Ana", "ana@example.com", "long enough")
        .await;
    let cookie = res
        .headers()
        .get(header::SET_COOKIE)
        .expect("cookie")
        .to_str()
        .expect("ascii");
    let cookie = cookie.split(';').next().expect("pair").to_owned();
    let user: boptone::accounts::SessionUser = res.json().await.expect("user");
    (user.id, cookie)
}

fn ws_request(
    app: &TestApp,
    cookie: Option<&str>,
    origin: &str,
) -> tokio_tungstenite::tungstenite::handshake::client::Request {
    let mut req = format!("ws://{}/ws", app.base.trim_start_matches("http://"))
        .into_client_request()
        .expect("request");
    if let Some(cookie) = cookie {
        req.headers_mut()
            .insert("cookie", cookie.parse().expect("header"));
    }
    req.headers_mut()
        .insert("origin", origin.parse().expect("header"));
    req
}

async fn a_signed_in_tab_receives_its_pushes_only(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (ana, cookie) = signed_in(&app).await;
    let (mut socket, _) =
        tokio_tungstenite::connect_async(ws_request(&app, Some(&cookie), &app.base))
            .await
            .expect("connect");

    // A push for someone else is not forwarded; Ana's is. On PostgreSQL the push comes
    // from another process's Realtime (its own pool), through NOTIFY.
    let publisher = if app.db.db.dialect() == Dialect::Postgres {
        let other = boptone::db::Db::connect(&app.db.url, &Default::default())
            .await
            .expect("another process's pool");
        Realtime::new(other)
    } else {
        app.state.realtime.clone()
    };
    boptone::testing::wait_for(
        &mut app.state.realtime.listening(),
        "the server's realtime LISTEN",
        |up| *up,
    )
    .await;
    publisher.notify_user(UserId(ana.0 + 1000)).await;
    publisher.notify_user(ana).await;
    let message = tokio::time::timeout(Duration::from_secs(10), socket.next())
        .await
        .expect("a push within 10 s")
        .expect("open")
        .expect("message");
    let text = message.into_text().expect("text");
    assert_eq!(text.as_str(), r#"{"topic":"notifications"}"#);
    // An absence needs a window: had the other user's push been forwarded, it would
    // have arrived by now (pushes keep their order, and Ana's already came).
    let nothing_more = tokio::time::timeout(Duration::from_millis(300), socket.next()).await;
    assert!(
        nothing_more.is_err(),
        "the other user's push was not forwarded"
    );
}

async fn strangers_and_foreign_origins_are_refused(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (_, cookie) = signed_in(&app).await;
    let status = |err: tokio_tungstenite::tungstenite::Error| match err {
        tokio_tungstenite::tungstenite::Error::Http(res) => res.status(),
        other => panic!("expected an HTTP refusal, got {other}"),
    };
    let anonymous = tokio_tungstenite::connect_async(ws_request(&app, None, &app.base))
        .await
        .expect_err("refused");
    assert_eq!(status(anonymous), StatusCode::UNAUTHORIZED);
    let foreign =
        tokio_tungstenite::connect_async(ws_request(&app, Some(&cookie), "https://evil.example"))
            .await
            .expect_err("refused");
    assert_eq!(status(foreign), StatusCode::FORBIDDEN);
    // Naming the attacker's site as the host does not make it this site.
    let mut forged = ws_request(&app, Some(&cookie), "http://evil.example");
    forged
        .headers_mut()
        .insert("host", "evil.example".parse().expect("header"));
    let forged = tokio_tungstenite::connect_async(forged)
        .await
        .expect_err("refused");
    assert_eq!(status(forged), StatusCode::FORBIDDEN);
}

both_databases!(
    a_signed_in_tab_receives_its_pushes_only,
    strangers_and_foreign_origins_are_refused
);
