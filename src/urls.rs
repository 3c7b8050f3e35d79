//! Where the app may send a browser: the rule for every `next` or return URL.

/// `next` when it is a path on this site, else `fallback`.
///
/// Accepted: text that starts with one `/` followed by anything but `/` or `\`, with no
/// control characters, spaces or backslashes anywhere. Browsers strip tabs and line
/// breaks from URLs and read `\` as `/`, so `/<TAB>/evil.example` or `/\evil.example`
/// would leave the site; none of those pass. What passes can carry no scheme and no
/// authority, so it stays on this origin however it is resolved.
pub fn local_path<'a>(next: &'a str, fallback: &'a str) -> &'a str {
    let bytes = next.as_bytes();
    let one_slash = bytes.first() == Some(&b'/') && !matches!(bytes.get(1), Some(b'/' | b'\\'));
    let clean = !next
        .chars()
        .any(|c| c.is_control() || c.is_whitespace() || c == '\\');
    if one_slash && clean { next } else { fallback }
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn only_paths_on_this_site_are_followed() {
        for good in [
            "/",
            "/music?x=1",
            "/@nova?tip=a://b",
            "/a/b#c",
            "/%2F%2Fevil.example",
        ] {
            assert_eq!(local_path(good, "/feed"), good);
        }
        for bad in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r//evil.example",
            "\t//evil.example",
            " /music",
            "/music\\..",
            "/a\u{0}b",
            "/\u{85}/evil.example",
            "javascript:alert(1)",
            "",
            "music",
        ] {
            assert_eq!(local_path(bad, "/feed"), "/feed", "{bad:?}");
        }
    }
}
