//! `/media`: blobs streamed with byte ranges, validators and no compression of media.

use boptone::{both_databases, testing::TestDb};
use reqwest::{StatusCode, header};

use crate::helpers::TestApp;

/// A stand-in for a video: 1,000 bytes that say where they are.
fn clip() -> Vec<u8> {
    (0..1000u32).map(|i| (i % 251) as u8).collect()
}

async fn media_answers_ranges_and_validators(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let data = clip();
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
}

both_databases!(media_answers_ranges_and_validators);
