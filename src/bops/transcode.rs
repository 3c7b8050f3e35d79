//! The transcode job: probes an uploaded Bop with ffprobe, makes its HLS renditions in
//! one ffmpeg process (progress shown to the artist), copies one into a progressive
//! MP4, makes its poster, stores them, and publishes the Bop. A video that cannot be a Bop (unreadable, too long) fails at once
//! with a reason for the artist; anything else is retried by the queue, and the last
//! failure is told.

use anyhow::Context as _;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::{
    service::{self, Original},
    video::{hls_args, mp4_args, mp4_rendition, parse_probe, poster_args, renditions},
};
use crate::{
    jobs::worker::{Job, JobContext},
    media::work::{self, Outcome},
    state::AppState,
};

/// Makes a Bop playable (queued by its upload).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Transcode {
    pub bop_id: i64,
}

/// The most one attempt may take (the job's lease is five minutes).
const TIME_LIMIT: std::time::Duration = std::time::Duration::from_secs(240);

/// What the artist reads when every attempt failed for a reason of ours.
pub const GAVE_UP: &str =
    "We couldn't process this video. Try uploading it again, or export it as an MP4 first.";

#[async_trait]
impl Job for Transcode {
    const KIND: &'static str = "bops.transcode";
    const MAX_ATTEMPTS: i32 = 3;

    async fn run(self, ctx: &JobContext) -> anyhow::Result<()> {
        let state = &ctx.state;
        let Some(bop) = service::start_attempt(&state.db, self.bop_id).await? else {
            return Ok(());
        };
        // Ends well inside the job's lease, so a slow transcode is an error the queue
        // retries (and then tells) rather than a job that never finishes.
        let id = bop.id;
        work::settle_attempt(
            &format!("the transcode of Bop {id}"),
            bop.attempts,
            Self::MAX_ATTEMPTS,
            TIME_LIMIT,
            process(state, &bop),
            GAVE_UP,
            |reason| async move { service::mark_failed(&state.db, id, &reason).await },
        )
        .await
    }
}

async fn process(state: &AppState, bop: &Original) -> Result<(), Outcome> {
    let dir = tempfile::tempdir().context("a work folder")?;
    let input = dir.path().join("original");
    work::download(&state.storage, &bop.original_key, &input).await?;
    let probe = work::ffprobe_json(&input)
        .await?
        .as_deref()
        .and_then(parse_probe)
        .ok_or_else(|| {
            Outcome::Refused(
                "We couldn't read this video: the file may be damaged. Export it again and upload it."
                    .into(),
            )
        })?;
    service::check_probe(&probe).map_err(Outcome::Refused)?;
    let out = dir.path().join("hls");
    let plan = renditions(probe.width, probe.height);
    let args = hls_args(&input, &out, &plan, probe.has_audio);
    let db = state.db.clone();
    let id = bop.id;
    work::ffmpeg_with_progress(&args, probe.duration_ms, |p| {
        let db = db.clone();
        async move { service::set_progress(&db, id, p).await }
    })
    .await?;
    // The progressive MP4: one rendition's segments copied into one file.
    let rendition = out
        .join(format!("v{}", mp4_rendition(&plan)))
        .join("index.m3u8");
    work::run("ffmpeg", &mp4_args(&rendition, &out.join("video.mp4"))).await?;
    let poster = out.join("poster.webp");
    work::run(
        "ffmpeg",
        &poster_args(&input, &poster, probe.duration_ms, probe.width),
    )
    .await?;
    // A folder per attempt: stored keys are never rewritten, so they cache for good.
    let prefix = work::output_prefix(&bop.original_key, bop.attempts);
    for file in work::files_under(&out)? {
        let relative = file
            .strip_prefix(&out)
            .context("an output file")?
            .to_string_lossy()
            .replace('\\', "/");
        work::store_file(&state.storage, &format!("{prefix}/{relative}"), &file).await?;
    }
    let keys = service::OutputKeys {
        playlist: format!("{prefix}/master.m3u8"),
        poster: format!("{prefix}/poster.webp"),
        mp4: format!("{prefix}/video.mp4"),
    };
    service::mark_ready(&state.db, bop, &probe, &keys).await?;
    Ok(())
}
