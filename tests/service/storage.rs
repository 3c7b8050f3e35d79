//! Object storage against real backends: a local directory, and S3 through moto's
//! S3-compatible server (started here on a free port).

use std::{
    io::{Read, Write},
    net::{TcpListener, TcpStream},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use boptone::media::Storage;

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
}

#[tokio::test]
async fn a_local_directory_stores_blobs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("media");
    let storage = Storage::from_url(&root.display().to_string()).expect("local storage");
    round_trip(&storage).await;
    assert!(root.join("artists/7/photo-0123abcd.jpg").is_file());
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
