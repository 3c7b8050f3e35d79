//! Engagement and reports over HTTP: every call authorizes inside, refuses bad input
//! before writing, and is limited; operators alone review reports.

use boptone::{both_databases, testing::TestDb};

use crate::helpers::TestApp;

async fn a_bop(app: &TestApp) -> i64 {
    let nova = app.db.user_by_handle("nova_reyes").await;
    app.db
        .ready_bop(nova, "hello", boptone::time::now_ms())
        .await
}

async fn engagement_calls_authorize_check_and_limit(db: TestDb) {
    let app = TestApp::spawn(db).await;
    boptone::seed::seed_demo(&app.state.db).await.expect("seed");
    let bop = a_bop(&app).await;
    let id = bop.to_string();

    // Signed out: watching counts (once a day per browser, with the id the browser got
    // when it loaded the feed), nothing else is allowed.
    let stranger = reqwest::Client::new()
        .post(app.url("/api/bops/view"))
        .header(reqwest::header::ORIGIN, &app.base)
        .form(&[("id", id.as_str())])
        .send()
        .await
        .expect("POST");
    assert_eq!(
        stranger.text().await.expect("body"),
        "false",
        "no device id yet: not counted"
    );
    assert_eq!(app.call("bops/feed", &[]).await.status(), 200);
    let first = app.call("bops/view", &[("id", &id)]).await;
    assert_eq!(first.status(), 200);
    assert_eq!(first.text().await.expect("body"), "true");
    let again = app.call("bops/view", &[("id", &id)]).await;
    assert_eq!(
        again.text().await.expect("body"),
        "false",
        "the device cookie dedupes"
    );
    for (endpoint, form) in [
        ("bops/like", vec![("id", id.as_str()), ("liked", "true")]),
        ("bops/comment", vec![("id", id.as_str()), ("body", "hi")]),
        (
            "fans/follow",
            vec![("handle", "nova_reyes"), ("follow", "true")],
        ),
        (
            "reports/new",
            vec![("subject", "bop"), ("id", id.as_str()), ("reason", "spam")],
        ),
    ] {
        assert_eq!(app.call(endpoint, &form).await.status(), 401, "{endpoint}");
    }

    // The start page is for visitors; a signed-in fan is sent to the feed.
    assert_eq!(app.get("/").await.status(), 200);
    app.sign_in_demo("ana@demo.boptone.app").await;
    let home = app.get("/").await;
    assert_eq!(home.status(), 303);
    assert_eq!(home.headers()[reqwest::header::LOCATION], "/feed");

    // Signed in: bad input is refused before anything is written; comments are limited.
    assert_eq!(
        app.call("bops/comment", &[("id", &id), ("body", "   ")])
            .await
            .status(),
        422
    );
    assert_eq!(
        app.call("bops/like", &[("id", "999999"), ("liked", "true")])
            .await
            .status(),
        404
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM bop_comments").await, 0);
    let mut limited = None;
    for i in 0..12 {
        let res = app
            .call(
                "bops/comment",
                &[("id", &id), ("body", &format!("comment {i}"))],
            )
            .await;
        if res.status() == 429 {
            limited = Some(i);
            break;
        }
        assert_eq!(res.status(), 200);
    }
    assert_eq!(limited, Some(10), "10 comments every 5 minutes");

    // Reports reach operators only.
    assert_eq!(
        app.call(
            "reports/new",
            &[("subject", "bop"), ("id", &id), ("reason", "spam")]
        )
        .await
        .status(),
        200
    );
    assert_eq!(
        app.call(
            "reports/new",
            &[("subject", "bop"), ("id", &id), ("reason", "nonsense")]
        )
        .await
        .status(),
        422,
        "an unknown reason is refused with a message"
    );
    assert_eq!(app.call("admin/reports", &[]).await.status(), 403);
    assert_eq!(
        app.call(
            "admin/reports/decide",
            &[("subject", "bop"), ("id", &id), ("decision", "removed")]
        )
        .await
        .status(),
        403
    );
    app.sign_in_demo("admin@demo.boptone.app").await;
    let open: Vec<boptone::moderation::Reported> = app
        .call("admin/reports", &[])
        .await
        .json()
        .await
        .expect("reports");
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].reports, 1);
    assert_eq!(
        app.call(
            "admin/reports/decide",
            &[("subject", "bop"), ("id", &id), ("decision", "removed")]
        )
        .await
        .status(),
        200
    );
    assert_eq!(
        app.call("bops/one", &[("id", &id)]).await.status(),
        404,
        "taken down"
    );
}

both_databases!(engagement_calls_authorize_check_and_limit);
