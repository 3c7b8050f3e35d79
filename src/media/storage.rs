//! Where blobs live, behind `object_store`: a local directory by default, S3 in
//! production. Blobs move as streams: an upload is written as it arrives (a multipart
//! upload, one part in memory at a time) and refused the moment it passes its cap; a
//! read streams the bytes asked for.

use std::{ops::Range, path::Path, sync::Arc};

use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures::{Stream, StreamExt, TryStreamExt, stream::BoxStream};
use object_store::{
    GetOptions, GetRange, ObjectStore, ObjectStoreExt, PutPayload, WriteMultipart,
    local::LocalFileSystem, memory::InMemory, path::Path as ObjectPath,
};

use crate::error::AppError;

/// The size of one part of a streamed upload (S3's minimum is 5 MiB), and so about
/// the memory one upload holds.
const PART_BYTES: usize = 5 * 1024 * 1024;
/// Parts of one upload in flight at once.
const PARTS_IN_FLIGHT: usize = 2;
/// How much of an upload's start its check sees (enough for any file signature).
pub const SNIFF_BYTES: usize = 64;

/// Where blobs live, behind `object_store`.
#[derive(Clone)]
pub struct Storage {
    store: Arc<dyn ObjectStore>,
}

impl std::fmt::Debug for Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Storage({})", self.store)
    }
}

impl Storage {
    /// `file:///abs/dir` or a plain path (a local directory, created if missing),
    /// `s3://bucket/prefix` (credentials, region and endpoint from the usual `AWS_*`
    /// variables, or as query parameters named like object_store's S3 options:
    /// `?endpoint=http://127.0.0.1:9000&allow_http=true&region=…`), or `memory://`.
    pub fn from_url(url: &str) -> Result<Self, String> {
        let store: Arc<dyn ObjectStore> = if url == "memory://" {
            Arc::new(InMemory::new())
        } else if url.starts_with("s3://") {
            crate::state::install_tls_provider();
            let (location, query) = url.split_once('?').unwrap_or((url, ""));
            // `s3://bucket/some/prefix`: object_store reads only the bucket from the URL.
            let rest = location.trim_start_matches("s3://");
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            let prefix = prefix.trim_matches('/').to_owned();
            let mut builder =
                object_store::aws::AmazonS3Builder::from_env().with_url(format!("s3://{bucket}"));
            for pair in query.split('&').filter(|p| !p.is_empty()) {
                let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                let key: object_store::aws::AmazonS3ConfigKey = key
                    .parse()
                    .map_err(|e| format!("S3 option {key} in STORAGE_URL: {e}"))?;
                builder = builder.with_config(key, value);
            }
            let s3 = builder
                .build()
                .map_err(|e| format!("S3 storage at {location}: {e}"))?;
            if prefix.is_empty() {
                Arc::new(s3)
            } else {
                Arc::new(object_store::prefix::PrefixStore::new(s3, prefix))
            }
        } else {
            let dir = url.strip_prefix("file://").unwrap_or(url);
            std::fs::create_dir_all(dir).map_err(|e| format!("storage directory {dir}: {e}"))?;
            let fs = LocalFileSystem::new_with_prefix(Path::new(dir))
                .map_err(|e| format!("storage directory {dir}: {e}"))?;
            Arc::new(fs)
        };
        Ok(Self { store })
    }

    pub fn in_memory() -> Self {
        Self {
            store: Arc::new(InMemory::new()),
        }
    }

    pub async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), AppError> {
        let path = ObjectPath::parse(key).map_err(|e| AppError::internal("storage key", &e))?;
        self.store
            .put(&path, PutPayload::from(bytes))
            .await
            .map_err(|e| AppError::internal("storing a blob", &e))?;
        Ok(())
    }

    /// Deletes the blob under `key` (nothing if there is none).
    pub async fn delete(&self, key: &str) -> Result<(), AppError> {
        let path = ObjectPath::parse(key).map_err(|e| AppError::internal("storage key", &e))?;
        match self.store.delete(&path).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(AppError::internal("deleting a blob", &e)),
        }
    }

    /// A blob's bytes, or `None` if there is none under `key`.
    pub async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, AppError> {
        let Ok(path) = ObjectPath::parse(key) else {
            return Ok(None);
        };
        match self.store.get(&path).await {
            Ok(result) => {
                let bytes = result
                    .bytes()
                    .await
                    .map_err(|e| AppError::internal("reading a blob", &e))?;
                Ok(Some(bytes.to_vec()))
            }
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(AppError::internal("reading a blob", &e)),
        }
    }
}

/// What is known of a stored blob without reading it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobMeta {
    pub size: u64,
    pub last_modified: DateTime<Utc>,
    /// The store's entity tag, quoted for HTTP.
    pub e_tag: Option<String>,
}

/// Some bytes of a blob, as a stream.
pub struct Blob {
    pub meta: BlobMeta,
    /// The bytes `stream` yields (the whole blob unless a range was asked for).
    pub range: Range<u64>,
    pub stream: BoxStream<'static, Result<Bytes, AppError>>,
}

/// Why a streamed upload was not stored. Nothing of it is kept in any case.
#[derive(Debug)]
pub enum UploadError {
    /// It passed its cap.
    TooLarge,
    /// Its first bytes were refused by the upload's check.
    Refused(AppError),
    /// The sender stopped before the end (a cut connection).
    CutOff(String),
    /// Storage failed.
    Failed(AppError),
}

impl UploadError {
    /// What the uploader reads: `too_big` past the cap, the check's own refusal, a
    /// plain sentence (on `field`) for a cut connection.
    pub fn refusal(self, field: &str, too_big: AppError) -> AppError {
        match self {
            Self::TooLarge => too_big,
            Self::Refused(err) | Self::Failed(err) => err,
            Self::CutOff(_) => AppError::field(
                field,
                "The upload stopped before the end. Try again on a steadier connection.",
            ),
        }
    }
}

fn key_path(key: &str) -> Result<ObjectPath, AppError> {
    ObjectPath::parse(key).map_err(|e| AppError::internal("storage key", &e))
}

fn meta_of(meta: &object_store::ObjectMeta) -> BlobMeta {
    BlobMeta {
        size: meta.size,
        last_modified: meta.last_modified,
        e_tag: meta.e_tag.as_ref().map(|tag| {
            if tag.starts_with('"') || tag.starts_with("W/") {
                tag.clone()
            } else {
                format!("\"{tag}\"")
            }
        }),
    }
}

impl Storage {
    /// What is stored under `key`, or `None`.
    pub async fn head(&self, key: &str) -> Result<Option<BlobMeta>, AppError> {
        let Ok(path) = ObjectPath::parse(key) else {
            return Ok(None);
        };
        match self.store.head(&path).await {
            Ok(meta) => Ok(Some(meta_of(&meta))),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(AppError::internal("reading a blob's metadata", &e)),
        }
    }

    /// Streams the blob under `key`, or the bytes `range` of it (which must lie inside
    /// it: see [`super::byte_range`]); `None` if there is no such blob.
    pub async fn open(
        &self,
        key: &str,
        range: Option<Range<u64>>,
    ) -> Result<Option<Blob>, AppError> {
        let Ok(path) = ObjectPath::parse(key) else {
            return Ok(None);
        };
        let options = GetOptions {
            range: range.map(GetRange::Bounded),
            ..GetOptions::default()
        };
        match self.store.get_opts(&path, options).await {
            Ok(result) => Ok(Some(Blob {
                meta: meta_of(&result.meta),
                range: result.range.clone(),
                stream: result
                    .into_stream()
                    .map_err(|e| AppError::internal("reading a blob", &e))
                    .boxed(),
            })),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(AppError::internal("reading a blob", &e)),
        }
    }

    /// Stores `body` under `key` as it arrives, holding about one part in memory. The
    /// first bytes (up to [`SNIFF_BYTES`]) go to `check` before anything is written;
    /// passing `max_bytes` ends the upload at once. On any failure nothing is kept.
    /// Returns the size stored.
    pub async fn put_stream<S, E>(
        &self,
        key: &str,
        body: S,
        max_bytes: u64,
        check: impl FnOnce(&[u8]) -> Result<(), AppError>,
    ) -> Result<u64, UploadError>
    where
        S: Stream<Item = Result<Bytes, E>> + Send,
        E: std::fmt::Display,
    {
        let path = key_path(key).map_err(UploadError::Failed)?;
        let mut body = std::pin::pin!(body);
        // The first bytes, checked before storage is touched.
        let mut start = Vec::with_capacity(SNIFF_BYTES);
        let mut pending: Vec<Bytes> = Vec::new();
        let mut ended = false;
        while start.len() < SNIFF_BYTES {
            match body.next().await {
                Some(Ok(chunk)) => {
                    let take = chunk.len().min(SNIFF_BYTES - start.len());
                    start.extend_from_slice(&chunk[..take]);
                    pending.push(chunk);
                }
                Some(Err(e)) => return Err(UploadError::CutOff(e.to_string())),
                None => {
                    ended = true;
                    break;
                }
            }
        }
        check(&start).map_err(UploadError::Refused)?;
        let upload = self
            .store
            .put_multipart(&path)
            .await
            .map_err(|e| UploadError::Failed(AppError::internal("starting an upload", &e)))?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, PART_BYTES);
        let mut size: u64 = 0;
        let outcome = async {
            let mut next = pending
                .into_iter()
                .map(Ok::<_, E>)
                .collect::<Vec<_>>()
                .into_iter();
            loop {
                let chunk = match next.next() {
                    Some(chunk) => chunk,
                    None if ended => break,
                    None => match body.next().await {
                        Some(chunk) => chunk,
                        None => break,
                    },
                };
                let chunk = chunk.map_err(|e| UploadError::CutOff(e.to_string()))?;
                size += chunk.len() as u64;
                if size > max_bytes {
                    return Err(UploadError::TooLarge);
                }
                writer
                    .wait_for_capacity(PARTS_IN_FLIGHT)
                    .await
                    .map_err(|e| UploadError::Failed(AppError::internal("uploading a part", &e)))?;
                writer.put(chunk);
            }
            Ok(())
        }
        .await;
        match outcome {
            Ok(()) => {
                writer.finish().await.map_err(|e| {
                    UploadError::Failed(AppError::internal("finishing an upload", &e))
                })?;
                Ok(size)
            }
            Err(err) => {
                if let Err(e) = writer.abort().await {
                    tracing::warn!(error = %e, key, "could not abort an upload");
                }
                Err(err)
            }
        }
    }
}
