//! The transcode job: probes an uploaded Bop with ffprobe, makes its HLS renditions in
//! one ffmpeg process (progress shown to the artist) and its poster, stores them, and
//! publishes the Bop. A video that cannot be a Bop (unreadable, too long) fails at once
//! with a reason for the artist; anything else is retried by the queue, and the last
//! failure is told.

use std::{
    path::{Path, PathBuf},
    process::Stdio,
};

use anyhow::Context as _;
use async_trait::async_trait;
use futures::TryStreamExt;
use serde::{Deserialize, Serialize};
use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    process::Command,
};

use super::{
    service::{self, Original},
    video::{Probe, hls_args, parse_probe, poster_args, renditions},
};
use crate::{
    jobs::worker::{Job, JobContext},
    media::Storage,
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
        let outcome = tokio::time::timeout(TIME_LIMIT, process(state, &bop))
            .await
            .unwrap_or_else(|_| {
                Err(Outcome::Failed(anyhow::anyhow!(
                    "the transcode took too long"
                )))
            });
        match outcome {
            Ok(()) => Ok(()),
            Err(Outcome::Refused(reason)) => {
                service::mark_failed(&state.db, bop.id, &reason).await?;
                Ok(())
            }
            Err(Outcome::Failed(err)) if bop.attempts >= i64::from(Self::MAX_ATTEMPTS) => {
                tracing::warn!(bop = bop.id, error = %err, "transcode failed for good");
                service::mark_failed(&state.db, bop.id, GAVE_UP).await?;
                Ok(())
            }
            Err(Outcome::Failed(err)) => Err(err),
        }
    }
}

enum Outcome {
    /// The video cannot be a Bop: the artist is told why, no retry.
    Refused(String),
    /// Something of ours failed: retried.
    Failed(anyhow::Error),
}

impl From<anyhow::Error> for Outcome {
    fn from(err: anyhow::Error) -> Self {
        Self::Failed(err)
    }
}

impl From<crate::AppError> for Outcome {
    fn from(err: crate::AppError) -> Self {
        Self::Failed(anyhow::anyhow!(err.to_string()))
    }
}

async fn process(state: &AppState, bop: &Original) -> Result<(), Outcome> {
    let work = tempfile::tempdir().context("a work folder")?;
    let input = work.path().join("original");
    download(&state.storage, &bop.original_key, &input).await?;
    let probe = probe(&input).await?;
    service::check_probe(&probe).map_err(Outcome::Refused)?;
    let out = work.path().join("hls");
    let plan = renditions(probe.width, probe.height);
    let args = hls_args(&input, &out, &plan, probe.has_audio);
    run_ffmpeg_with_progress(state, bop.id, &args, probe.duration_ms).await?;
    let poster = out.join("poster.webp");
    run(
        "ffmpeg",
        &poster_args(&input, &poster, probe.duration_ms, probe.width),
    )
    .await?;
    // A folder per attempt: stored keys are never rewritten, so they cache for good.
    let public_key = bop
        .original_key
        .strip_prefix(service::PRIVATE)
        .unwrap_or(&bop.original_key);
    let folder = public_key
        .rsplit_once('/')
        .map_or(public_key, |(dir, _)| dir);
    let prefix = format!("{folder}/a{}", bop.attempts);
    for file in files_under(&out)? {
        let relative = file
            .strip_prefix(&out)
            .context("an output file")?
            .to_string_lossy()
            .replace('\\', "/");
        store_file(&state.storage, &format!("{prefix}/{relative}"), &file).await?;
    }
    service::mark_ready(
        &state.db,
        bop,
        &probe,
        &format!("{prefix}/master.m3u8"),
        &format!("{prefix}/poster.webp"),
    )
    .await?;
    Ok(())
}

/// Copies a stored blob to a local file, as a stream.
async fn download(storage: &Storage, key: &str, to: &Path) -> Result<(), Outcome> {
    let blob = storage
        .open(key, None)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the original {key} is missing"))?;
    let mut file = tokio::fs::File::create(to).await.context("a work file")?;
    let mut stream = blob.stream;
    while let Some(chunk) = stream.try_next().await? {
        file.write_all(&chunk)
            .await
            .context("writing the original")?;
    }
    file.flush().await.context("writing the original")?;
    Ok(())
}

/// ffprobe's reading of `input`; refused for the artist when it is not a usable video.
async fn probe(input: &Path) -> Result<Probe, Outcome> {
    let output = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-print_format",
            "json",
            "-show_format",
            "-show_streams",
        ])
        .arg(input)
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .output()
        .await
        .context("running ffprobe (install ffmpeg)")?;
    let json = String::from_utf8_lossy(&output.stdout);
    match parse_probe(&json) {
        Some(probe) if output.status.success() => Ok(probe),
        _ => Err(Outcome::Refused(
            "We couldn't read this video: the file may be damaged. Export it again and upload it."
                .into(),
        )),
    }
}

/// Runs ffmpeg, reporting its progress against `duration_ms` to the Bop.
async fn run_ffmpeg_with_progress(
    state: &AppState,
    bop: i64,
    args: &[String],
    duration_ms: i64,
) -> Result<(), Outcome> {
    let mut child = Command::new("ffmpeg")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .context("running ffmpeg (install ffmpeg)")?;
    let stderr = child.stderr.take().context("ffmpeg's errors")?;
    let errors = tokio::spawn(async move {
        let mut text = String::new();
        let mut lines = BufReader::new(stderr).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            if text.len() < 4000 {
                text.push_str(&line);
                text.push('\n');
            }
        }
        text
    });
    let stdout = child.stdout.take().context("ffmpeg's progress")?;
    let mut lines = BufReader::new(stdout).lines();
    let mut shown = 0;
    while let Some(line) = lines
        .next_line()
        .await
        .context("reading ffmpeg's progress")?
    {
        // `out_time_us` (microseconds of output written so far).
        let Some(micros) = line
            .strip_prefix("out_time_us=")
            .and_then(|v| v.trim().parse::<i64>().ok())
        else {
            continue;
        };
        let percent = (micros / 1000 * 100 / duration_ms.max(1)).clamp(0, 99);
        if percent >= shown + 5 {
            shown = percent;
            service::set_progress(&state.db, bop, percent).await?;
        }
    }
    let status = child.wait().await.context("waiting for ffmpeg")?;
    let errors = errors.await.unwrap_or_default();
    if !status.success() {
        return Err(Outcome::Failed(anyhow::anyhow!(
            "ffmpeg failed ({status}): {errors}"
        )));
    }
    Ok(())
}

/// Runs `program` to completion; its error output is the error.
async fn run(program: &str, args: &[String]) -> Result<(), Outcome> {
    let output = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .output()
        .await
        .with_context(|| format!("running {program}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(Outcome::Failed(anyhow::anyhow!(
            "{program} failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        )))
    }
}

/// Every file under `dir`, in a stable order.
fn files_under(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in
            std::fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))?
        {
            let path = entry?.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// Stores a local file under `key`, as a stream.
async fn store_file(storage: &Storage, key: &str, path: &Path) -> Result<(), Outcome> {
    let file = tokio::fs::File::open(path)
        .await
        .context("an output file")?;
    let size = file.metadata().await.context("an output file")?.len();
    storage
        .put_stream(key, tokio_util::io::ReaderStream::new(file), size, |_| {
            Ok(())
        })
        .await
        .map_err(|e| Outcome::Failed(anyhow::anyhow!("storing {key}: {e:?}")))?;
    Ok(())
}
