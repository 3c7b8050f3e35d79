//! Media: blobs in object storage (a local directory by default, S3 in production)
//! and image processing for uploads. Uploads are checked by their content, never by
//! their name or declared type.

use std::{io::Cursor, sync::Arc};

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits, imageops::FilterType};
use sha2::{Digest, Sha256};

use crate::{accounts::UserId, db::Db, error::AppError};

/// Keys under this prefix are stored but never served by `/media` (originals).
pub const PRIVATE_PREFIX: &str = "private/";

mod range;
mod storage;
pub mod work;

pub use range::{ByteRange, byte_range};
pub use storage::{Blob, BlobMeta, SNIFF_BYTES, Storage, UploadError};

pub use crate::artists::PHOTO_MAX_BYTES;
/// Profile photos are stored square, this many pixels a side.
pub const PHOTO_SIZE: u32 = 512;

/// An image format we accept, recognised from the file's first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageKind {
    Jpeg,
    Png,
    Webp,
}

impl ImageKind {
    /// Recognises JPEG, PNG and WebP by their signatures; anything else is `None`,
    /// whatever its name says.
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Self::Jpeg)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Self::Png)
        } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            Some(Self::Webp)
        } else {
            None
        }
    }

    fn format(self) -> ImageFormat {
        match self {
            Self::Jpeg => ImageFormat::Jpeg,
            Self::Png => ImageFormat::Png,
            Self::Webp => ImageFormat::WebP,
        }
    }
}

/// The content type of a stored blob, from its key's extension.
pub fn content_type(key: &str) -> &'static str {
    match key.rsplit('.').next() {
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("png") => "image/png",
        Some("webp") => "image/webp",
        Some("svg") => "image/svg+xml",
        Some("mp4") => "video/mp4",
        Some("mov") => "video/quicktime",
        Some("webm") => "video/webm",
        Some("m4s") => "video/iso.segment",
        Some("m3u8") => "application/vnd.apple.mpegurl",
        Some("m4a") => "audio/mp4",
        Some("mp3") => "audio/mpeg",
        Some("flac") => "audio/flac",
        Some("wav") => "audio/wav",
        Some("ogg" | "opus") => "audio/ogg",
        _ => "application/octet-stream",
    }
}

/// The most pixels a photo may declare (a 24-megapixel camera's; 6000×4000). Checked
/// from the header before anything is decoded: a small file can declare a huge image.
pub const PHOTO_MAX_PIXELS: u64 = 24_000_000;
/// The most memory one decode may allocate (a 24-megapixel RGBA image and room to
/// spare); the decoder refuses beyond it.
pub const PHOTO_MAX_ALLOC: u64 = 128 * 1024 * 1024;
/// Photos decoded at once by this process; more wait their turn, so a burst of
/// uploads costs at most this many decodes' memory.
const PHOTO_DECODES_AT_ONCE: usize = 2;

/// A square image an upload becomes: where its messages go, what they call it, and
/// its side in pixels.
#[derive(Debug)]
pub struct SquareImage {
    /// The form field its refusals are shown beside.
    pub field: &'static str,
    /// "photo", "image": what the messages call it.
    pub noun: &'static str,
    /// With its article: "a photo", "an image".
    pub a_noun: &'static str,
    pub size: u32,
}

/// Artists' profile photos.
pub const PROFILE_PHOTO: SquareImage = SquareImage {
    field: "photo",
    noun: "photo",
    a_noun: "a photo",
    size: PHOTO_SIZE,
};

/// Release artwork: square, large enough for a full-screen player.
pub const ARTWORK: SquareImage = SquareImage {
    field: "artwork",
    noun: "image",
    a_noun: "an image",
    size: 1200,
};

/// Turns an uploaded photo into a 512×512 JPEG (see [`square_jpeg`]).
pub fn profile_photo(bytes: &[u8]) -> Result<Vec<u8>, AppError> {
    square_jpeg(bytes, &PROFILE_PHOTO)
}

/// Turns an uploaded image into a square JPEG of `spec.size`: checked by content and
/// size, its declared dimensions checked against a pixel budget before decoding,
/// decoded with memory limits, turned upright (EXIF orientation), centre-cropped and
/// resized.
pub fn square_jpeg(bytes: &[u8], spec: &SquareImage) -> Result<Vec<u8>, AppError> {
    let SquareImage {
        field,
        noun,
        a_noun,
        size,
    } = *spec;
    if bytes.len() > PHOTO_MAX_BYTES {
        return Err(AppError::field(
            field,
            format!(
                "That {noun} is too large. Choose one under {} MB.",
                PHOTO_MAX_BYTES / 1024 / 1024
            ),
        ));
    }
    let kind = ImageKind::sniff(bytes).ok_or_else(|| {
        AppError::field(
            field,
            format!("That file isn't {a_noun} we can use. Choose a JPEG, PNG or WebP image."),
        )
    })?;
    let unreadable = || {
        AppError::field(
            field,
            format!("We couldn't read that image. Try another {noun}."),
        )
    };
    let (width, height) = ImageReader::with_format(Cursor::new(bytes), kind.format())
        .into_dimensions()
        .map_err(|_| unreadable())?;
    if u64::from(width) * u64::from(height) > PHOTO_MAX_PIXELS {
        return Err(AppError::field(
            field,
            format!(
                "That {noun} is too big ({width}×{height} pixels). Choose one of at most {} megapixels.",
                PHOTO_MAX_PIXELS / 1_000_000
            ),
        ));
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), kind.format());
    let mut limits = Limits::default();
    limits.max_image_width = Some(12_000);
    limits.max_image_height = Some(12_000);
    limits.max_alloc = Some(PHOTO_MAX_ALLOC);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|_| unreadable())?;
    let orientation = decoder.orientation().map_err(|_| unreadable())?;
    let mut image = DynamicImage::from_decoder(decoder).map_err(|_| unreadable())?;
    image.apply_orientation(orientation);
    if image.width() < 64 || image.height() < 64 {
        return Err(AppError::field(
            field,
            format!("That {noun} is too small. Choose one at least 64 pixels wide and tall."),
        ));
    }
    let square = image.resize_to_fill(size, size, FilterType::Lanczos3);
    let mut out = Vec::new();
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85);
    square
        .to_rgb8()
        .write_with_encoder(encoder)
        .map_err(|e| AppError::internal("encoding a square image", &e))?;
    Ok(out)
}

/// [`square_jpeg`] off the async threads, at most a few at once across the server
/// (each decode may take [`PHOTO_MAX_ALLOC`]).
pub async fn square_jpeg_async(
    upload: Vec<u8>,
    spec: &'static SquareImage,
) -> Result<Vec<u8>, AppError> {
    // The permit moves into the decoding task: it is held until the decode ends, even
    // if the client hangs up and this request is dropped meanwhile.
    static DECODES: std::sync::LazyLock<Arc<tokio::sync::Semaphore>> =
        std::sync::LazyLock::new(|| Arc::new(tokio::sync::Semaphore::new(PHOTO_DECODES_AT_ONCE)));
    let permit = Arc::clone(&DECODES)
        .acquire_owned()
        .await
        .map_err(|e| AppError::internal("image decoding slots", &e))?;
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        square_jpeg(&upload, spec)
    })
    .await
    .map_err(|e| AppError::internal("image processing task", &e))?
}

/// `{prefix}-{hash}.jpg`: a key that changes with the content, so it caches for good.
pub fn hashed_jpeg_key(prefix: &str, jpeg: &[u8]) -> String {
    let digest = Sha256::digest(jpeg);
    let hash: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("{prefix}-{hash}.jpg")
}

/// Processes and stores an artist's new profile photo, replacing the old one (whose
/// blob is deleted); returns its public URL.
pub async fn store_profile_photo(
    db: &Db,
    storage: &Storage,
    artist: UserId,
    upload: Vec<u8>,
) -> Result<String, AppError> {
    let jpeg = square_jpeg_async(upload, &PROFILE_PHOTO).await?;
    let key = hashed_jpeg_key(&format!("artists/{}/photo", artist.0), &jpeg);
    storage.put(&key, jpeg).await?;
    let url = format!("/media/{key}");
    let previous = crate::artists::service::set_photo(db, artist, &url).await?;
    // The photo it replaced is no longer referenced: its blob goes (a failure to delete
    // only leaves a stray file, so it is logged, not shown).
    if let Some(old_key) = previous
        .as_deref()
        .filter(|old| *old != url)
        .and_then(|old| old.strip_prefix("/media/"))
        && old_key.starts_with(&format!("artists/{}/", artist.0))
        && let Err(err) = storage.delete(old_key).await
    {
        tracing::warn!(error = %err, key = old_key, "could not delete a replaced photo");
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(width, height, |x, y| {
            image::Rgb([(x % 255) as u8, (y % 255) as u8, 128])
        });
        let mut out = Vec::new();
        DynamicImage::ImageRgb8(img)
            .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
            .expect("encode png");
        out
    }

    #[test]
    fn photos_become_512_square_jpegs() {
        let jpeg = profile_photo(&png(900, 600)).expect("processed");
        assert_eq!(ImageKind::sniff(&jpeg), Some(ImageKind::Jpeg));
        let back = image::load_from_memory(&jpeg).expect("decode");
        assert_eq!((back.width(), back.height()), (512, 512));
    }

    #[test]
    fn content_decides_not_the_name() {
        assert_eq!(ImageKind::sniff(b"GIF89a......"), None);
        let err =
            profile_photo(b"%PDF-1.7 pretending to be a photo").expect_err("should be refused");
        assert!(
            err.field_message("photo")
                .is_some_and(|m| m.contains("JPEG, PNG or WebP"))
        );
        // A PNG signature on a truncated file is unreadable, not a crash.
        let mut broken = png(100, 100);
        broken.truncate(40);
        assert!(
            profile_photo(&broken)
                .expect_err("should be refused")
                .field_message("photo")
                .is_some()
        );
        let big = vec![0u8; PHOTO_MAX_BYTES + 1];
        assert!(
            profile_photo(&big)
                .expect_err("should be refused")
                .field_message("photo")
                .is_some_and(|m| m.contains("too large"))
        );
        assert!(
            profile_photo(&png(20, 20))
                .expect_err("should be refused")
                .field_message("photo")
                .is_some_and(|m| m.contains("too small"))
        );
    }

    #[test]
    fn blobs_are_served_with_their_type() {
        assert_eq!(content_type("artists/1/photo-ab.jpg"), "image/jpeg");
        assert_eq!(content_type("x.bin"), "application/octet-stream");
    }
}
