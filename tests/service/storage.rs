//! Object storage against real backends: a local directory, and S3 through moto's
//! S3-compatible server (started here on a free port).

use std::{
    io::{Read, Write},
    net::{TcpListener, TcpStream},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use boptone::{
    AppError,
    media::{Storage, UploadError},
};
use bytes::Bytes;
use futures::{StreamExt, TryStreamExt, stream};

struct Moto {
    child: Child,
    port: u16,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Sends one plain HTTP request; returns the status line.
fn http(port: u16, request: &str) -> std::io::Result<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    stream.write_all(request.as_bytes())?;
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    Ok(response.lines().next().unwrap_or_default().to_owned())
}

fn start_moto() -> Moto {
    let port = free_port();
    let child = Command::new("moto_server")
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("moto_server (PyPI moto[server]; scripts/deps.sh --test installs it)");
    let moto = Moto { child, port };
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let ready = http(
            port,
            "GET /moto-api/ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
        )
        .is_ok_and(|status| status.contains(" 200"));
        if ready {
            break;
        }
        assert!(Instant::now() < deadline, "moto_server did not start");
        std::thread::sleep(Duration::from_millis(200));
    }
    let created = http(
        port,
        "PUT /boptone-media HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    )
    .expect("create bucket");
    assert!(created.contains(" 200"), "{created}");
    moto
}

async fn round_trip(storage: &Storage) {
    let key = "artists/7/photo-0123abcd.jpg";
    assert_eq!(storage.get(key).await.expect("get"), None);
    storage.put(key, b"jpeg bytes".to_vec()).await.expect("put");
    assert_eq!(
        storage.get(key).await.expect("get"),
        Some(b"jpeg bytes".to_vec())
    );
    // Overwriting replaces; other keys stay missing.
    storage
        .put(key, b"newer".to_vec())
        .await
        .expect("put again");
    assert_eq!(
        storage.get(key).await.expect("get"),
        Some(b"newer".to_vec())
    );
    assert_eq!(storage.get("artists/7/other.jpg").await.expect("get"), None);
    streamed(storage).await;
}

/// `len` bytes that say where they are, in 64 KiB chunks.
fn chunks(len: usize) -> Vec<Bytes> {
    let data: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
    data.chunks(64 * 1024).map(Bytes::copy_from_slice).collect()
}

fn body(len: usize) -> impl futures::Stream<Item = Result<Bytes, std::io::Error>> + Send {
    stream::iter(chunks(len).into_iter().map(Ok))
}

async fn read_all(blob: boptone::media::Blob) -> Vec<u8> {
    blob.stream
        .try_fold(Vec::new(), |mut all, chunk| async move {
            all.extend_from_slice(&chunk);
            Ok(all)
        })
        .await
        .expect("read")
}

fn accept_anything(_: &[u8]) -> Result<(), AppError> {
    Ok(())
}

/// Uploads stream in (several parts), are read back by range, and leave nothing when
/// they are too big, refused by their first bytes, or cut off.
async fn streamed(storage: &Storage) {
    let key = "bops/7/original-1.mp4";
    let len = 11 * 1024 * 1024 + 17;
    let stored = storage
        .put_stream(key, body(len), len as u64, |start| {
            assert_eq!(start.len(), boptone::media::SNIFF_BYTES);
            assert_eq!(start[..4], [0, 1, 2, 3]);
            Ok(())
        })
        .await
        .expect("streamed");
    assert_eq!(stored, len as u64);
    let meta = storage.head(key).await.expect("head").expect("stored");
    assert_eq!(meta.size, len as u64);
    let whole = read_all(
        storage
            .open(key, None)
            .await
            .expect("open")
            .expect("stored"),
    )
    .await;
    assert_eq!(whole.len(), len);
    assert_eq!(whole[len - 1], ((len - 1) % 251) as u8);
    let part = storage
        .open(key, Some(6_000_000..6_000_010))
        .await
        .expect("open")
        .expect("stored");
    assert_eq!(part.range, 6_000_000..6_000_010);
    let bytes = read_all(part).await;
    assert_eq!(
        bytes,
        (6_000_000..6_000_010)
            .map(|i: usize| (i % 251) as u8)
            .collect::<Vec<_>>()
    );

    let too_big = storage
        .put_stream(
            "bops/7/big.mp4",
            body(len),
            6 * 1024 * 1024,
            accept_anything,
        )
        .await;
    assert!(matches!(too_big, Err(UploadError::TooLarge)), "{too_big:?}");
    assert_eq!(storage.head("bops/7/big.mp4").await.expect("head"), None);

    let refused = storage
        .put_stream("bops/7/not-video.mp4", body(1000), 10_000, |_| {
            Err(AppError::field("video", "That file isn't a video."))
        })
        .await;
    assert!(
        matches!(&refused, Err(UploadError::Refused(e)) if e.field_message("video").is_some()),
        "{refused:?}"
    );
    assert_eq!(
        storage.head("bops/7/not-video.mp4").await.expect("head"),
        None
    );

    // The sender stops half way (a cut connection): nothing is kept.
    let cut = stream::iter(chunks(len).into_iter().map(Ok))
        .take(100)
        .chain(stream::iter([Err(std::io::Error::other(
            "connection reset",
        ))]));
    let cut_off = storage
        .put_stream("bops/7/cut.mp4", cut, len as u64, accept_anything)
        .await;
    assert!(
        matches!(&cut_off, Err(UploadError::CutOff(m)) if m.contains("reset")),
        "{cut_off:?}"
    );
    assert_eq!(storage.head("bops/7/cut.mp4").await.expect("head"), None);
    // A tiny upload is one short part.
    assert_eq!(
        storage
            .put_stream("bops/7/tiny.mp4", body(10), 10, accept_anything)
            .await
            .expect("stored"),
        10
    );
    assert_eq!(
        storage.get("bops/7/tiny.mp4").await.expect("get"),
        Some((0..10).collect())
    );
}

#[tokio::test]
async fn a_local_directory_stores_blobs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("media");
    let storage = Storage::from_url(&root.display().to_string()).expect("local storage");
    round_trip(&storage).await;
    assert!(root.join("artists/7/photo-0123abcd.jpg").is_file());
    // Nothing is left of the uploads that were not kept (no staging files).
    let mut left: Vec<String> = std::fs::read_dir(root.join("bops/7"))
        .expect("bops folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["original-1.mp4", "tiny.mp4"]);
}

#[tokio::test]
async fn s3_stores_blobs() {
    let moto = start_moto();
    let url = format!(
        "s3://boptone-media/media?endpoint=http://127.0.0.1:{}&allow_http=true&region=us-east-1\
         &access_key_id=test&secret_access_key=test",
        moto.port
    );
    let storage = Storage::from_url(&url).expect("S3 storage");
    round_trip(&storage).await;
    // The URL's path is a prefix inside the bucket.
    let whole_bucket = Storage::from_url(&url.replace("boptone-media/media?", "boptone-media?"))
        .expect("bucket root");
    assert_eq!(
        whole_bucket
            .get("media/artists/7/photo-0123abcd.jpg")
            .await
            .expect("get"),
        Some(b"newer".to_vec())
    );
    let err = Storage::from_url("s3://boptone-media?no_such_option=1").err();
    assert!(
        err.as_deref().is_some_and(|m| m.contains("no_such_option")),
        "{err:?}"
    );
}
