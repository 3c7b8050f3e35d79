//! Music: track uploads checked by content and capped, the processing job with real
//! ffmpeg (a generated tone: the AAC stream and its waveform), releases checked, saved,
//! kept to their artist and published.

use std::{path::Path, process::Command};

use boptone::{
    AppError,
    accounts::UserId,
    both_databases,
    db::query,
    music::{Credit, ReleaseForm, TrackEntry, TrackState, service, transcode},
    testing::TestDb,
};

use crate::bops::body;

/// A tone made by ffmpeg: `seconds` long, in the container `name`'s extension says.
fn tone(dir: &Path, name: &str, seconds: u32) -> Vec<u8> {
    let out = dir.join(name);
    let status = Command::new("ffmpeg")
        .args([
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
        ])
        .arg(format!(
            "sine=frequency=330:sample_rate=44100:duration={seconds}"
        ))
        .arg(&out)
        .status()
        .expect("ffmpeg (make installs it)");
    assert!(status.success());
    std::fs::read(out).expect("tone")
}

/// Uploads a tone as a track of `artist` and processes it.
async fn ready_track(t: &TestDb, artist: UserId, title: &str) -> i64 {
    let dir = tempfile::tempdir().expect("temp");
    let id = service::upload(
        &t.state(),
        artist,
        title,
        body(tone(dir.path(), "t.flac", 2)),
        10 << 20,
    )
    .await
    .expect("uploaded");
    t.run_jobs().await;
    id
}

async fn track_row(t: &TestDb, id: i64) -> (String, Option<String>, Option<String>, Option<i64>) {
    query("SELECT state, failure, stream_key, duration_ms FROM tracks WHERE id = $1")
        .bind(id)
        .fetch_one(&t.db)
        .await
        .expect("track")
}

fn form(title: &str, kind: &str, date: &str, tracks: &[(i64, &str)]) -> ReleaseForm {
    ReleaseForm {
        kind: kind.into(),
        title: title.into(),
        genre: "Folk".into(),
        upc: String::new(),
        release_date: date.into(),
        tracks: tracks
            .iter()
            .map(|(id, title)| TrackEntry {
                track_id: *id,
                title: (*title).into(),
                isrc: String::new(),
                credits: vec![],
            })
            .collect(),
    }
}

fn fields(err: &AppError) -> Vec<String> {
    match err {
        AppError::Validation(errors) => errors.iter().map(|e| e.field.clone()).collect(),
        other => panic!("not a validation error: {other:?}"),
    }
}

async fn an_uploaded_track_gets_a_stream_and_a_waveform(t: TestDb) {
    boptone::seed::seed_demo(&t.db).await.expect("seed");
    let state = t.state();
    let nova = t.user_by_handle("nova_reyes").await;
    let dir = tempfile::tempdir().expect("temp");
    let id = service::upload(
        &state,
        nova,
        "  Low Tide  ",
        body(tone(dir.path(), "t.wav", 3)),
        10 << 20,
    )
    .await
    .expect("uploaded");
    let listed = service::artist_tracks(&t.db, nova).await.expect("list");
    let mine = listed.iter().find(|x| x.id == id).expect("listed");
    assert_eq!(
        (mine.state, mine.title.as_str()),
        (TrackState::Processing, "Low Tide")
    );

    t.run_jobs().await;
    let (row_state, failure, stream, duration) = track_row(&t, id).await;
    assert_eq!((row_state.as_str(), failure), ("ready", None));
    assert!(
        (2900..=3100).contains(&duration.expect("duration")),
        "{duration:?}"
    );
    let (codec, rate, channels): (String, i64, i64) =
        query("SELECT codec, sample_rate, channels FROM tracks WHERE id = $1")
            .bind(id)
            .fetch_one(&t.db)
            .await
            .expect("probe");
    assert_eq!((codec.as_str(), rate, channels), ("pcm_s16le", 44_100, 1));

    // The stream: AAC in an MP4 container, its index ahead of its media, as long as
    // the original.
    let key = stream.expect("stream key");
    assert!(
        key.ends_with("/stream.m4a") && !key.starts_with("private/"),
        "{key}"
    );
    let m4a = state
        .storage
        .get(&key)
        .await
        .expect("read")
        .expect("stored");
    let at = |atom: &[u8]| m4a.windows(4).position(|w| w == atom).expect("atom");
    assert!(at(b"moov") < at(b"mdat"), "the index comes first");
    let file = dir.path().join("stream.m4a");
    std::fs::write(&file, &m4a).expect("write");
    let probe = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_entries",
            "stream=codec_name,profile:format=duration",
            "-of",
            "default=nw=1",
        ])
        .arg(&file)
        .output()
        .expect("ffprobe");
    let text = String::from_utf8_lossy(&probe.stdout);
    assert!(
        text.contains("codec_name=aac") && text.contains("profile=LC"),
        "{text}"
    );
    let seconds: f64 = text
        .lines()
        .find_map(|l| l.strip_prefix("duration="))
        .and_then(|d| d.parse().ok())
        .expect("duration");
    assert!((2.8..=3.2).contains(&seconds), "{seconds}");

    // The waveform: about a thousand peaks of a steady tone, all at full height.
    let peaks: String = query("SELECT peaks FROM tracks WHERE id = $1")
        .bind(id)
        .scalar_one(&t.db)
        .await
        .expect("peaks");
    let peaks: Vec<u8> = serde_json::from_str(&peaks).expect("json");
    assert!((990..=1010).contains(&peaks.len()), "{}", peaks.len());
    assert!(
        peaks.iter().filter(|p| **p > 200).count() > 950,
        "{peaks:?}"
    );
}

async fn files_that_cannot_be_tracks_are_refused_with_a_reason(t: TestDb) {
    boptone::seed::seed_demo(&t.db).await.expect("seed");
    let state = t.state();
    let nova = t.user_by_handle("nova_reyes").await;
    let count = "SELECT COUNT(*) FROM tracks";
    let before: i64 = query(count).scalar_one(&t.db).await.expect("count");
    let refusal = |err: AppError| err.field_message("audio").map(str::to_owned);

    let photo = service::upload(
        &state,
        nova,
        "Song",
        body(b"\xFF\xD8\xFF\xE0 a photo named song.mp3".to_vec()),
        10 << 20,
    )
    .await
    .expect_err("not audio");
    assert!(
        refusal(photo)
            .expect("message")
            .starts_with("That file isn't audio")
    );
    let empty = service::upload(&state, nova, "Song", body(vec![]), 10 << 20)
        .await
        .expect_err("empty");
    assert_eq!(
        refusal(empty).as_deref(),
        Some("Choose an audio file to upload.")
    );
    let dir = tempfile::tempdir().expect("temp");
    let big = service::upload(
        &state,
        nova,
        "Song",
        body(tone(dir.path(), "t.wav", 2)),
        1000,
    )
    .await
    .expect_err("too big");
    assert!(
        refusal(big)
            .expect("message")
            .starts_with("That file is too big")
    );
    let untitled = service::upload(
        &state,
        nova,
        "  ",
        body(tone(dir.path(), "t.wav", 1)),
        10 << 20,
    )
    .await
    .expect_err("no title");
    assert_eq!(untitled.field_message("title"), Some("Give it a title."));
    let fan = t
        .signed_up_fan(&state, "Listener", "listener@example.com")
        .await;
    let gated = service::upload(
        &state,
        fan.user.id,
        "Song",
        body(tone(dir.path(), "t.wav", 1)),
        10 << 20,
    )
    .await
    .expect_err("a fan");
    assert!(matches!(gated, AppError::Gate { .. }), "{gated:?}");
    let after: i64 = query(count).scalar_one(&t.db).await.expect("count");
    assert_eq!(after, before, "nothing recorded");

    // FLAC by its first bytes, damaged after them: the job tells the artist.
    let mut damaged = b"fLaC\0\0\0\x22".to_vec();
    damaged.extend(std::iter::repeat_n(0x5A, 4096));
    let id = service::upload(&state, nova, "Broken", body(damaged), 10 << 20)
        .await
        .expect("stored");
    t.run_jobs().await;
    let (row_state, failure, stream, _) = track_row(&t, id).await;
    assert_eq!(
        (row_state.as_str(), failure.as_deref(), stream),
        ("failed", Some(transcode::UNREADABLE), None)
    );
}

async fn releases_are_checked_kept_to_their_artist_and_published(t: TestDb) {
    boptone::seed::seed_demo(&t.db).await.expect("seed");
    let db = &t.db;
    let nova = t.user_by_handle("nova_reyes").await;
    let tides = t.user_by_handle("the_low_tides").await;
    let one = ready_track(&t, nova, "One").await;
    let two = ready_track(&t, nova, "Two").await;

    // Every problem at once, by field.
    let mut bad = form(
        "",
        "single",
        "someday",
        &[(one, "One"), (two, ""), (one, "Again"), (two, "x")],
    );
    bad.upc = "036000291453".into();
    bad.tracks[0].isrc = "US-RC1-76-0783".into();
    bad.tracks[0].credits = vec![Credit {
        role: "Producer".into(),
        name: String::new(),
    }];
    let err = service::ReleaseInput::parse(&bad).expect_err("refused");
    let mut got = fields(&err);
    got.sort();
    assert_eq!(
        got,
        [
            "release_date",
            "title",
            "tracks",
            "tracks.0.credits",
            "tracks.0.isrc",
            "tracks.1.title",
            "tracks.2",
            "tracks.3",
            "upc"
        ]
    );

    // A draft is its artist's alone.
    let mut ep = form(
        "Night Trains",
        "ep",
        "2020-05-01",
        &[(two, "Two (Remastered)"), (one, "One")],
    );
    ep.upc = "036000291452".into();
    ep.tracks[1].isrc = "usrc17607839".into();
    ep.tracks[1].credits = vec![Credit {
        role: "Producer".into(),
        name: "Dana Reyes".into(),
    }];
    let input = service::ReleaseInput::parse(&ep).expect("valid");
    let id = service::save_release(db, nova, None, &input)
        .await
        .expect("saved");
    let now = boptone::time::now_ms();
    assert!(matches!(
        service::release_page(db, None, "nova_reyes", "night-trains", now).await,
        Err(AppError::NotFound)
    ));
    let draft = service::release_page(db, Some(nova), "nova_reyes", "night-trains", now)
        .await
        .expect("own draft");
    assert!(!draft.published);
    assert!(
        service::public_releases(db, "nova_reyes")
            .await
            .expect("public")
            .is_empty()
    );
    assert_eq!(
        service::artist_releases(db, nova).await.expect("own").len(),
        1
    );
    let titles: Vec<&str> = draft.tracks.iter().map(|x| x.title.as_str()).collect();
    assert_eq!(titles, ["Two (Remastered)", "One"]);
    assert_eq!(draft.tracks[1].isrc.as_deref(), Some("US-RC1-76-07839"));
    assert_eq!(draft.tracks[1].credits[0].name, "Dana Reyes");
    assert_eq!(draft.upc.as_deref(), Some("036000291452"));

    // Another artist can neither change it nor take its tracks.
    assert!(matches!(
        service::save_release(db, tides, Some(id), &input).await,
        Err(AppError::NotFound)
    ));
    let theirs =
        service::ReleaseInput::parse(&form("Mine", "single", "2020-05-01", &[(one, "One")]))
            .expect("valid");
    assert!(matches!(
        service::save_release(db, tides, None, &theirs).await,
        Err(AppError::NotFound)
    ));
    assert!(matches!(
        service::publish(db, tides, id).await,
        Err(AppError::NotFound)
    ));
    assert!(matches!(
        service::set_artwork(db, tides, id, "x.jpg").await,
        Err(AppError::NotFound)
    ));
    // A track on a release is not on a second one.
    let twice =
        service::ReleaseInput::parse(&form("Again", "single", "2020-05-01", &[(one, "One")]))
            .expect("valid");
    let err = service::save_release(db, nova, None, &twice)
        .await
        .expect_err("taken");
    assert_eq!(
        err.field_message("tracks.0"),
        Some("This track is already on another release.")
    );

    // Publishing needs artwork; then each track and the release are announced once.
    let err = service::publish(db, nova, id)
        .await
        .expect_err("no artwork");
    assert_eq!(fields(&err), ["artwork"]);
    service::set_artwork(db, nova, id, "releases/test/art.jpg")
        .await
        .expect("artwork");
    let events = "SELECT COUNT(*) FROM platform_events WHERE name = $1";
    let state = t.state();
    let fan = t
        .signed_up_fan(&state, "Follower", "follower@example.com")
        .await
        .user
        .id;
    boptone::fans::service::follow(db, fan, "nova_reyes")
        .await
        .expect("follow");
    service::publish(db, nova, id).await.expect("published");
    service::publish(db, nova, id)
        .await
        .expect("again: nothing changes");
    for (name, expected) in [("track.published", 2), ("release.published", 1)] {
        let n: i64 = query(events)
            .bind(name)
            .scalar_one(db)
            .await
            .expect("count");
        assert_eq!(n, expected, "{name}");
    }
    // Followers hear of it, once.
    t.run_jobs().await;
    let notes: Vec<_> = boptone::notifications::service::list(db, fan, 20)
        .await
        .expect("list")
        .into_iter()
        .filter(|n| n.kind == "release.published")
        .collect();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].title, "Nova Reyes released “Night Trains”");
    assert_eq!(
        notes[0].link.as_deref(),
        Some("/@nova_reyes/releases/night-trains")
    );
    let public = service::release_page(db, None, "@Nova_Reyes", "night-trains", now)
        .await
        .expect("published");
    assert!(public.published && public.out);
    assert!(public.tracks.iter().all(|x| x.stream_url.is_some()));
    assert_eq!(
        public.artwork_url.as_deref(),
        Some("/media/releases/test/art.jpg")
    );

    // A release whose day has not come is a pre-release: seen, not played, except by
    // its artist. The same title gets its own address.
    let three = ready_track(&t, nova, "Three").await;
    let later = service::ReleaseInput::parse(&form(
        "Night Trains",
        "single",
        "2999-01-01",
        &[(three, "Three")],
    ))
    .expect("valid");
    let later_id = service::save_release(db, nova, None, &later)
        .await
        .expect("saved");
    service::set_artwork(db, nova, later_id, "releases/test/art2.jpg")
        .await
        .expect("artwork");
    service::publish(db, nova, later_id)
        .await
        .expect("published");
    let pre = service::release_page(db, None, "nova_reyes", "night-trains-2", now)
        .await
        .expect("pre-release");
    assert!(pre.published && !pre.out);
    assert_eq!(pre.tracks[0].stream_url, None);
    // Listed on the profile, not yet among new releases.
    assert_eq!(
        service::public_releases(db, "nova_reyes")
            .await
            .expect("public")
            .len(),
        2
    );
    assert_eq!(
        service::new_releases(db, now, 10).await.expect("new").len(),
        1
    );
    let own = service::release_page(db, Some(nova), "nova_reyes", "night-trains-2", now)
        .await
        .expect("own");
    assert!(own.tracks[0].stream_url.is_some());
}

both_databases!(
    an_uploaded_track_gets_a_stream_and_a_waveform,
    files_that_cannot_be_tracks_are_refused_with_a_reason,
    releases_are_checked_kept_to_their_artist_and_published
);
