//! Reports (SPEC TRU): fans flag Bops and comments; operators review them and keep or
//! remove what was reported.

use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub mod service;

text_enum! {
    /// What a report is about.
    pub enum Subject {
        Bop = "bop",
        Comment = "comment",
    }
}

text_enum! {
    /// Why someone reported it.
    pub enum Reason {
        Spam = "spam",
        Harassment = "harassment",
        Hate = "hate",
        Sexual = "sexual",
        Violence = "violence",
        Copyright = "copyright",
        Other = "other",
    }
}

impl Reason {
    /// The reason as the report form and the review page say it.
    pub fn label(self) -> &'static str {
        match self {
            Reason::Spam => "Spam or a scam",
            Reason::Harassment => "Bullying or harassment",
            Reason::Hate => "Hate speech",
            Reason::Sexual => "Nudity or sexual content",
            Reason::Violence => "Violence or dangerous acts",
            Reason::Copyright => "Someone else's work (copyright)",
            Reason::Other => "Something else",
        }
    }
}

text_enum! {
    /// What an operator decided.
    pub enum Decision {
        /// Nothing wrong: it stays.
        Keep = "dismissed",
        /// Taken down everywhere.
        Remove = "removed",
    }
}

/// Something reported, with every open report about it, for the review page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reported {
    pub subject: Subject,
    pub subject_id: i64,
    /// The comment's text or the Bop's caption, and who posted it.
    pub text: String,
    pub author_handle: String,
    /// Where to see it (the Bop's page).
    pub link: String,
    pub reports: i64,
    pub reasons: Vec<Reason>,
    pub first_reported_at: i64,
}
