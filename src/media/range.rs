//! HTTP byte ranges (RFC 9110 §14): which bytes of a blob a request asks for. Players
//! seek in audio and video with `Range: bytes=…`; a range the blob cannot satisfy is
//! answered 416, and a header this parser does not understand is ignored (the whole
//! blob is sent), as the RFC allows.

use std::ops::Range;

/// What to send of a blob of a known size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ByteRange {
    /// The whole blob (no `Range`, or one that is ignored).
    Whole,
    /// These bytes (non-empty, within the blob), answered 206.
    Part(Range<u64>),
    /// Nothing the blob has, answered 416.
    Unsatisfiable,
}

/// The bytes `header` (a `Range` value) asks for of a blob of `size` bytes. One range
/// only: `bytes=a-b`, `bytes=a-` and the suffix `bytes=-n` (the last `n` bytes); a
/// list of ranges, another unit or a malformed value is ignored.
pub fn byte_range(header: Option<&str>, size: u64) -> ByteRange {
    let Some(spec) = header.and_then(|h| h.trim().strip_prefix("bytes=")) else {
        return ByteRange::Whole;
    };
    if spec.contains(',') {
        return ByteRange::Whole;
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return ByteRange::Whole;
    };
    let number = |text: &str| -> Option<u64> {
        let text = text.trim();
        (!text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()))
            .then(|| text.parse().ok())
            .flatten()
    };
    match (first.trim().is_empty(), number(first), number(last)) {
        // `bytes=-n`: the last n bytes.
        (true, _, Some(n)) => {
            if n == 0 || size == 0 {
                ByteRange::Unsatisfiable
            } else {
                ByteRange::Part(size.saturating_sub(n)..size)
            }
        }
        (false, Some(start), end) if last.trim().is_empty() || end.is_some() => {
            if end.is_some_and(|end| end < start) {
                return ByteRange::Whole;
            }
            if start >= size {
                return ByteRange::Unsatisfiable;
            }
            let end = end.map_or(size, |end| end.saturating_add(1).min(size));
            ByteRange::Part(start..end)
        }
        _ => ByteRange::Whole,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_three_forms() {
        assert_eq!(
            byte_range(Some("bytes=0-99"), 1000),
            ByteRange::Part(0..100)
        );
        assert_eq!(
            byte_range(Some("bytes=900-"), 1000),
            ByteRange::Part(900..1000)
        );
        assert_eq!(
            byte_range(Some("bytes=-100"), 1000),
            ByteRange::Part(900..1000)
        );
        // An end past the blob is cut to it; a suffix longer than the blob is all of it.
        assert_eq!(
            byte_range(Some("bytes=990-2000"), 1000),
            ByteRange::Part(990..1000)
        );
        assert_eq!(
            byte_range(Some("bytes=-5000"), 1000),
            ByteRange::Part(0..1000)
        );
    }

    #[test]
    fn what_cannot_be_satisfied() {
        assert_eq!(
            byte_range(Some("bytes=1000-"), 1000),
            ByteRange::Unsatisfiable
        );
        assert_eq!(
            byte_range(Some("bytes=1000-1001"), 1000),
            ByteRange::Unsatisfiable
        );
        assert_eq!(byte_range(Some("bytes=-0"), 1000), ByteRange::Unsatisfiable);
        assert_eq!(byte_range(Some("bytes=0-"), 0), ByteRange::Unsatisfiable);
    }

    #[test]
    fn what_is_ignored() {
        for header in [
            None,
            Some("items=0-1"),
            Some("bytes=0-1,5-6"),
            Some("bytes=5-1"),
            Some("bytes=a-b"),
            Some("bytes=-"),
            Some("bytes=+1-2"),
            Some("bytes"),
        ] {
            assert_eq!(byte_range(header, 1000), ByteRange::Whole, "{header:?}");
        }
    }

    proptest! {
        /// Whatever is asked, a part is never empty and never leaves the blob.
        #[test]
        fn parts_stay_inside_the_blob(a in 0u64..3000, b in 0u64..3000, size in 0u64..2000, form in 0u8..3) {
            let header = match form {
                0 => format!("bytes={a}-{b}"),
                1 => format!("bytes={a}-"),
                _ => format!("bytes=-{b}"),
            };
            if let ByteRange::Part(range) = byte_range(Some(&header), size) {
                prop_assert!(range.start < range.end);
                prop_assert!(range.end <= size);
            }
        }
    }
}
