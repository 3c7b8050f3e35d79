//! Test support: fresh databases on both dialects and an [`AppState`] over them.
//!
//! PostgreSQL comes from `TEST_DATABASE_URL` when set (a server where the tests may
//! create databases); otherwise a throwaway cluster is started from the system's
//! PostgreSQL binaries in `BOPTONE_TEST_PG_DIR` (default: `boptone-test-postgres` in
//! the temp directory) and reused by later test processes until `make test` stops it.
//! Every [`TestDb`] is a new, migrated database.

use std::{
    fs,
    net::TcpListener,
    path::{Path, PathBuf},
    process::Command,
    sync::{Arc, OnceLock},
};

use sqlx::{Connection, PgConnection};

use crate::{
    db::{Db, DbOptions},
    mail::Mailbox,
    ratelimit::AuthLimits,
    state::{AppState, Settings},
};

/// A fresh, migrated database that lives as long as this value (SQLite) or the
/// test cluster (PostgreSQL).
pub struct TestDb {
    pub db: Db,
    pub url: String,
    /// Blob storage shared by every state made from this database.
    pub storage: crate::media::Storage,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    pub async fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        let db = Db::connect(&url, &DbOptions::default())
            .await
            .expect("open sqlite");
        db.migrate().await.expect("migrate sqlite");
        Self {
            db,
            url,
            storage: crate::media::Storage::in_memory(),
            _dir: Some(dir),
        }
    }

    pub async fn postgres() -> Self {
        let admin = postgres_admin_url();
        let name = format!("t_{:016x}", rand::random::<u64>());
        let mut conn = PgConnection::connect(&admin)
            .await
            .expect("connect to the test PostgreSQL");
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await
            .expect("create test database");
        conn.close().await.ok();
        let url = replace_db_name(&admin, &name);
        let options = DbOptions {
            max_connections: 8,
            ..DbOptions::default()
        };
        let db = Db::connect(&url, &options).await.expect("open postgres");
        db.migrate().await.expect("migrate postgres");
        Self {
            db,
            url,
            storage: crate::media::Storage::in_memory(),
            _dir: None,
        }
    }

    /// Runs every pending background job now (emails to the mailbox, …).
    pub async fn run_jobs(&self) -> usize {
        crate::background::run_pending(&self.state())
            .await
            .expect("run pending jobs")
    }

    /// An [`AppState`] over this database with the in-app mailbox.
    /// A fan account made through the sign-up form's service, then signed in with
    /// password `correct horse`: the session's secret and its user.
    pub async fn signed_up_fan(
        &self,
        state: &AppState,
        name: &str,
        email: &str,
    ) -> crate::accounts::service::NewSession {
        use crate::accounts::{SignIn, SignUp, SignUpForm, service};
        let input = SignUp::parse(&SignUpForm {
            name: name.into(),
            email: email.into(),
            password: "correct horse".into(),
            role: String::new(),
        })
        .expect("valid sign-up");
        service::sign_up(state, input).await.expect("sign up");
        service::sign_in(
            state,
            SignIn::parse(email, "correct horse").expect("sign-in"),
            None,
        )
        .await
        .expect("sign in")
    }

    /// The account with `handle` (a demo artist, say).
    pub async fn user_by_handle(&self, handle: &str) -> crate::accounts::UserId {
        let id: i64 = crate::db::query("SELECT id FROM users WHERE handle = $1")
            .bind(handle)
            .scalar_one(&self.db)
            .await
            .expect("a user with that handle");
        crate::accounts::UserId(id)
    }

    /// A ready Bop of `artist`, published at `published_at`, as if processed (its media
    /// keys name files nobody reads).
    pub async fn ready_bop(
        &self,
        artist: crate::accounts::UserId,
        caption: &str,
        published_at: i64,
    ) -> i64 {
        let n = rand::random::<u64>();
        let media = crate::bops::service::ReadyMedia {
            original_key: format!("private/bops/test/{n}/original"),
            original_bytes: 1000,
            playlist_key: format!("bops/test/{n}/master.m3u8"),
            poster_key: format!("bops/test/{n}/poster.webp"),
            mp4_key: Some(format!("bops/test/{n}/video.mp4")),
            duration_ms: 2000,
            width: 720,
            height: 1280,
        };
        crate::bops::service::insert_ready(&self.db, artist, caption, &media, published_at)
            .await
            .expect("a ready Bop")
    }

    pub fn state(&self) -> AppState {
        AppState {
            db: self.db.clone(),
            mailer: Arc::new(Mailbox::new(self.db.clone())),
            settings: Arc::new(Settings {
                public_url: "http://127.0.0.1:3000".into(),
                stripe_webhook_secret: None,
                tips_per_fan_per_hour: 10,
                client_ip_header: None,
                dev_mailbox: false,
            }),
            auth_limits: Arc::new(AuthLimits::default()),
            realtime: crate::realtime::Realtime::new(self.db.clone()),
            payments: Arc::new(crate::payments::sandbox::Sandbox::new(
                self.db.clone(),
                "http://127.0.0.1:3000",
            )),
            storage: self.storage.clone(),
            routes: Arc::new(crate::background::routes()),
        }
    }
}

fn replace_db_name(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let base = base.rsplit_once('/').map_or(base, |(head, _)| head);
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

/// The URL of a PostgreSQL server where tests may create databases.
pub fn postgres_admin_url() -> String {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => url,
        _ => LocalCluster::ensure(&cluster_dir()),
    })
    .clone()
}

/// Where the throwaway cluster lives: `BOPTONE_TEST_PG_DIR`, or a fixed folder in the
/// system's temp directory (which the `postgres` user can reach, unlike many checkouts).
fn cluster_dir() -> PathBuf {
    std::env::var_os("BOPTONE_TEST_PG_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("boptone-test-postgres"))
}

/// A throwaway PostgreSQL cluster on a free loopback port.
struct LocalCluster;

impl LocalCluster {
    fn ensure(dir: &Path) -> String {
        fs::create_dir_all(dir).expect("create the test cluster folder");
        // Test binaries may start together: one sets the cluster up, the others wait.
        let lock = fs::File::create(dir.join("lock")).expect("lock file");
        lock.lock().expect("lock the test cluster");
        let url_file = dir.join("url");
        if let Ok(url) = fs::read_to_string(&url_file)
            && Self::answers(dir)
        {
            return url;
        }
        let url = Self::start(dir);
        fs::write(&url_file, &url).expect("write the cluster url");
        url
    }

    fn bin_dir() -> PathBuf {
        let mut versions: Vec<PathBuf> = fs::read_dir("/usr/lib/postgresql")
            .map(|rd| {
                rd.filter_map(|e| e.ok())
                    .map(|e| e.path().join("bin"))
                    .collect()
            })
            .unwrap_or_default();
        versions.retain(|p| p.join("initdb").exists());
        versions.sort();
        versions.pop().unwrap_or_else(|| {
            panic!(
                "PostgreSQL server binaries were not found under /usr/lib/postgresql. Install the Debian \
                 package `postgresql` (make test does), or set TEST_DATABASE_URL."
            )
        })
    }

    fn as_postgres_user(program: &Path) -> Command {
        if is_root() {
            let mut cmd = Command::new("runuser");
            cmd.args(["-u", "postgres", "--"]).arg(program);
            cmd
        } else {
            Command::new(program)
        }
    }

    fn answers(dir: &Path) -> bool {
        let bin = Self::bin_dir();
        Self::as_postgres_user(&bin.join("pg_ctl"))
            .arg("status")
            .arg("-D")
            .arg(dir.join("data"))
            .output()
            .is_ok_and(|o| o.status.success())
    }

    fn start(dir: &Path) -> String {
        let bin = Self::bin_dir();
        let data = dir.join("data");
        let sock = dir.join("sock");
        let _ = fs::remove_dir_all(&data);
        let _ = fs::remove_dir_all(&sock);
        fs::create_dir_all(&data).expect("create data dir");
        fs::create_dir_all(&sock).expect("create socket dir");
        if is_root() {
            let status = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(dir)
                .status()
                .expect("chown the test cluster to postgres");
            assert!(status.success(), "chown failed");
        }
        run(Self::as_postgres_user(&bin.join("initdb"))
            .arg("-D")
            .arg(&data)
            .args([
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ]));
        let port = free_port();
        let conf = format!(
            "\n# throwaway test cluster: speed over durability\nport = {port}\nlisten_addresses = '127.0.0.1'\n\
             unix_socket_directories = '{}'\nfsync = off\nsynchronous_commit = off\nfull_page_writes = off\n\
             max_connections = 400\nshared_buffers = 256MB\nlog_min_messages = warning\n",
            sock.display()
        );
        let mut existing =
            fs::read_to_string(data.join("postgresql.conf")).expect("read postgresql.conf");
        existing.push_str(&conf);
        fs::write(data.join("postgresql.conf"), existing).expect("write postgresql.conf");
        run(Self::as_postgres_user(&bin.join("pg_ctl"))
            .arg("-D")
            .arg(&data)
            .arg("-l")
            .arg(dir.join("server.log"))
            .args(["-w", "-t", "60", "start"]));
        format!("postgres://postgres@127.0.0.1:{port}/postgres")
    }
}

fn run(cmd: &mut Command) {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("could not run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Declares each listed async test function twice: once on SQLite, once on PostgreSQL.
/// Each function takes a [`TestDb`].
#[macro_export]
macro_rules! both_databases {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                // Several threads: a server and its client share the runtime, and one
                // blocked thread must not stall both.
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::testing::TestDb::sqlite().await).await
                }
            )+
        }
        mod postgres {
            $(
                // Several threads: a server and its client share the runtime, and one
                // blocked thread must not stall both.
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::testing::TestDb::postgres().await).await
                }
            )+
        }
    };
}

/// Waits until the watched value satisfies `ready`: a readiness signal, never a
/// sleep. Fails the test loudly, naming `what`, after 10 s.
pub async fn wait_for<T>(
    rx: &mut tokio::sync::watch::Receiver<T>,
    what: &str,
    ready: impl FnMut(&T) -> bool,
) {
    match tokio::time::timeout(std::time::Duration::from_secs(10), rx.wait_for(ready)).await {
        Ok(Ok(_)) => {}
        Ok(Err(_)) => panic!("{what}: the signal's sender is gone"),
        Err(_) => panic!("{what} did not happen within 10 s"),
    }
}

/// A valid 1×1 PNG whose header declares `width`×`height` instead (checksum fixed): a
/// few dozen bytes that claim a huge image, the shape of an "image bomb".
pub fn png_declaring(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(image::RgbImage::new(1, 1))
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .expect("encode png");
    // After the 8-byte signature come the IHDR chunk's length and type, then width and
    // height; its CRC covers the type and the 13 data bytes.
    out[16..20].copy_from_slice(&width.to_be_bytes());
    out[20..24].copy_from_slice(&height.to_be_bytes());
    let mut crc = 0xFFFF_FFFFu32;
    for &b in &out[12..29] {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    out[29..33].copy_from_slice(&(!crc).to_be_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::replace_db_name;

    #[test]
    fn database_names_are_replaced() {
        assert_eq!(
            replace_db_name("postgres://u@h:5/postgres", "t_1"),
            "postgres://u@h:5/t_1"
        );
        assert_eq!(
            replace_db_name("postgres://u@h:5/x?sslmode=disable", "t_1"),
            "postgres://u@h:5/t_1?sslmode=disable"
        );
    }
}
