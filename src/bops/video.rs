//! Video by content: the container recognised from an upload's first bytes, what
//! ffprobe says of it, and the renditions ffmpeg makes (one process, decoding once).

use std::path::Path;

use serde::Deserialize;

/// A video container we accept, recognised from the file's first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VideoKind {
    /// MP4 and its relatives (`ftyp` box: isom, mp42, M4V…).
    Mp4,
    /// QuickTime (`ftypqt`, or an old file starting with a `moov`/`mdat`/`wide` atom).
    Mov,
    /// WebM (Matroska's EBML header).
    Webm,
}

impl VideoKind {
    /// Recognises MP4, MOV and WebM by their signatures; anything else is `None`,
    /// whatever its name says.
    pub fn sniff(start: &[u8]) -> Option<Self> {
        if start.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]) {
            return Some(Self::Webm);
        }
        let atom = start.get(4..8)?;
        match atom {
            b"ftyp" if start.get(8..10) == Some(b"qt") => Some(Self::Mov),
            b"ftyp" => Some(Self::Mp4),
            b"moov" | b"mdat" | b"wide" | b"free" => Some(Self::Mov),
            _ => None,
        }
    }

    /// The original's file extension in storage.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Mp4 => "mp4",
            Self::Mov => "mov",
            Self::Webm => "webm",
        }
    }
}

/// What ffprobe found in a file.
#[derive(Debug, Clone, PartialEq)]
pub struct Probe {
    pub duration_ms: i64,
    /// As shown: a rotated phone video's width and height are swapped.
    pub width: u32,
    pub height: u32,
    pub has_audio: bool,
}

#[derive(Deserialize)]
struct FfprobeOutput {
    #[serde(default)]
    streams: Vec<FfprobeStream>,
    format: Option<FfprobeFormat>,
}

#[derive(Deserialize)]
struct FfprobeStream {
    codec_type: Option<String>,
    width: Option<u32>,
    height: Option<u32>,
    duration: Option<String>,
    #[serde(default)]
    side_data_list: Vec<SideData>,
    #[serde(default)]
    tags: Tags,
}

#[derive(Deserialize, Default)]
struct Tags {
    rotate: Option<String>,
}

#[derive(Deserialize)]
struct SideData {
    rotation: Option<f64>,
}

#[derive(Deserialize)]
struct FfprobeFormat {
    duration: Option<String>,
}

/// Reads `ffprobe -print_format json -show_format -show_streams` output; `None` when
/// it has no video stream or no duration (not a video we can use).
pub fn parse_probe(json: &str) -> Option<Probe> {
    let output: FfprobeOutput = serde_json::from_str(json).ok()?;
    let video = output
        .streams
        .iter()
        .find(|s| s.codec_type.as_deref() == Some("video"))?;
    let (width, height) = (video.width?, video.height?);
    let seconds = output
        .format
        .as_ref()
        .and_then(|f| f.duration.as_deref())
        .or(video.duration.as_deref())
        .and_then(|d| d.parse::<f64>().ok())
        .filter(|d| d.is_finite() && *d > 0.0)?;
    let rotation = video
        .side_data_list
        .iter()
        .find_map(|d| d.rotation)
        .or_else(|| video.tags.rotate.as_deref().and_then(|r| r.parse().ok()))
        .unwrap_or(0.0);
    let quarter_turns = (rotation / 90.0).round() as i64;
    let (width, height) = if quarter_turns % 2 != 0 {
        (height, width)
    } else {
        (width, height)
    };
    Some(Probe {
        duration_ms: (seconds * 1000.0).round() as i64,
        width,
        height,
        has_audio: output
            .streams
            .iter()
            .any(|s| s.codec_type.as_deref() == Some("audio")),
    })
}

/// One HLS rendition: a portrait frame size and its video bitrate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rendition {
    pub width: u32,
    pub height: u32,
    pub kbps: u32,
}

/// The standard renditions, largest first (9:16).
const LADDER: [Rendition; 3] = [
    Rendition {
        width: 1080,
        height: 1920,
        kbps: 5000,
    },
    Rendition {
        width: 720,
        height: 1280,
        kbps: 2800,
    },
    Rendition {
        width: 480,
        height: 854,
        kbps: 1200,
    },
];

/// The renditions for a source of `width`×`height`: each rung of the ladder it can be
/// fitted into without being enlarged, and the top rung only from a source that fills
/// it (1080×1920 or more). A source smaller than every rung gets one rendition at its
/// own size, never upscaled.
pub fn renditions(width: u32, height: u32) -> Vec<Rendition> {
    let fits = |r: &Rendition| {
        if *r == LADDER[0] {
            width >= r.width && height >= r.height
        } else {
            width >= r.width || height >= r.height
        }
    };
    let ladder: Vec<Rendition> = LADDER.iter().copied().filter(fits).collect();
    if !ladder.is_empty() {
        return ladder;
    }
    let even = |n: u32| (n.max(2)) & !1;
    let pixels = u64::from(width) * u64::from(height);
    vec![Rendition {
        width: even(width),
        height: even(height),
        kbps: (pixels * 1200 / (480 * 854)).clamp(200, 1200) as u32,
    }]
}

/// Seconds per HLS segment; keyframes are forced on this grid so every rendition's
/// segments line up.
pub const SEGMENT_SECONDS: u32 = 2;

/// The arguments for one ffmpeg process that decodes `input` once and writes every
/// rendition as HLS (fMP4 segments, aligned keyframes, AAC stereo) under `out`:
/// `master.m3u8`, and `v0/`, `v1/`… with `index.m3u8`, `init.mp4` and segments.
/// Progress goes to stdout (`-progress pipe:1`).
pub fn hls_args(input: &Path, out: &Path, plan: &[Rendition], has_audio: bool) -> Vec<String> {
    let mut args: Vec<String> = [
        "-hide_banner",
        "-nostdin",
        "-loglevel",
        "error",
        "-y",
        "-progress",
        "pipe:1",
        "-i",
    ]
    .map(String::from)
    .to_vec();
    args.push(input.display().to_string());
    let n = plan.len();
    let mut graph = format!("[0:v]split={n}");
    for i in 0..n {
        graph.push_str(&format!("[s{i}]"));
    }
    for (i, r) in plan.iter().enumerate() {
        let (w, h) = (r.width, r.height);
        graph.push_str(&format!(
            ";[s{i}]scale={w}:{h}:force_original_aspect_ratio=decrease,\
             pad={w}:{h}:(ow-iw)/2:(oh-ih)/2,setsar=1,format=yuv420p[o{i}]"
        ));
    }
    args.extend(["-filter_complex".into(), graph]);
    // Nothing of the original's metadata (a phone's location) reaches the renditions.
    args.extend(["-map_metadata".into(), "-1".into()]);
    for (i, r) in plan.iter().enumerate() {
        args.extend(["-map".into(), format!("[o{i}]")]);
        args.extend([format!("-b:v:{i}"), format!("{}k", r.kbps)]);
        args.extend([format!("-maxrate:v:{i}"), format!("{}k", r.kbps * 3 / 2)]);
        args.extend([format!("-bufsize:v:{i}"), format!("{}k", r.kbps * 2)]);
        if has_audio {
            args.extend(["-map".into(), "0:a:0".into()]);
        }
    }
    let keyframes = format!("expr:gte(t,n_forced*{SEGMENT_SECONDS})");
    args.extend(
        [
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-profile:v",
            "main",
            "-sc_threshold",
            "0",
            "-force_key_frames",
            &keyframes,
        ]
        .map(String::from),
    );
    if has_audio {
        args.extend(["-c:a", "aac", "-b:a", "128k", "-ac", "2", "-ar", "48000"].map(String::from));
    }
    let stream_map = (0..n)
        .map(|i| {
            if has_audio {
                format!("v:{i},a:{i}")
            } else {
                format!("v:{i}")
            }
        })
        .collect::<Vec<_>>()
        .join(" ");
    args.extend(
        [
            "-f",
            "hls",
            "-hls_time",
            &SEGMENT_SECONDS.to_string(),
            "-hls_playlist_type",
            "vod",
            "-hls_segment_type",
            "fmp4",
            "-hls_flags",
            "independent_segments",
            "-hls_fmp4_init_filename",
            "init.mp4",
            "-master_pl_name",
            "master.m3u8",
            "-var_stream_map",
            &stream_map,
        ]
        .map(String::from),
    );
    args.push("-hls_segment_filename".into());
    args.push(out.join("v%v/seg%03d.m4s").display().to_string());
    args.push(out.join("v%v/index.m3u8").display().to_string());
    args
}

/// The rendition copied into the progressive MP4: 720×1280 where there is one (sharp on
/// a phone, light enough to start at once), else the largest below it, else the
/// smallest.
pub fn mp4_rendition(plan: &[Rendition]) -> usize {
    plan.iter()
        .position(|r| r.height <= 1280)
        .unwrap_or(plan.len().saturating_sub(1))
}

/// The arguments that copy one HLS rendition (`playlist`, its `index.m3u8`) into a
/// progressive MP4 with its index first (`+faststart`), so a browser plays it from the
/// first bytes. Nothing is decoded or encoded again.
pub fn mp4_args(playlist: &Path, mp4: &Path) -> Vec<String> {
    let mut args: Vec<String> = ["-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-i"]
        .map(String::from)
        .to_vec();
    args.push(playlist.display().to_string());
    args.extend(
        [
            "-map",
            "0",
            "-c",
            "copy",
            "-movflags",
            "+faststart",
            "-f",
            "mp4",
        ]
        .map(String::from),
    );
    args.push(mp4.display().to_string());
    args
}

/// The arguments for the poster: one frame a second in (or half way through a shorter
/// video), 720 pixels wide at most, as WebP.
pub fn poster_args(input: &Path, poster: &Path, duration_ms: i64, width: u32) -> Vec<String> {
    let at_ms = (duration_ms / 2).min(1000);
    let scaled = width.min(720) & !1;
    vec![
        "-hide_banner".into(),
        "-nostdin".into(),
        "-loglevel".into(),
        "error".into(),
        "-y".into(),
        "-ss".into(),
        format!("{}.{:03}", at_ms / 1000, at_ms % 1000),
        "-i".into(),
        input.display().to_string(),
        "-frames:v".into(),
        "1".into(),
        "-map_metadata".into(),
        "-1".into(),
        "-vf".into(),
        format!("scale={scaled}:-2"),
        "-c:v".into(),
        "libwebp".into(),
        "-quality".into(),
        "80".into(),
        poster.display().to_string(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn containers_are_recognised_by_content() {
        assert_eq!(
            VideoKind::sniff(b"\0\0\0\x18ftypmp42\0\0\0\0"),
            Some(VideoKind::Mp4)
        );
        assert_eq!(
            VideoKind::sniff(b"\0\0\0\x14ftypqt  \0\0\0\0"),
            Some(VideoKind::Mov)
        );
        assert_eq!(
            VideoKind::sniff(&[0x1A, 0x45, 0xDF, 0xA3, 1]),
            Some(VideoKind::Webm)
        );
        assert_eq!(VideoKind::sniff(b"\xFF\xD8\xFF\xE0 a jpeg"), None);
        assert_eq!(VideoKind::sniff(b"ID3 an mp3"), None);
        assert_eq!(VideoKind::sniff(b""), None);
    }

    #[test]
    fn probes_read_duration_size_rotation_and_audio() {
        let json = r#"{"streams":[
            {"codec_type":"video","width":1920,"height":1080,"side_data_list":[{"rotation":-90}]},
            {"codec_type":"audio"}],
            "format":{"duration":"12.345"}}"#;
        assert_eq!(
            parse_probe(json),
            Some(Probe {
                duration_ms: 12_345,
                width: 1080,
                height: 1920,
                has_audio: true
            })
        );
        let silent =
            r#"{"streams":[{"codec_type":"video","width":640,"height":360,"duration":"2.0"}]}"#;
        assert_eq!(
            parse_probe(silent).map(|p| (p.duration_ms, p.has_audio)),
            Some((2000, false))
        );
        assert_eq!(
            parse_probe(r#"{"streams":[{"codec_type":"audio"}],"format":{"duration":"3"}}"#),
            None
        );
        assert_eq!(parse_probe("not json"), None);
    }

    #[test]
    fn renditions_never_upscale() {
        let sizes = |w, h| {
            renditions(w, h)
                .iter()
                .map(|r| r.height)
                .collect::<Vec<_>>()
        };
        assert_eq!(sizes(1080, 1920), [1920, 1280, 854]);
        assert_eq!(sizes(720, 1280), [1280, 854]);
        // A landscape 1080p source fills the width of 720×1280 and 480×854 only.
        assert_eq!(sizes(1920, 1080), [1280, 854]);
        let tiny = renditions(145, 256);
        assert_eq!(tiny.len(), 1);
        assert_eq!((tiny[0].width, tiny[0].height), (144, 256));
    }

    #[test]
    fn one_process_makes_every_rendition() {
        let plan = renditions(720, 1280);
        let args = hls_args(Path::new("/in.mp4"), Path::new("/out"), &plan, true);
        let joined = args.join(" ");
        assert_eq!(args.iter().filter(|a| *a == "-i").count(), 1);
        assert!(joined.contains("split=2[s0][s1]"), "{joined}");
        assert!(
            joined.contains("-var_stream_map v:0,a:0 v:1,a:1"),
            "{joined}"
        );
        assert!(joined.contains("-hls_segment_type fmp4"));
        assert!(joined.contains("-sc_threshold 0"));
        let silent = hls_args(Path::new("/in.mp4"), Path::new("/out"), &plan, false).join(" ");
        assert!(silent.contains("-var_stream_map v:0 v:1") && !silent.contains("0:a"));
    }

    #[test]
    fn the_mp4_is_the_720p_rendition_or_the_largest_below() {
        let height = |w, h| {
            let plan = renditions(w, h);
            plan[mp4_rendition(&plan)].height
        };
        assert_eq!(height(1080, 1920), 1280);
        assert_eq!(height(720, 1280), 1280);
        assert_eq!(height(480, 854), 854);
        assert_eq!(height(145, 256), 256);
        let args = mp4_args(Path::new("/out/v1/index.m3u8"), Path::new("/out/video.mp4"));
        assert!(
            args.join(" ")
                .contains("-c copy -movflags +faststart -f mp4 /out/video.mp4")
        );
    }

    proptest! {
        #[test]
        fn no_rendition_is_larger_than_its_source(w in 2u32..4000, h in 2u32..4000) {
            for r in renditions(w, h) {
                prop_assert!(r.width % 2 == 0 && r.height % 2 == 0);
                // The picture inside the frame is never enlarged: the source covers the
                // frame's width or its height.
                prop_assert!(w >= r.width || h >= r.height);
            }
        }
    }
}
