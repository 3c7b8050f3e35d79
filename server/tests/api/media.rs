//! `/media`: blobs streamed with byte ranges, validators and no compression of media.

use boptone::{both_databases, testing::TestDb};
use reqwest::{StatusCode, header};

use crate::helpers::TestApp;

/// A stand-in for a video: 1,000 bytes that say where they are.
fn counting() -> Vec<u8> {
    (0..1000u32).map(|i| (i % 251) as u8).collect()
}

async fn media_answers_ranges_and_validators(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let data = counting();
    app.state
        .storage
        .put("bops/1/clip-abc.mp4", data.clone())
        .await
        .expect("stored");
    let get = |range: Option<&'static str>| {
        let mut request = app
            .client
            .get(app.url("/media/bops/1/clip-abc.mp4"))
            .header(header::ACCEPT_ENCODING, "br, gzip");
        if let Some(range) = range {
            request = request.header(header::RANGE, range);
        }
        request.send()
    };

    let whole = get(None).await.expect("GET");
    assert_eq!(whole.status(), StatusCode::OK);
    let headers = whole.headers().clone();
    assert_eq!(headers[header::CONTENT_TYPE], "video/mp4");
    assert_eq!(headers[header::ACCEPT_RANGES], "bytes");
    assert_eq!(headers[header::CONTENT_LENGTH], "1000");
    assert!(
        headers.get(header::CONTENT_ENCODING).is_none(),
        "video is not compressed"
    );
    assert!(
        headers[header::CACHE_CONTROL]
            .to_str()
            .expect("ascii")
            .contains("immutable")
    );
    assert!(
        headers[header::LAST_MODIFIED]
            .to_str()
            .expect("ascii")
            .ends_with(" GMT")
    );
    let tag = headers[header::ETAG].to_str().expect("ascii").to_owned();
    assert!(tag.starts_with('"'), "{tag}");
    assert_eq!(whole.bytes().await.expect("body").to_vec(), data);

    let part = get(Some("bytes=100-199")).await.expect("GET");
    assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(part.headers()[header::CONTENT_RANGE], "bytes 100-199/1000");
    assert_eq!(part.headers()[header::CONTENT_LENGTH], "100");
    assert_eq!(part.bytes().await.expect("body").to_vec(), data[100..200]);

    let open_ended = get(Some("bytes=990-")).await.expect("GET");
    assert_eq!(open_ended.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        open_ended.bytes().await.expect("body").to_vec(),
        data[990..]
    );

    let suffix = get(Some("bytes=-10")).await.expect("GET");
    assert_eq!(suffix.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        suffix.headers()[header::CONTENT_RANGE],
        "bytes 990-999/1000"
    );
    assert_eq!(suffix.bytes().await.expect("body").to_vec(), data[990..]);

    let beyond = get(Some("bytes=1000-")).await.expect("GET");
    assert_eq!(beyond.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(beyond.headers()[header::CONTENT_RANGE], "bytes */1000");

    // A list of ranges is answered with the whole blob, as the RFC allows.
    let list = get(Some("bytes=0-1,5-6")).await.expect("GET");
    assert_eq!(list.status(), StatusCode::OK);

    let cached = app
        .client
        .get(app.url("/media/bops/1/clip-abc.mp4"))
        .header(header::IF_NONE_MATCH, &tag)
        .send()
        .await
        .expect("GET");
    assert_eq!(cached.status(), StatusCode::NOT_MODIFIED);
    assert!(cached.bytes().await.expect("body").is_empty());

    // A range of another version of the blob is not a part of this one.
    let stale = app
        .client
        .get(app.url("/media/bops/1/clip-abc.mp4"))
        .header(header::RANGE, "bytes=0-9")
        .header(header::IF_RANGE, "\"another-version\"")
        .send()
        .await
        .expect("GET");
    assert_eq!(stale.status(), StatusCode::OK);
    assert_eq!(stale.bytes().await.expect("body").len(), 1000);

    assert_eq!(app.get("/media/bops/1/none.mp4").await.status(), 404);
    // Originals are stored under `private/` and never served.
    app.state
        .storage
        .put("private/bops/1/abc/original", data.clone())
        .await
        .expect("stored");
    assert_eq!(
        app.get("/media/private/bops/1/abc/original").await.status(),
        404
    );
}

/// A two-second clip, made by ffmpeg's own sources.
fn clip() -> Vec<u8> {
    let dir = tempfile::tempdir().expect("temp");
    let out = dir.path().join("clip.mp4");
    let status = std::process::Command::new("ffmpeg")
        .args([
            "-hide_banner",
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=144x256:rate=15",
        ])
        .args([
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440",
            "-t",
            "2",
            "-c:v",
            "libx264",
        ])
        .args([
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-shortest",
        ])
        .arg(&out)
        .status()
        .expect("ffmpeg (make installs it)");
    assert!(status.success());
    std::fs::read(out).expect("clip")
}

async fn an_artist_uploads_a_bop_over_http(db: TestDb) {
    boptone::seed::seed_demo(&db.db).await.expect("seed");
    let app = TestApp::spawn_with(db, |config| config.max_video_bytes = 1024 * 1024).await;
    let video = clip();
    let upload = |body: Vec<u8>, caption: &'static str| {
        app.client
            .post(app.url("/uploads/bops"))
            .query(&[("caption", caption)])
            .header(header::ORIGIN, &app.base)
            .header(header::CONTENT_TYPE, "video/mp4")
            .body(body)
            .send()
    };
    // Refused before the body is read (small bodies: the server does not drain them).
    assert_eq!(upload(b"x".to_vec(), "").await.expect("POST").status(), 401);
    app.sign_up_and_in("Ana Fan", "ana.bops@example.com", "correct horse")
        .await;
    assert_eq!(upload(b"x".to_vec(), "").await.expect("POST").status(), 403);

    app.sign_in_demo("nova@demo.boptone.app").await;
    let ok = upload(video, "Live from the studio #demo")
        .await
        .expect("POST");
    assert_eq!(ok.status(), 200);
    let body: serde_json::Value = ok.json().await.expect("json");
    let id = body["bop_id"].as_i64().expect("bop id");
    app.run_jobs().await;
    let playlist: String =
        boptone::db::query("SELECT playlist_key FROM bops WHERE id = $1 AND state = 'ready'")
            .bind(id)
            .scalar_one(&app.db.db)
            .await
            .expect("ready");
    let master = app.get(&format!("/media/{playlist}")).await;
    assert_eq!(master.status(), StatusCode::OK);
    assert_eq!(
        master.headers()[header::CONTENT_TYPE],
        "application/vnd.apple.mpegurl"
    );
    assert!(master.text().await.expect("text").starts_with("#EXTM3U"));
    // Last, as the server closes the connection after refusing an unread body.
    // Over the cap by its declared length: refused before a byte is read.
    let too_big = app
        .client
        .post(app.url("/uploads/bops"))
        .header(header::ORIGIN, &app.base)
        .header(header::CONTENT_LENGTH, 1024 * 1024 + 1)
        .body(vec![0; 1024 * 1024 + 1])
        .send()
        .await;
    let Ok(too_big) = too_big else {
        panic!("the refusal should be answered: {too_big:?}");
    };
    assert_eq!(too_big.status(), 422);
    let body: serde_json::Value = too_big.json().await.expect("json");
    assert!(body.to_string().contains("under 1 MB"), "{body}");
}

/// A two-second tone as WAV, made by ffmpeg.
fn tone() -> Vec<u8> {
    let dir = tempfile::tempdir().expect("temp");
    let out = dir.path().join("tone.wav");
    let status = std::process::Command::new("ffmpeg")
        .args([
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
        ])
        .arg("sine=frequency=330:sample_rate=44100:duration=2")
        .arg(&out)
        .status()
        .expect("ffmpeg (make installs it)");
    assert!(status.success());
    std::fs::read(out).expect("tone")
}

async fn an_artist_uploads_a_track_over_http(db: TestDb) {
    boptone::seed::seed_demo(&db.db).await.expect("seed");
    let app = TestApp::spawn_with(db, |config| config.max_audio_bytes = 1024 * 1024).await;
    let upload = |body: Vec<u8>, title: &'static str| {
        app.client
            .post(app.url("/uploads/tracks"))
            .query(&[("title", title)])
            .header(header::ORIGIN, &app.base)
            .header(header::CONTENT_TYPE, "audio/wav")
            .body(body)
            .send()
    };
    assert_eq!(
        upload(b"x".to_vec(), "Song").await.expect("POST").status(),
        401
    );
    app.sign_up_and_in("Ana Fan", "ana.tracks@example.com", "correct horse")
        .await;
    assert_eq!(
        upload(b"x".to_vec(), "Song").await.expect("POST").status(),
        403
    );

    app.sign_in_demo("nova@demo.boptone.app").await;
    let refused = upload(b"not audio at all".to_vec(), "Song")
        .await
        .expect("POST");
    assert_eq!(refused.status(), 422);
    let ok = upload(tone(), "Low Tide").await.expect("POST");
    assert_eq!(ok.status(), 200);
    let body: serde_json::Value = ok.json().await.expect("json");
    let id = body["track_id"].as_i64().expect("track id");
    app.run_jobs().await;
    let stream: String =
        boptone::db::query("SELECT stream_key FROM tracks WHERE id = $1 AND state = 'ready'")
            .bind(id)
            .scalar_one(&app.db.db)
            .await
            .expect("ready");
    // The stream is served in parts, never compressed.
    let part = app
        .client
        .get(app.url(&format!("/media/{stream}")))
        .header(header::RANGE, "bytes=0-99")
        .header(header::ACCEPT_ENCODING, "gzip, br")
        .send()
        .await
        .expect("GET");
    assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(part.headers()[header::CONTENT_TYPE], "audio/mp4");
    assert!(part.headers().get(header::CONTENT_ENCODING).is_none());
    assert_eq!(part.bytes().await.expect("bytes").len(), 100);
}

both_databases!(
    media_answers_ranges_and_validators,
    an_artist_uploads_a_bop_over_http,
    an_artist_uploads_a_track_over_http
);
