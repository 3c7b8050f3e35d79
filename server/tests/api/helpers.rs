//! `TestApp`: the real application on port 0 over a fresh database.

use boptone::db::query;
use boptone::{state::AppState, testing::TestDb};
use boptone_server::{config::Config, startup::Application};
use reqwest::{Client, Response, header};

pub struct TestApp {
    pub base: String,
    pub client: Client,
    pub state: AppState,
    pub db: TestDb,
}

impl TestApp {
    pub async fn spawn(db: TestDb) -> Self {
        Self::spawn_with(db, |_| {}).await
    }

    /// Spawns with a configuration adjusted by `configure`.
    pub async fn spawn_with(db: TestDb, configure: impl FnOnce(&mut Config)) -> Self {
        let mut config = Config::for_tests(&db.url);
        configure(&mut config);
        let app = Application::build(&config)
            .await
            .expect("build the application");
        let base = format!("http://127.0.0.1:{}", app.port());
        let state = app.state().clone();
        tokio::spawn(app.run_until(std::future::pending()));
        let client = Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        Self {
            base,
            client,
            state,
            db,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    /// Calls a server function the way a browser's fetch does.
    pub async fn call(&self, endpoint: &str, form: &[(&str, &str)]) -> Response {
        self.client
            .post(self.url(&format!("/api/{endpoint}")))
            .header(header::ORIGIN, &self.base)
            .form(form)
            .send()
            .await
            .expect("POST")
    }

    pub async fn count(&self, sql: &'static str) -> i64 {
        query(sql)
            .scalar_one::<i64>(&self.db.db)
            .await
            .expect("count")
    }

    /// Runs the background jobs the requests so far have queued.
    pub async fn run_jobs(&self) -> usize {
        boptone::background::run_pending(&self.state)
            .await
            .expect("run jobs")
    }

    /// Posts the fan sign-up form (which signs nobody in: it emails a link).
    pub async fn sign_up(&self, name: &str, email: &str, password: &str) -> Response {
        self.call(
            "accounts/sign_up",
            &[("name", name), ("email", email), ("password", password)],
        )
        .await
    }

    /// Posts the sign-in form.
    pub async fn sign_in(&self, email: &str, password: &str) -> Response {
        self.call(
            "accounts/sign_in",
            &[("email", email), ("password", password)],
        )
        .await
    }

    /// Signs in as a demo account (`seed_demo`), which must succeed.
    pub async fn sign_in_demo(&self, email: &str) {
        let res = self.sign_in(email, boptone::seed::DEMO_PASSWORD).await;
        assert_eq!(res.status(), 200, "sign in as {email}");
    }

    /// Signs up, then signs in with the same password; returns the sign-in answer
    /// (the user as JSON, the session cookie).
    pub async fn sign_up_and_in(&self, name: &str, email: &str, password: &str) -> Response {
        let up = self.sign_up(name, email, password).await;
        assert_eq!(up.status(), 200, "sign-up");
        let res = self.sign_in(email, password).await;
        assert_eq!(res.status(), 200, "sign-in");
        res
    }

    /// The newest link to `path` emailed to `to` (delivering queued email first).
    pub async fn mailed_link(&self, to: &str, path: &str) -> String {
        self.run_jobs().await;
        let email = boptone::accounts::Email::parse(to).expect("email");
        let messages = boptone::mail::list_mailbox(&self.state.db, Some(&email), 20)
            .await
            .expect("mailbox");
        messages
            .iter()
            .flat_map(|m| m.body_text.split_whitespace())
            .find(|word| word.contains(path))
            .unwrap_or_else(|| panic!("no link to {path} mailed to {to}"))
            .to_owned()
    }

    /// The token in the newest link to `path` emailed to `to`.
    pub async fn mailed_token(&self, to: &str, path: &str) -> String {
        let link = self.mailed_link(to, path).await;
        link.split("token=")
            .nth(1)
            .expect("token in link")
            .to_owned()
    }
}
