use std::time::Duration;

use boptone::{accounts::UserId, both_databases, db::Dialect, realtime::Realtime, testing::TestDb};
use futures_util::{SinkExt, StreamExt};
use reqwest::header;
use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest, http::StatusCode};

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

/// The next text message, within 10 s.
async fn next_text<S>(socket: &mut S) -> String
where
    S: futures_util::Stream<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin,
{
    let message = tokio::time::timeout(Duration::from_secs(10), socket.next())
        .await
        .expect("a message within 10 s")
        .expect("open")
        .expect("message");
    message.into_text().expect("text").as_str().to_owned()
}

async fn anyone_watching_a_bop_sees_its_counts_live(db: TestDb) {
    let app = TestApp::spawn(db).await;
    boptone::seed::seed_demo(&app.db.db).await.expect("seed");
    let nova = app.db.user_by_handle("nova_reyes").await;
    let (ana, _) = signed_in(&app).await;
    let now = boptone::time::now_ms();
    let watched = app.db.ready_bop(nova, "watched", now).await;
    let other = app.db.ready_bop(nova, "other", now).await;
    // Signed out: no notifications, but any Bop may be watched.
    let (mut socket, _) = tokio_tungstenite::connect_async(ws_request(&app, None, &app.base))
        .await
        .expect("an anonymous tab connects");
    socket
        .send(Message::Text(format!(r#"{{"watch":[{watched}]}}"#).into()))
        .await
        .expect("send");
    assert_eq!(
        next_text(&mut socket).await,
        format!(r#"{{"bop_ids":[{watched}],"topic":"watching"}}"#)
    );
    boptone::testing::wait_for(
        &mut app.state.realtime.listening(),
        "the server's realtime LISTEN",
        |up| *up,
    )
    .await;
    app.state.realtime.notify_user(ana).await;
    boptone::bops::engagement::like(&app.state, ana, other)
        .await
        .expect("like");
    boptone::bops::engagement::like(&app.state, ana, watched)
        .await
        .expect("like");
    // Only the watched Bop's counts come (pushes keep their order).
    let text = next_text(&mut socket).await;
    let pushed: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(pushed["topic"], "bop");
    assert_eq!(pushed["bop_id"], watched);
    assert_eq!(pushed["counts"]["likes"], 1);
}

async fn foreign_origins_are_refused(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (_, cookie) = signed_in(&app).await;
    let status = |err: tokio_tungstenite::tungstenite::Error| match err {
        tokio_tungstenite::tungstenite::Error::Http(res) => res.status(),
        other => panic!("expected an HTTP refusal, got {other}"),
    };
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
    anyone_watching_a_bop_sees_its_counts_live,
    foreign_origins_are_refused
);
