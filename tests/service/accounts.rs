//! Account services on both databases: creation, sessions, verification, reset.

use boptone::db::query;
use boptone::{
    AppError,
    accounts::{
        Email, Password, SignIn, SignUp, SignUpForm,
        service::{self, SignUpOutcome},
    },
    both_databases,
    testing::TestDb,
    time::now_ms,
};

fn sign_up_input(name: &str, email: &str) -> SignUp {
    SignUp::parse(&SignUpForm {
        name: name.into(),
        email: email.into(),
        password: "correct horse".into(),
        role: String::new(),
    })
    .expect("valid sign-up")
}

async fn count(t: &TestDb, sql: &'static str) -> i64 {
    query(sql).scalar_one::<i64>(&t.db).await.expect("count")
}

/// The token in the newest mailbox link to `path` for `to`.
async fn mailed_token(t: &TestDb, to: &str, path: &str) -> String {
    t.run_jobs().await;
    let email = Email::parse(to).expect("email");
    let messages = boptone::mail::list_mailbox(&t.db, Some(&email), 10)
        .await
        .expect("mailbox");
    let body = messages
        .iter()
        .map(|m| m.body_text.as_str())
        .find(|b| b.contains(path))
        .expect("a mailed link");
    let start = body.find("token=").expect("token in link") + "token=".len();
    body[start..]
        .split_whitespace()
        .next()
        .expect("token")
        .to_owned()
}

async fn sign_up_creates_an_unverified_account_and_emails_its_link(t: TestDb) {
    let state = t.state();
    let outcome = service::sign_up(&state, sign_up_input("Nova Reyes", "Nova@Example.com"))
        .await
        .expect("sign up");
    let SignUpOutcome::Created(id) = outcome else {
        panic!("a new address makes an account: {outcome:?}");
    };
    let user = service::find_user(&t.db, id)
        .await
        .expect("find")
        .expect("user");
    assert_eq!(user.email, "nova@example.com");
    assert_eq!(user.handle, "nova_reyes");
    assert!(!user.email_verified);
    assert_eq!(
        count(&t, "SELECT COUNT(*) FROM sessions").await,
        0,
        "nobody is signed in yet"
    );
    // The link's email is queued with the account, and written by the job, which
    // mints the link's secret then: the job's payload holds only the token's id.
    assert_eq!(
        count(
            &t,
            "SELECT COUNT(*) FROM jobs WHERE kind = 'accounts.send_link'"
        )
        .await,
        1
    );
    let payload: String = query("SELECT payload FROM jobs WHERE kind = 'accounts.send_link'")
        .scalar_one(&t.db)
        .await
        .expect("payload");
    assert_eq!(count(&t, "SELECT COUNT(*) FROM mailbox_messages").await, 0);
    let token = mailed_token(&t, "nova@example.com", "/verify-email").await;
    assert!(!payload.contains(&token), "{payload}");
    assert_eq!(count(&t, "SELECT COUNT(*) FROM mailbox_messages").await, 1);
    // The secret itself is never stored.
    let stored: i64 = query("SELECT COUNT(*) FROM account_tokens WHERE token_hash = $1")
        .bind(&token)
        .scalar_one(&t.db)
        .await
        .expect("query");
    assert_eq!(stored, 0);
}

async fn a_taken_address_emails_its_owner_and_writes_nothing_else(t: TestDb) {
    let state = t.state();
    service::sign_up(&state, sign_up_input("Nova", "nova@example.com"))
        .await
        .expect("first");
    let again = service::sign_up(&state, sign_up_input("Other", "NOVA@example.com"))
        .await
        .expect("the same answer");
    assert_eq!(again, SignUpOutcome::AlreadyRegistered);
    assert_eq!(count(&t, "SELECT COUNT(*) FROM users").await, 1);
    assert_eq!(count(&t, "SELECT COUNT(*) FROM account_tokens").await, 1);
    assert_eq!(
        count(&t, "SELECT COUNT(*) FROM platform_events").await,
        1,
        "one account.created event"
    );
    t.run_jobs().await;
    let email = Email::parse("nova@example.com").expect("email");
    let mail = boptone::mail::list_mailbox(&t.db, Some(&email), 10)
        .await
        .expect("mailbox");
    assert_eq!(mail.len(), 2, "the link, then the notice");
    assert_eq!(mail[0].subject, "You already have a Boptone account");
    assert!(mail[0].body_text.contains("/forgot-password"));
    assert!(
        !mail[0].body_text.contains("token="),
        "the notice carries no secret"
    );
    // The first password still signs in; the second was never set.
    assert!(
        service::sign_in(
            &state,
            SignIn::parse("nova@example.com", "correct horse").expect("p"),
            None
        )
        .await
        .is_ok()
    );
}

async fn clashing_handles_get_suffixes(t: TestDb) {
    let state = t.state();
    let a = t.signed_up_fan(&state, "Sam Lee", "sam1@example.com").await;
    let b = t.signed_up_fan(&state, "Sam Lee", "sam2@example.com").await;
    assert_eq!(a.user.handle, "sam_lee");
    assert!(b.user.handle.starts_with("sam_lee_"), "{}", b.user.handle);
}

async fn artists_start_with_a_plan_not_a_plain_sign_up(t: TestDb) {
    let state = t.state();
    let mut input = sign_up_input("Mira Sol", "mira@example.com");
    input.role = boptone::accounts::Role::Artist;
    let err = service::sign_up(&state, input)
        .await
        .expect_err("artists sign up with a plan");
    assert!(
        err.field_message("role")
            .is_some_and(|m| m.contains("/artist/signup"))
    );
    assert_eq!(count(&t, "SELECT COUNT(*) FROM users").await, 0);
    assert_eq!(count(&t, "SELECT COUNT(*) FROM artist_profiles").await, 0);
}

async fn sign_in_checks_the_password(t: TestDb) {
    let state = t.state();
    service::sign_up(&state, sign_up_input("Ana", "ana@example.com"))
        .await
        .expect("sign up");
    let wrong = service::sign_in(
        &state,
        SignIn::parse("ana@example.com", "wrong password").expect("parse"),
        None,
    )
    .await
    .expect_err("wrong password");
    assert!(wrong.field_message("password").is_some());
    let unknown = service::sign_in(
        &state,
        SignIn::parse("nobody@example.com", "whatever1").expect("parse"),
        None,
    )
    .await
    .expect_err("unknown email");
    assert_eq!(
        unknown, wrong,
        "unknown emails and wrong passwords look alike"
    );
    let ok = service::sign_in(
        &state,
        SignIn::parse(" ANA@example.com", "correct horse").expect("parse"),
        None,
    )
    .await
    .expect("right password");
    assert_eq!(ok.user.email, "ana@example.com");
}

async fn sessions_expire_and_end_at_sign_out(t: TestDb) {
    let state = t.state();
    let first = t.signed_up_fan(&state, "Ana", "ana@example.com").await;
    let second = service::sign_in(
        &state,
        SignIn::parse("ana@example.com", "correct horse").expect("parse"),
        None,
    )
    .await
    .expect("sign in");

    service::sign_out(&t.db, &first.token)
        .await
        .expect("sign out");
    assert_eq!(
        service::session_user(&t.db, &first.token)
            .await
            .expect("lookup"),
        None
    );
    assert!(
        service::session_user(&t.db, &second.token)
            .await
            .expect("lookup")
            .is_some(),
        "other sessions live on"
    );

    query("UPDATE sessions SET expires_at = $1")
        .bind(now_ms() - 1)
        .execute(&t.db)
        .await
        .expect("expire");
    assert_eq!(
        service::session_user(&t.db, &second.token)
            .await
            .expect("lookup"),
        None
    );
    assert_eq!(service::purge_expired(&t.db).await.expect("purge"), 1);
    assert_eq!(
        service::session_user(&t.db, "").await.expect("empty token"),
        None
    );
}

async fn verification_links_work_once(t: TestDb) {
    let state = t.state();
    service::sign_up(&state, sign_up_input("Ana", "ana@example.com"))
        .await
        .expect("sign up");
    let token = mailed_token(&t, "ana@example.com", "/verify-email").await;
    let (user, session) = service::verify_email(&state, &token, true, None)
        .await
        .expect("verify");
    assert!(user.email_verified);
    let session = session.expect("the link signs in");
    assert_eq!(
        service::session_user(&t.db, &session)
            .await
            .expect("lookup")
            .map(|u| u.id),
        Some(user.id)
    );
    let again = service::verify_email(&state, &token, true, None)
        .await
        .expect_err("second use");
    assert!(again.field_message("token").is_some());
    let bogus = service::verify_email(&state, "not-a-token", false, None)
        .await
        .expect_err("unknown token");
    assert!(bogus.field_message("token").is_some());
}

async fn expired_links_are_refused(t: TestDb) {
    let state = t.state();
    service::sign_up(&state, sign_up_input("Ana", "ana@example.com"))
        .await
        .expect("sign up");
    service::request_password_reset(&state, &Email::parse("ana@example.com").expect("email"))
        .await
        .expect("reset");
    let verify = mailed_token(&t, "ana@example.com", "/verify-email").await;
    let reset = mailed_token(&t, "ana@example.com", "/reset-password").await;
    query("UPDATE account_tokens SET expires_at = $1")
        .bind(now_ms() - 1)
        .execute(&t.db)
        .await
        .expect("expire");
    assert!(
        service::verify_email(&state, &verify, false, None)
            .await
            .expect_err("expired")
            .field_message("token")
            .is_some()
    );
    let password = Password::parse("new password").expect("password");
    assert!(
        service::reset_password(&state, &reset, &password)
            .await
            .expect_err("expired")
            .field_message("token")
            .is_some()
    );
}

async fn password_reset_is_single_use_and_ends_sessions(t: TestDb) {
    let state = t.state();
    let session = t.signed_up_fan(&state, "Ana", "ana@example.com").await;
    service::request_password_reset(&state, &Email::parse("Ana@Example.com").expect("email"))
        .await
        .expect("reset");
    let token = mailed_token(&t, "ana@example.com", "/reset-password").await;

    let new_password = Password::parse("a brand new secret").expect("password");
    service::reset_password(&state, &token, &new_password)
        .await
        .expect("reset");
    assert_eq!(
        service::session_user(&t.db, &session.token)
            .await
            .expect("lookup"),
        None,
        "old sessions end"
    );

    let again = service::reset_password(&state, &token, &new_password)
        .await
        .expect_err("second use");
    assert!(again.field_message("token").is_some());

    assert!(
        service::sign_in(
            &state,
            SignIn::parse("ana@example.com", "correct horse").expect("p"),
            None
        )
        .await
        .is_err()
    );
    let signed_in = service::sign_in(
        &state,
        SignIn::parse("ana@example.com", "a brand new secret").expect("p"),
        None,
    )
    .await
    .expect("new password works");
    assert!(
        signed_in.user.email_verified,
        "following the emailed link proves the address"
    );
}

async fn reset_requests_do_not_reveal_accounts(t: TestDb) {
    let state = t.state();
    service::request_password_reset(&state, &Email::parse("ghost@example.com").expect("email"))
        .await
        .expect("same answer for unknown addresses");
    assert_eq!(t.run_jobs().await, 0);
    assert_eq!(count(&t, "SELECT COUNT(*) FROM mailbox_messages").await, 0);
}

async fn a_link_already_used_sends_nothing_when_its_email_job_runs_late(t: TestDb) {
    let state = t.state();
    service::sign_up(&state, sign_up_input("Ana", "ana@example.com"))
        .await
        .expect("sign up");
    query("UPDATE account_tokens SET used_at = $1")
        .bind(now_ms())
        .execute(&t.db)
        .await
        .expect("use");
    t.run_jobs().await;
    assert_eq!(count(&t, "SELECT COUNT(*) FROM mailbox_messages").await, 0);
}

async fn demo_data_loads_once(t: TestDb) {
    let first = boptone::seed::seed_demo(&t.db).await.expect("seed");
    assert!(first.users_created >= 9);
    assert_eq!(first.profiles_created, 5);
    let second = boptone::seed::seed_demo(&t.db).await.expect("seed again");
    assert_eq!(second, boptone::seed::SeedReport::default());
    let artists = boptone::artists::service::list_public(&t.db, 10)
        .await
        .expect("list");
    assert_eq!(artists.len(), 5);
    assert!(
        artists
            .iter()
            .all(|a| a.photo_url.is_some() && !a.bio.is_empty())
    );
    let nova = boptone::artists::service::find_by_handle(&t.db, "Nova_Reyes")
        .await
        .expect("by handle");
    assert_eq!(nova.stage_name, "Nova Reyes");
    assert_eq!(
        boptone::artists::service::find_by_handle(&t.db, "ana_listens").await,
        Err(AppError::NotFound)
    );
}

both_databases!(
    sign_up_creates_an_unverified_account_and_emails_its_link,
    a_taken_address_emails_its_owner_and_writes_nothing_else,
    a_link_already_used_sends_nothing_when_its_email_job_runs_late,
    clashing_handles_get_suffixes,
    artists_start_with_a_plan_not_a_plain_sign_up,
    sign_in_checks_the_password,
    sessions_expire_and_end_at_sign_out,
    verification_links_work_once,
    expired_links_are_refused,
    password_reset_is_single_use_and_ends_sessions,
    reset_requests_do_not_reveal_accounts,
    demo_data_loads_once,
);
