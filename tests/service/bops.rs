//! Bops: uploads checked by content and capped, the transcode job with real ffmpeg
//! (a generated clip, one small rendition), and the reasons an artist is told.

use std::{path::Path, process::Command};

use boptone::{
    AppError,
    accounts::UserId,
    bops::{self, BopState, service},
    both_databases,
    db::query,
    state::AppState,
    testing::TestDb,
};
use bytes::Bytes;
use futures::stream;

/// A clip made by ffmpeg's own sources: `seconds` long, `size` (e.g. `144x256`), with a
/// tone unless `silent`.
fn clip(dir: &Path, name: &str, size: &str, seconds: u32, silent: bool) -> Vec<u8> {
    let out = dir.join(name);
    let mut cmd = Command::new("ffmpeg");
    cmd.args([
        "-hide_banner",
        "-loglevel",
        "error",
        "-y",
        "-f",
        "lavfi",
        "-i",
    ])
    .arg(format!("testsrc2=size={size}:rate=15"));
    if !silent {
        cmd.args(["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"]);
    }
    cmd.args([
        "-t",
        &seconds.to_string(),
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv420p",
    ]);
    if !silent {
        cmd.args(["-c:a", "aac", "-shortest"]);
    }
    let status = cmd.arg(&out).status().expect("ffmpeg (make installs it)");
    assert!(status.success());
    std::fs::read(out).expect("clip")
}

pub fn body(bytes: Vec<u8>) -> impl futures::Stream<Item = Result<Bytes, std::io::Error>> + Send {
    let chunks: Vec<Result<Bytes, std::io::Error>> = bytes
        .chunks(16 * 1024)
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    stream::iter(chunks)
}

async fn bop_row(t: &TestDb, id: i64) -> (String, Option<String>, Option<String>, Option<i64>) {
    query("SELECT state, failure, playlist_key, duration_ms FROM bops WHERE id = $1")
        .bind(id)
        .fetch_one(&t.db)
        .await
        .expect("bop")
}

async fn stored_text(state: &AppState, key: &str) -> String {
    String::from_utf8(state.storage.get(key).await.expect("read").expect("stored")).expect("text")
}

async fn an_uploaded_clip_becomes_a_playable_bop(t: TestDb) {
    boptone::seed::seed_demo(&t.db).await.expect("seed");
    let state = t.state();
    let nova = t.user_by_handle("nova_reyes").await;
    let dir = tempfile::tempdir().expect("temp");
    let video = clip(dir.path(), "clip.mp4", "144x256", 2, false);
    let id = service::upload(
        &state,
        nova,
        "  First take #NewSingle  ",
        body(video),
        10 << 20,
    )
    .await
    .expect("uploaded");
    let bops = service::artist_bops(&t.db, nova).await.expect("list");
    let mine = bops.iter().find(|b| b.id == id).expect("listed");
    assert_eq!(mine.state, BopState::Processing);
    assert_eq!(mine.caption, "First take #NewSingle");
    let published = "SELECT COUNT(*) FROM platform_events WHERE name = 'bop.published'";
    let before: i64 = query(published).scalar_one(&t.db).await.expect("count");

    boptone::background::run_pending(&state)
        .await
        .expect("jobs");
    let (row_state, failure, playlist, duration) = bop_row(&t, id).await;
    assert_eq!((row_state.as_str(), failure), ("ready", None));
    assert!(
        (1900..=2100).contains(&duration.expect("duration")),
        "{duration:?}"
    );
    let after: i64 = query(published).scalar_one(&t.db).await.expect("count");
    assert_eq!(after, before + 1, "bop.published fires once it is ready");

    // The stored HLS: a master playlist naming one rendition (the source is smaller
    // than every rung), fMP4 segments, and ffprobe reads it back.
    let master_key = playlist.expect("playlist");
    let master = stored_text(&state, &master_key).await;
    assert!(master.starts_with("#EXTM3U"), "{master}");
    assert_eq!(master.matches("#EXT-X-STREAM-INF").count(), 1, "{master}");
    let folder = master_key.trim_end_matches("master.m3u8");
    let variant = stored_text(&state, &format!("{folder}v0/index.m3u8")).await;
    assert!(variant.contains("#EXT-X-MAP:URI=\"init.mp4\""), "{variant}");
    let local = tempfile::tempdir().expect("temp");
    std::fs::create_dir(local.path().join("v0")).expect("dir");
    std::fs::write(local.path().join("master.m3u8"), &master).expect("write");
    std::fs::write(local.path().join("v0/index.m3u8"), &variant).expect("write");
    let mut files = vec!["init.mp4".to_owned()];
    files.extend(
        variant
            .lines()
            .filter(|l| l.ends_with(".m4s"))
            .map(str::to_owned),
    );
    assert!(files.len() >= 2, "{variant}");
    for file in &files {
        let bytes = state
            .storage
            .get(&format!("{folder}v0/{file}"))
            .await
            .expect("read")
            .expect("stored");
        std::fs::write(local.path().join("v0").join(file), bytes).expect("write");
    }
    let probe = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_entries",
            "format=duration",
            "-of",
            "csv=p=0",
        ])
        .arg(local.path().join("master.m3u8"))
        .output()
        .expect("ffprobe");
    assert!(
        probe.status.success(),
        "{}",
        String::from_utf8_lossy(&probe.stderr)
    );
    let seconds: f64 = String::from_utf8_lossy(&probe.stdout)
        .trim()
        .parse()
        .expect("duration");
    assert!((1.5..=2.5).contains(&seconds), "{seconds}");
    let poster = state
        .storage
        .get(&format!("{folder}poster.webp"))
        .await
        .expect("read")
        .expect("poster");
    assert_eq!(&poster[8..12], b"WEBP");

    // The progressive MP4 the first Bop of a page starts with: recorded, its index
    // ahead of its media (it plays from the first bytes), the whole clip long.
    let mp4_key: Option<String> = query("SELECT mp4_key FROM bops WHERE id = $1")
        .bind(id)
        .scalar_one(&t.db)
        .await
        .expect("mp4 key");
    assert_eq!(mp4_key.as_deref(), Some(&*format!("{folder}video.mp4")));
    let mp4 = state
        .storage
        .get(&format!("{folder}video.mp4"))
        .await
        .expect("read")
        .expect("mp4");
    let at = |atom: &[u8]| mp4.windows(4).position(|w| w == atom).expect("atom");
    assert!(at(b"moov") < at(b"mdat"), "the index comes first");
    let file = local.path().join("video.mp4");
    std::fs::write(&file, &mp4).expect("write");
    let probe = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_entries",
            "format=duration",
            "-of",
            "csv=p=0",
        ])
        .arg(&file)
        .output()
        .expect("ffprobe");
    let seconds: f64 = String::from_utf8_lossy(&probe.stdout)
        .trim()
        .parse()
        .expect("duration");
    assert!((1.5..=2.5).contains(&seconds), "{seconds}");
}

async fn uploads_are_refused_by_content_size_and_gate(t: TestDb) {
    boptone::seed::seed_demo(&t.db).await.expect("seed");
    let state = t.state();
    let nova = t.user_by_handle("nova_reyes").await;
    let count = "SELECT COUNT(*) FROM bops";
    let before: i64 = query(count).scalar_one(&t.db).await.expect("count");

    let renamed = service::upload(
        &state,
        nova,
        "",
        body(b"\xFF\xD8\xFF\xE0 a photo named clip.mp4".to_vec()),
        10 << 20,
    )
    .await
    .expect_err("not a video");
    assert!(
        renamed
            .field_message("video")
            .is_some_and(|m| m.contains("MP4, MOV or WebM")),
        "{renamed:?}"
    );

    let dir = tempfile::tempdir().expect("temp");
    let video = clip(dir.path(), "clip.mp4", "144x256", 2, true);
    let too_big = service::upload(&state, nova, "", body(video.clone()), 1024)
        .await
        .expect_err("over the cap");
    assert!(
        too_big
            .field_message("video")
            .is_some_and(|m| m.contains("too big")),
        "{too_big:?}"
    );

    let long_caption = "a".repeat(bops::CAPTION_MAX_CHARS + 1);
    let wordy = service::upload(&state, nova, &long_caption, body(video.clone()), 10 << 20)
        .await
        .expect_err("caption too long");
    assert!(wordy.field_message("caption").is_some(), "{wordy:?}");

    // A fan has no artist profile: sent to choose a plan.
    let fan = t
        .signed_up_fan(&state, "Bop Fan", "bopfan@example.com")
        .await
        .user;
    let gate = service::upload(&state, fan.id, "", body(video), 10 << 20)
        .await
        .expect_err("not an artist");
    assert!(matches!(gate, AppError::Gate { .. }), "{gate:?}");

    let after: i64 = query(count).scalar_one(&t.db).await.expect("count");
    assert_eq!(after, before, "nothing recorded for a refused upload");
}

async fn videos_that_cannot_be_bops_fail_with_a_reason(t: TestDb) {
    boptone::seed::seed_demo(&t.db).await.expect("seed");
    let state = t.state();
    let nova = t.user_by_handle("nova_reyes").await;
    let dir = tempfile::tempdir().expect("temp");
    // Three minutes and a second: longer than a Bop may be.
    let long = clip(dir.path(), "long.mp4", "16x16", 181, true);
    let too_long = service::upload(&state, nova, "", body(long), 10 << 20)
        .await
        .expect("uploaded");
    // An MP4 signature on garbage: accepted by its first bytes, refused by ffprobe.
    let mut damaged = b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom".to_vec();
    damaged.extend(std::iter::repeat_n(0x42u8, 4096));
    let broken = service::upload(&state, nova, "", body(damaged), 10 << 20)
        .await
        .expect("uploaded");
    boptone::background::run_pending(&state)
        .await
        .expect("jobs");

    let (row_state, failure, playlist, _) = bop_row(&t, too_long).await;
    assert_eq!(row_state, "failed");
    assert!(
        failure
            .as_deref()
            .is_some_and(|f| f.contains("3:01") && f.contains("up to 3 minutes")),
        "{failure:?}"
    );
    assert_eq!(playlist, None);
    let (row_state, failure, _, _) = bop_row(&t, broken).await;
    assert_eq!(row_state, "failed");
    assert!(
        failure
            .as_deref()
            .is_some_and(|f| f.contains("couldn't read")),
        "{failure:?}"
    );
    let published: i64 = query("SELECT COUNT(*) FROM platform_events WHERE name = 'bop.published'")
        .scalar_one(&t.db)
        .await
        .expect("count");
    assert_eq!(published, 0);
}

async fn only_its_artist_edits_or_deletes_a_bop(t: TestDb) {
    boptone::seed::seed_demo(&t.db).await.expect("seed");
    let state = t.state();
    let nova = t.user_by_handle("nova_reyes").await;
    let other: i64 = query("SELECT user_id FROM artist_profiles WHERE user_id <> $1 LIMIT 1")
        .bind(nova.0)
        .scalar_one(&t.db)
        .await
        .expect("another artist");
    let other = UserId(other);
    let dir = tempfile::tempdir().expect("temp");
    let video = clip(dir.path(), "clip.mp4", "144x256", 1, true);
    let id = service::upload(&state, nova, "before", body(video), 10 << 20)
        .await
        .expect("uploaded");

    assert!(matches!(
        service::edit_caption(&t.db, other, id, "hijacked").await,
        Err(AppError::NotFound)
    ));
    assert!(matches!(
        service::delete(&t.db, other, id).await,
        Err(AppError::NotFound)
    ));
    let too_long = "x".repeat(bops::CAPTION_MAX_CHARS + 1);
    assert!(
        service::edit_caption(&t.db, nova, id, &too_long)
            .await
            .expect_err("too long")
            .field_message("caption")
            .is_some()
    );
    service::edit_caption(&t.db, nova, id, "  after #edit ")
        .await
        .expect("edited");
    let listed = service::artist_bops(&t.db, nova).await.expect("list");
    assert_eq!(
        listed
            .iter()
            .find(|b| b.id == id)
            .map(|b| b.caption.as_str()),
        Some("after #edit")
    );

    service::delete(&t.db, nova, id).await.expect("deleted");
    let listed = service::artist_bops(&t.db, nova).await.expect("list");
    assert!(
        listed.iter().all(|b| b.id != id),
        "a deleted Bop is gone from the list"
    );
    assert!(matches!(
        service::delete(&t.db, nova, id).await,
        Err(AppError::NotFound)
    ));
    // The row stays (soft): its money records keep their reference.
    let kept: i64 = query("SELECT COUNT(*) FROM bops WHERE id = $1 AND deleted_at IS NOT NULL")
        .bind(id)
        .scalar_one(&t.db)
        .await
        .expect("count");
    assert_eq!(kept, 1);
    // Processing a deleted Bop does nothing.
    boptone::background::run_pending(&state)
        .await
        .expect("jobs");
    let (row_state, _, playlist, _) = bop_row(&t, id).await;
    assert_eq!((row_state.as_str(), playlist), ("processing", None));
}

async fn a_bop_whose_job_died_is_told_failed(t: TestDb) {
    boptone::seed::seed_demo(&t.db).await.expect("seed");
    let nova = t.user_by_handle("nova_reyes").await;
    let now = boptone::time::now_ms();
    let insert = |created_at: i64| {
        query("INSERT INTO bops (artist_id, caption, state, attempts, original_key, original_bytes, created_at) \
               VALUES ($1, '', 'processing', 3, 'k', 1, $2) RETURNING id")
            .bind(nova.0)
            .bind(created_at)
    };
    let stuck: i64 = insert(now - service::STUCK_AFTER_MS - 1)
        .scalar_one(&t.db)
        .await
        .expect("stuck");
    let fresh: i64 = insert(now - 60_000).scalar_one(&t.db).await.expect("fresh");
    assert_eq!(service::fail_stuck(&t.db, now).await.expect("sweep"), 1);
    let (state, failure, _, _) = bop_row(&t, stuck).await;
    assert_eq!(
        (state.as_str(), failure.as_deref()),
        ("failed", Some(boptone::bops::transcode::GAVE_UP))
    );
    assert_eq!(
        bop_row(&t, fresh).await.0,
        "processing",
        "still within its time"
    );
    assert_eq!(service::fail_stuck(&t.db, now).await.expect("again"), 0);
}

both_databases!(
    a_bop_whose_job_died_is_told_failed,
    only_its_artist_edits_or_deletes_a_bop,
    an_uploaded_clip_becomes_a_playable_bop,
    uploads_are_refused_by_content_size_and_gate,
    videos_that_cannot_be_bops_fail_with_a_reason
);
