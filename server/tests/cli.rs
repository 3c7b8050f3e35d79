//! The `boptone` binary itself: subcommands, start-up, graceful shutdown on SIGTERM.

use boptone::db::query;
use std::{
    net::TcpListener,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

fn boptone() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_boptone"));
    cmd.env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

#[test]
fn every_subcommand_explains_itself() {
    for sub in ["serve", "worker", "migrate", "seed-demo"] {
        let out = boptone()
            .args([sub, "--help"])
            .output()
            .expect("run boptone");
        assert!(out.status.success(), "{sub} --help failed");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("--database-url"),
            "{sub} --help lists the settings:\n{text}"
        );
    }
    let out = boptone().arg("--help").output().expect("run boptone");
    let text = String::from_utf8_lossy(&out.stdout);
    for sub in ["serve", "worker", "migrate", "seed-demo"] {
        assert!(text.contains(sub), "top-level help names {sub}:\n{text}");
    }
}

#[test]
fn migrate_and_seed_are_repeatable() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("nested/cli.db").display());
    for _ in 0..2 {
        assert!(
            boptone()
                .arg("migrate")
                .env("DATABASE_URL", &url)
                .status()
                .expect("migrate")
                .success()
        );
        assert!(
            boptone()
                .arg("seed-demo")
                .env("DATABASE_URL", &url)
                .env("STORAGE_URL", dir.path().join("media"))
                // The demo clips are made once and kept between test runs.
                .env(
                    "DEMO_CLIPS_DIR",
                    std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("demo-clips"),
                )
                .status()
                .expect("seed")
                .success()
        );
    }
    assert!(
        dir.path().join("nested/cli.db").exists(),
        "the database and its folder were created"
    );
}

#[test]
fn a_bad_database_url_fails_with_a_message() {
    let out = boptone()
        .arg("migrate")
        .env("DATABASE_URL", "mysql://nope")
        .output()
        .expect("run");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("sqlite: or postgres://"), "{err}");
}

struct Server(Child);

impl Server {
    /// Sends SIGTERM and waits (up to 15 s) for the exit code.
    fn terminate(&mut self) -> Option<i32> {
        let pid = self.0.id().to_string();
        assert!(
            Command::new("kill")
                .args(["-TERM", &pid])
                .status()
                .expect("kill")
                .success()
        );
        let mut status = None;
        wait_until(Duration::from_secs(15), || {
            status = self.0.try_wait().expect("wait");
            status.is_some()
        });
        status.and_then(|s| s.code())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("port")
}

fn wait_until(deadline: Duration, mut ok: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < deadline {
        if ok() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

#[test]
fn serve_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().expect("temp dir");
    let port = free_port();
    let child = boptone()
        .arg("serve")
        .env(
            "DATABASE_URL",
            format!("sqlite://{}", dir.path().join("serve.db").display()),
        )
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .spawn()
        .expect("start the server");
    let mut server = Server(child);
    let healthy = wait_until(Duration::from_secs(20), || {
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    assert!(healthy, "the server listens");

    assert_eq!(server.terminate(), Some(0), "a clean exit after SIGTERM");
}

#[tokio::test]
async fn the_worker_runs_queued_jobs_and_stops_on_sigterm() {
    use boptone::{
        accounts::Email,
        db::{Db, DbOptions},
        mail::{OutgoingEmail, send_later},
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("worker.db").display());
    let db = Db::connect(&url, &DbOptions::default())
        .await
        .expect("open");
    db.migrate().await.expect("migrate");
    let mut tx = db.begin().await.expect("begin");
    let email = OutgoingEmail {
        to: Email::parse("nova@example.com").expect("email"),
        subject: "Queued before the worker started".into(),
        body_text: "Hello".into(),
    };
    send_later(&mut tx, email).await.expect("queue");
    tx.commit().await.expect("commit");

    let child = boptone()
        .arg("worker")
        .env("DATABASE_URL", &url)
        .spawn()
        .expect("start the worker");
    let mut worker = Server(child);
    let mut delivered = false;
    for _ in 0..200 {
        let n: i64 = query("SELECT COUNT(*) FROM mailbox_messages")
            .scalar_one(&db)
            .await
            .expect("count");
        if n == 1 {
            delivered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(delivered, "the worker delivered the queued email");

    assert_eq!(worker.terminate(), Some(0), "a clean exit after SIGTERM");
}
