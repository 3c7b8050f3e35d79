//! The steps media jobs share (Bops' transcode, tracks' processing): the original
//! copied to a work file as a stream, ffprobe and ffmpeg run with their errors kept
//! (and ffmpeg's progress reported), and the outputs stored as streams.

use std::{
    path::{Path, PathBuf},
    process::Stdio,
};

use anyhow::Context as _;
use futures::TryStreamExt;
use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    process::Command,
};

use super::Storage;

/// How a media job's attempt ended badly.
pub enum Outcome {
    /// The file cannot be used: the artist is told why, no retry.
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

/// Runs one attempt of a media job within `limit`, and settles it: a file that cannot
/// be used is told to the artist at once (`mark_failed` with the reason); a failure of
/// ours is retried by the queue (the error is returned), and told as `gave_up` after
/// the last of `max_attempts`.
pub async fn settle_attempt<M, MFut>(
    what: &str,
    attempt: i64,
    max_attempts: i32,
    limit: std::time::Duration,
    work: impl Future<Output = Result<(), Outcome>>,
    gave_up: &str,
    mark_failed: M,
) -> anyhow::Result<()>
where
    M: FnOnce(String) -> MFut,
    MFut: Future<Output = Result<(), crate::AppError>>,
{
    let outcome = tokio::time::timeout(limit, work)
        .await
        .unwrap_or_else(|_| Err(Outcome::Failed(anyhow::anyhow!("{what} took too long"))));
    match outcome {
        Ok(()) => Ok(()),
        Err(Outcome::Refused(reason)) => Ok(mark_failed(reason).await?),
        Err(Outcome::Failed(err)) if attempt >= i64::from(max_attempts) => {
            tracing::warn!(error = %err, "{what} failed for good");
            Ok(mark_failed(gave_up.to_owned()).await?)
        }
        Err(Outcome::Failed(err)) => Err(err),
    }
}

/// Copies a stored blob to a local file, as a stream.
pub async fn download(storage: &Storage, key: &str, to: &Path) -> Result<(), Outcome> {
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

/// ffprobe's JSON reading of `input` (format and streams), or `None` when ffprobe
/// cannot read it.
pub async fn ffprobe_json(input: &Path) -> Result<Option<String>, Outcome> {
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
    Ok(output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned()))
}

/// Runs ffmpeg with `args` (which must include `-progress pipe:1`), telling
/// `on_progress` the percent done against `duration_ms`, in steps of five.
pub async fn ffmpeg_with_progress<F, Fut>(
    args: &[String],
    duration_ms: i64,
    mut on_progress: F,
) -> Result<(), Outcome>
where
    F: FnMut(i64) -> Fut,
    Fut: Future<Output = Result<(), crate::AppError>>,
{
    let mut child = Command::new("ffmpeg")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .context("running ffmpeg (install ffmpeg)")?;
    let errors = keep_errors(child.stderr.take().context("ffmpeg's errors")?);
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
            on_progress(percent).await?;
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

/// The first 4,000 bytes of a child's error output, read as it comes.
fn keep_errors(stderr: tokio::process::ChildStderr) -> tokio::task::JoinHandle<String> {
    tokio::spawn(async move {
        let mut text = String::new();
        let mut lines = BufReader::new(stderr).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            if text.len() < 4000 {
                text.push_str(&line);
                text.push('\n');
            }
        }
        text
    })
}

/// Runs ffmpeg with `args` (writing raw samples to stdout) and hands its output to
/// `read` as it comes: decoded audio is never held whole.
pub async fn ffmpeg_reading<T, F, Fut>(args: &[String], read: F) -> Result<T, Outcome>
where
    F: FnOnce(tokio::process::ChildStdout) -> Fut,
    Fut: Future<Output = std::io::Result<T>>,
{
    let mut child = Command::new("ffmpeg")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .context("running ffmpeg (install ffmpeg)")?;
    let errors = keep_errors(child.stderr.take().context("ffmpeg's errors")?);
    let stdout = child.stdout.take().context("ffmpeg's output")?;
    let value = read(stdout).await.context("reading ffmpeg's output")?;
    let status = child.wait().await.context("waiting for ffmpeg")?;
    let errors = errors.await.unwrap_or_default();
    if !status.success() {
        return Err(Outcome::Failed(anyhow::anyhow!(
            "ffmpeg failed ({status}): {errors}"
        )));
    }
    Ok(value)
}

/// Runs `program` to completion; its error output is the error.
pub async fn run(program: &str, args: &[String]) -> Result<(), Outcome> {
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
pub fn files_under(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
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
pub async fn store_file(storage: &Storage, key: &str, path: &Path) -> Result<(), Outcome> {
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

/// The key of the folder beside a private original: `private/x/y/original` → `x/y`,
/// where the processed files of attempt `attempt` go (`x/y/a{attempt}`). Stored keys
/// are never rewritten, so they cache for good.
pub fn output_prefix(original_key: &str, attempt: i64) -> String {
    let public_key = original_key
        .strip_prefix(super::PRIVATE_PREFIX)
        .unwrap_or(original_key);
    let folder = public_key
        .rsplit_once('/')
        .map_or(public_key, |(dir, _)| dir);
    format!("{folder}/a{attempt}")
}
