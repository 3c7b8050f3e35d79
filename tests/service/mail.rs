//! The SMTP mailer against a local server that speaks SMTP, and the in-app mailbox.

use boptone::{
    accounts::Email,
    mail::{Mailbox, Mailer, OutgoingEmail, Smtp, list_mailbox},
    testing::TestDb,
};
use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::TcpListener,
    sync::oneshot,
};

/// What the fake server received.
#[derive(Debug, Default)]
struct Received {
    commands: Vec<String>,
    data: String,
}

/// A one-message SMTP server: enough of RFC 5321 for a client to deliver a message.
async fn smtp_sink() -> (u16, oneshot::Receiver<Received>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let (tx, rx) = oneshot::channel();
    tokio::spawn(async move {
        let (socket, _) = listener.accept().await.expect("accept");
        let (read, mut write) = socket.into_split();
        let mut lines = BufReader::new(read).lines();
        let mut received = Received::default();
        write
            .write_all(b"220 sink.test ESMTP ready\r\n")
            .await
            .expect("greet");
        while let Ok(Some(line)) = lines.next_line().await {
            let verb = line
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_ascii_uppercase();
            received.commands.push(line.clone());
            let reply: &[u8] = match verb.as_str() {
                "EHLO" | "HELO" => b"250-sink.test\r\n250 8BITMIME\r\n",
                "DATA" => {
                    write
                        .write_all(b"354 end with <CRLF>.<CRLF>\r\n")
                        .await
                        .expect("354");
                    while let Ok(Some(data_line)) = lines.next_line().await {
                        if data_line == "." {
                            break;
                        }
                        received.data.push_str(&data_line);
                        received.data.push('\n');
                    }
                    b"250 queued\r\n"
                }
                "QUIT" => {
                    write.write_all(b"221 bye\r\n").await.expect("bye");
                    break;
                }
                _ => b"250 ok\r\n",
            };
            write.write_all(reply).await.expect("reply");
        }
        let _ = tx.send(received);
    });
    (port, rx)
}

fn message() -> OutgoingEmail {
    OutgoingEmail {
        to: Email::parse("nova@example.com").expect("email"),
        subject: "Confirm your email for Boptone".into(),
        body_text: "Open this link:\n\nhttp://127.0.0.1:3000/verify-email?token=abc\n".into(),
    }
}

#[tokio::test]
async fn smtp_delivers_to_the_server() {
    let (port, received) = smtp_sink().await;
    let smtp = Smtp::new(
        &format!("smtp://127.0.0.1:{port}"),
        "Boptone <no-reply@boptone.app>",
    )
    .expect("smtp");
    assert!(!smtp.is_mailbox());
    smtp.send(message()).await.expect("send");
    let received = received.await.expect("the server got a message");
    assert!(
        received
            .commands
            .iter()
            .any(|c| c.starts_with("MAIL FROM:<no-reply@boptone.app>")),
        "{received:?}"
    );
    assert!(
        received
            .commands
            .iter()
            .any(|c| c.starts_with("RCPT TO:<nova@example.com>")),
        "{received:?}"
    );
    assert!(
        received
            .data
            .contains("Subject: Confirm your email for Boptone"),
        "{}",
        received.data
    );
    assert!(
        received.data.contains("verify-email?token=abc"),
        "{}",
        received.data
    );
}

#[tokio::test]
async fn smtp_failures_become_internal_errors() {
    // Nothing listens on this port once the listener is dropped.
    let port = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let smtp =
        Smtp::new(&format!("smtp://127.0.0.1:{port}"), "no-reply@boptone.app").expect("smtp");
    let err = smtp.send(message()).await.expect_err("no server");
    assert!(matches!(err, boptone::AppError::Internal { .. }), "{err:?}");
}

#[test]
fn bad_smtp_settings_are_reported() {
    let bad_url = Smtp::new("not a url", "no-reply@boptone.app").err();
    assert!(
        bad_url
            .as_deref()
            .is_some_and(|m| m.starts_with("SMTP_URL is not usable")),
        "{bad_url:?}"
    );
    let bad_from = Smtp::new("smtp://127.0.0.1:2525", "not an address").err();
    assert!(
        bad_from
            .as_deref()
            .is_some_and(|m| m.starts_with("MAIL_FROM is not an address")),
        "{bad_from:?}"
    );
}

#[tokio::test]
async fn the_mailbox_keeps_messages_newest_first() {
    let t = TestDb::sqlite().await;
    let mailbox = Mailbox::new(t.db.clone());
    assert!(mailbox.is_mailbox());
    mailbox.send(message()).await.expect("first");
    let mut second = message();
    second.subject = "Second".into();
    second.to = Email::parse("ana@example.com").expect("email");
    mailbox.send(second).await.expect("second");
    let all = list_mailbox(&t.db, None, 10).await.expect("list");
    assert_eq!(
        all.iter().map(|m| m.subject.as_str()).collect::<Vec<_>>(),
        ["Second", "Confirm your email for Boptone"]
    );
    let nova = list_mailbox(
        &t.db,
        Some(&Email::parse("nova@example.com").expect("email")),
        10,
    )
    .await
    .expect("list");
    assert_eq!(nova.len(), 1);
}
