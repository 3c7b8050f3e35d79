//! The processing job of an uploaded track: probes it with ffprobe, makes the AAC
//! stream (progress shown to the artist), computes the waveform from the decoded
//! samples as they stream out of ffmpeg, stores the stream and marks the track ready.
//! A file that cannot be a track (not audio, too long, damaged) fails at once with a
//! reason for the artist; anything else is retried by the queue, and the last failure
//! is told.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tokio::io::AsyncReadExt;

use super::{
    audio::{Peaks, parse_probe, peak_args, stream_args},
    service::{self, Original},
};
use crate::{
    jobs::worker::{Job, JobContext},
    media::work::{self, Outcome},
    state::AppState,
};

/// Makes a track playable (queued by its upload).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProcessTrack {
    pub track_id: i64,
}

/// The most one attempt may take (the job's lease is five minutes).
const TIME_LIMIT: std::time::Duration = std::time::Duration::from_secs(240);

/// What the artist reads when every attempt failed for a reason of ours.
pub const GAVE_UP: &str =
    "We couldn't process this file. Try uploading it again, or export it as WAV or FLAC first.";

/// What the artist reads when ffprobe cannot read the file.
pub const UNREADABLE: &str =
    "We couldn't read this file as audio: it may be damaged. Export it again and upload it.";

#[async_trait]
impl Job for ProcessTrack {
    const KIND: &'static str = "music.process_track";
    const MAX_ATTEMPTS: i32 = 3;

    async fn run(self, ctx: &JobContext) -> anyhow::Result<()> {
        let state = &ctx.state;
        let Some(track) = service::start_attempt(&state.db, self.track_id).await? else {
            return Ok(());
        };
        let id = track.id;
        work::settle_attempt(
            &format!("processing track {id}"),
            track.attempts,
            Self::MAX_ATTEMPTS,
            TIME_LIMIT,
            process(state, &track),
            GAVE_UP,
            |reason| async move { service::mark_failed(&state.db, id, &reason).await },
        )
        .await
    }
}

async fn process(state: &AppState, track: &Original) -> Result<(), Outcome> {
    let dir = tempfile::tempdir().map_err(|e| Outcome::Failed(e.into()))?;
    let input = dir.path().join("original");
    work::download(&state.storage, &track.original_key, &input).await?;
    let probe = work::ffprobe_json(&input)
        .await?
        .as_deref()
        .and_then(parse_probe)
        .ok_or_else(|| Outcome::Refused(UNREADABLE.into()))?;
    service::check_probe(&probe).map_err(Outcome::Refused)?;
    let stream = dir.path().join("stream.m4a");
    let db = state.db.clone();
    let id = track.id;
    work::ffmpeg_with_progress(
        &stream_args(&input, &stream, &probe),
        probe.duration_ms,
        |p| {
            let db = db.clone();
            async move { service::set_progress(&db, id, p).await }
        },
    )
    .await?;
    let duration_ms = probe.duration_ms;
    let peaks = work::ffmpeg_reading(&peak_args(&input), |mut out| async move {
        let mut peaks = Peaks::for_duration(duration_ms);
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = out.read(&mut buf).await?;
            if n == 0 {
                break;
            }
            peaks.feed(&buf[..n]);
        }
        Ok(peaks.finish())
    })
    .await?;
    let key = format!(
        "{}/stream.m4a",
        work::output_prefix(&track.original_key, track.attempts)
    );
    work::store_file(&state.storage, &key, &stream).await?;
    service::mark_ready(&state.db, track.id, &probe, &key, &peaks).await?;
    Ok(())
}
