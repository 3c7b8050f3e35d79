//! What Boptone's emails say: one plain-text template per message in `templates/`
//! (the subject on the first line, a blank line, then the body), filled in by name.
//! The snapshot tests below show every message as a person receives it.

use crate::accounts::Email;

use super::OutgoingEmail;

/// Fills `{{name}}` placeholders in one pass: a value is never read as a template,
/// so text a person wrote (a tip message) cannot pull in another value.
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[start..]);
            return out;
        };
        let key = &after[..end];
        match values.iter().find(|(k, _)| *k == key) {
            Some((_, value)) => out.push_str(value),
            // Left visible, so a snapshot shows the mistake.
            None => out.push_str(&rest[start..start + 2 + end + 2]),
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

fn email(to: Email, template: &str, values: &[(&str, &str)]) -> OutgoingEmail {
    let text = fill(template, values);
    let (subject, body) = text.split_once("\n\n").unwrap_or((text.as_str(), ""));
    OutgoingEmail {
        to,
        subject: subject.to_owned(),
        body_text: body.to_owned(),
    }
}

/// To an address that tried to sign up again: it already has an account.
pub fn already_registered(to: Email, sign_in: &str, reset: &str) -> OutgoingEmail {
    email(
        to,
        include_str!("templates/already_registered.txt"),
        &[("sign_in", sign_in), ("reset", reset)],
    )
}

/// The link that confirms a new account's address.
pub fn verify_email(to: Email, name: &str, link: &str) -> OutgoingEmail {
    email(
        to,
        include_str!("templates/verify_email.txt"),
        &[("name", name), ("link", link)],
    )
}

/// The link that sets a new password.
pub fn reset_password(to: Email, name: &str, link: &str) -> OutgoingEmail {
    email(
        to,
        include_str!("templates/reset_password.txt"),
        &[("name", name), ("link", link)],
    )
}

/// A fan's receipt for a tip, amounts already formatted for people.
pub struct TipReceipt<'a> {
    pub id: i64,
    pub artist: &'a str,
    pub tip: &'a str,
    pub fee: &'a str,
    pub gross: &'a str,
    /// What the fan wrote to the artist, if anything.
    pub message: &'a str,
    pub link: &'a str,
}

pub fn tip_receipt(to: Email, receipt: &TipReceipt<'_>) -> OutgoingEmail {
    let message = if receipt.message.is_empty() {
        String::new()
    } else {
        format!("Your message: \"{}\"\n\n", receipt.message)
    };
    email(
        to,
        include_str!("templates/tip_receipt.txt"),
        &[
            ("id", &receipt.id.to_string()),
            ("artist", receipt.artist),
            ("tip", receipt.tip),
            ("fee", receipt.fee),
            ("gross", receipt.gross),
            ("message", &message),
            ("link", receipt.link),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn to() -> Email {
        Email::parse("ana@example.com").expect("email")
    }

    fn shown(email: &OutgoingEmail) -> String {
        format!(
            "To: {}\nSubject: {}\n\n{}",
            email.to.as_str(),
            email.subject,
            email.body_text
        )
    }

    #[test]
    fn placeholders_fill_once_and_unknown_ones_stay_visible() {
        assert_eq!(
            fill("{{a}} and {{b}}", &[("a", "{{b}}"), ("b", "B")]),
            "{{b}} and B"
        );
        assert_eq!(fill("hi {{who}}", &[]), "hi {{who}}");
        assert_eq!(fill("open {{ end", &[]), "open {{ end");
    }

    #[test]
    fn account_emails() {
        let link = "https://boptone.example/verify-email?token=abc";
        insta::assert_snapshot!("verify_email", shown(&verify_email(to(), "Ana", link)));
        let link = "https://boptone.example/reset-password?token=abc";
        insta::assert_snapshot!("reset_password", shown(&reset_password(to(), "Ana", link)));
        insta::assert_snapshot!(
            "already_registered",
            shown(&already_registered(
                to(),
                "https://boptone.example/signin",
                "https://boptone.example/forgot-password"
            ))
        );
    }

    #[test]
    fn a_tip_receipt_with_and_without_a_message() {
        let mut receipt = TipReceipt {
            id: 12,
            artist: "Nova Reyes",
            tip: "$5.00",
            fee: "$0.45",
            gross: "$5.45",
            message: "Loved the show {{link}}",
            link: "https://boptone.example/music",
        };
        insta::assert_snapshot!("tip_receipt", shown(&tip_receipt(to(), &receipt)));
        receipt.message = "";
        insta::assert_snapshot!(
            "tip_receipt_no_message",
            shown(&tip_receipt(to(), &receipt))
        );
    }
}
