//! Music over HTTP: the release calls authorize inside (signed in, an artist, the
//! artist's own tracks and releases) and refuse bad input before writing.

use boptone::{both_databases, testing::TestDb};

use crate::helpers::TestApp;

async fn release_calls_authorize_and_check(db: TestDb) {
    let app = TestApp::spawn(db).await;
    boptone::seed::seed_demo(&app.state.db).await.expect("seed");
    let tides = app.db.user_by_handle("the_low_tides").await;
    // One of another artist's tracks, processing (the id is all that matters here).
    let theirs: i64 = boptone::db::query(
        "INSERT INTO tracks (artist_id, title, state, original_key, original_bytes, created_at) \
         VALUES ($1, 'Theirs', 'ready', 'private/x', 1, 0) RETURNING id",
    )
    .bind(tides.0)
    .scalar_one(&app.state.db)
    .await
    .expect("a track");
    let theirs = theirs.to_string();
    let release = |title: &'static str, upc: &'static str| {
        vec![
            ("form[kind]", "single"),
            ("form[title]", title),
            ("form[genre]", "Folk"),
            ("form[upc]", upc),
            ("form[release_date]", "2026-01-01"),
            ("form[tracks][0][track_id]", theirs.as_str()),
            ("form[tracks][0][title]", "Mine now"),
            ("form[tracks][0][isrc]", ""),
        ]
    };
    let releases = "SELECT COUNT(*) FROM releases";
    let before = app.count(releases).await;

    assert_eq!(
        app.call("artist/releases/save", &release("A", ""))
            .await
            .status(),
        401
    );
    assert_eq!(
        app.call("artist/releases/publish", &[("id", "1")])
            .await
            .status(),
        401
    );
    app.sign_up_and_in("Ana Fan", "ana.music@example.com", "correct horse")
        .await;
    assert_eq!(
        app.call("artist/releases/save", &release("A", ""))
            .await
            .status(),
        403
    );
    assert_eq!(app.call("artist/tracks", &[]).await.status(), 403);

    app.sign_in_demo("nova@demo.boptone.app").await;
    // A barcode with a wrong check digit: refused by field, before anything is written.
    let bad = app
        .call("artist/releases/save", &release("A", "036000291453"))
        .await;
    assert_eq!(bad.status(), 422);
    let body = bad.text().await.expect("body");
    assert!(
        body.contains("upc") && body.contains("last digit"),
        "{body}"
    );
    // Another artist's track is not found.
    assert_eq!(
        app.call("artist/releases/save", &release("A", ""))
            .await
            .status(),
        404
    );
    assert_eq!(app.count(releases).await, before, "nothing written");
    // Nor is another artist's release, nor an unpublished one for visitors.
    assert_eq!(
        app.call("artist/releases/publish", &[("id", "999999")])
            .await
            .status(),
        404
    );
    let missing = app
        .call(
            "music/release",
            &[("handle", "nova_reyes"), ("slug", "no-such-release")],
        )
        .await;
    assert_eq!(missing.status(), 404);
    assert_eq!(app.call("artist/tracks", &[]).await.status(), 200);

    // Artwork: for the artist's own release only, checked as an image, cropped square.
    let theirs_release = {
        let track: i64 = boptone::db::query(
            "INSERT INTO tracks (artist_id, title, state, original_key, original_bytes, created_at) \
             VALUES ($1, 'Theirs too', 'ready', 'private/y', 1, 0) RETURNING id",
        )
        .bind(tides.0)
        .scalar_one(&app.state.db)
        .await
        .expect("a track");
        let form = boptone::music::ReleaseForm {
            kind: "single".into(),
            title: "Tides".into(),
            genre: String::new(),
            upc: String::new(),
            release_date: "2026-01-01".into(),
            tracks: vec![boptone::music::TrackEntry {
                track_id: track,
                title: "Tides".into(),
                isrc: String::new(),
                credits: vec![],
            }],
        };
        let input = boptone::music::service::ReleaseInput::parse(&form).expect("valid");
        boptone::music::service::save_release(&app.state.db, tides, None, &input)
            .await
            .expect("saved")
    };
    let artwork = |release: i64, body: Vec<u8>| {
        app.client
            .post(app.url(&format!("/uploads/artwork?release={release}")))
            .header(reqwest::header::ORIGIN, &app.base)
            .header(reqwest::header::CONTENT_TYPE, "image/png")
            .body(body)
            .send()
    };
    let png = crate::onboarding::png(300, 200);
    let not_found = artwork(theirs_release, png.clone()).await.expect("POST");
    assert_eq!(not_found.status(), 404);
    let art: Option<String> = boptone::db::query("SELECT artwork_key FROM releases WHERE id = $1")
        .bind(theirs_release)
        .scalar_one(&app.state.db)
        .await
        .expect("release");
    assert_eq!(art, None);
    app.sign_in_demo("lowtides@demo.boptone.app").await;
    let refused = artwork(theirs_release, b"not an image".to_vec())
        .await
        .expect("POST");
    assert_eq!(refused.status(), 422);
    let ok = artwork(theirs_release, png).await.expect("POST");
    assert_eq!(ok.status(), 200);
    let body: serde_json::Value = ok.json().await.expect("json");
    let url = body["artwork_url"].as_str().expect("url").to_owned();
    let stored = app.get(&url).await.bytes().await.expect("image");
    let image = image::load_from_memory(&stored).expect("decodes");
    assert_eq!((image.width(), image.height()), (1200, 1200));
}

both_databases!(release_calls_authorize_and_check);
