//! Audio by content: the format recognised from an upload's first bytes, what ffprobe
//! says of it, the streaming rendition ffmpeg makes, and the waveform's peaks computed
//! from the decoded samples as they stream out of ffmpeg.

use std::path::Path;

use serde::Deserialize;

/// An audio format we accept, recognised from the file's first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AudioKind {
    Wav,
    Aiff,
    Flac,
    Mp3,
    /// AAC in an ADTS stream (`.aac`).
    Aac,
    /// AAC or ALAC in an MP4 container (`.m4a`).
    M4a,
    /// Ogg (Vorbis or Opus).
    Ogg,
}

impl AudioKind {
    /// Recognises the formats by their signatures; anything else is `None`, whatever
    /// its name says.
    pub fn sniff(start: &[u8]) -> Option<Self> {
        let at = |from: usize, sig: &[u8]| start.get(from..from + sig.len()) == Some(sig);
        if at(0, b"RIFF") && at(8, b"WAVE") {
            return Some(Self::Wav);
        }
        if at(0, b"FORM") && (at(8, b"AIFF") || at(8, b"AIFC")) {
            return Some(Self::Aiff);
        }
        if at(0, b"fLaC") {
            return Some(Self::Flac);
        }
        if at(0, b"OggS") {
            return Some(Self::Ogg);
        }
        if at(4, b"ftyp") {
            return Some(Self::M4a);
        }
        if at(0, b"ID3") {
            return Some(Self::Mp3);
        }
        match start {
            // ADTS: sync word, layer 00.
            [0xFF, b, ..] if b & 0xF6 == 0xF0 => Some(Self::Aac),
            // MPEG audio frame: sync, a version and a layer that exist.
            [0xFF, b, ..] if b & 0xE0 == 0xE0 && b & 0x18 != 0x08 && b & 0x06 != 0 => {
                Some(Self::Mp3)
            }
            _ => None,
        }
    }

    /// The original's file extension in storage.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Wav => "wav",
            Self::Aiff => "aiff",
            Self::Flac => "flac",
            Self::Mp3 => "mp3",
            Self::Aac => "aac",
            Self::M4a => "m4a",
            Self::Ogg => "ogg",
        }
    }
}

/// What ffprobe found in a file's first audio stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AudioProbe {
    pub codec: String,
    pub sample_rate: u32,
    pub channels: u32,
    pub duration_ms: i64,
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
    codec_name: Option<String>,
    sample_rate: Option<String>,
    channels: Option<u32>,
    duration: Option<String>,
}

#[derive(Deserialize)]
struct FfprobeFormat {
    duration: Option<String>,
}

/// Reads ffprobe's JSON (`-show_format -show_streams`); `None` when the file has no
/// audio stream with a length.
pub fn parse_probe(json: &str) -> Option<AudioProbe> {
    let out: FfprobeOutput = serde_json::from_str(json).ok()?;
    let stream = out
        .streams
        .into_iter()
        .find(|s| s.codec_type.as_deref() == Some("audio"))?;
    let seconds = stream
        .duration
        .as_deref()
        .or(out.format.as_ref().and_then(|f| f.duration.as_deref()))
        .and_then(|d| d.parse::<f64>().ok())
        .filter(|d| d.is_finite() && *d > 0.0)?;
    #[allow(clippy::cast_possible_truncation)]
    let duration_ms = (seconds * 1000.0).round() as i64;
    Some(AudioProbe {
        codec: stream.codec_name.unwrap_or_default(),
        sample_rate: stream.sample_rate.and_then(|r| r.parse().ok()).unwrap_or(0),
        channels: stream.channels.unwrap_or(0),
        duration_ms,
    })
}

/// The streaming rendition's bit rate (AAC-LC, stereo).
pub const STREAM_KBPS: u32 = 256;

/// The arguments for the streaming rendition: the first audio stream as AAC-LC in an
/// `.m4a` with its index first (`+faststart`), so a player starts from the first
/// bytes and seeks with Range requests. 44.1 kHz stays 44.1 kHz, anything else becomes
/// 48 kHz; mono stays mono. Progress goes to stdout (`-progress pipe:1`).
pub fn stream_args(input: &Path, output: &Path, probe: &AudioProbe) -> Vec<String> {
    let rate = if probe.sample_rate == 44_100 {
        44_100
    } else {
        48_000
    };
    let channels = probe.channels.clamp(1, 2);
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
    args.extend(
        [
            "-map",
            "0:a:0",
            "-vn",
            // Nothing of the original's tags (an encoder's name, a path) is kept.
            "-map_metadata",
            "-1",
            "-c:a",
            "aac",
            "-profile:a",
            "aac_low",
        ]
        .map(String::from),
    );
    args.extend([
        "-b:a".into(),
        format!("{STREAM_KBPS}k"),
        "-ar".into(),
        rate.to_string(),
        "-ac".into(),
        channels.to_string(),
    ]);
    args.extend(["-movflags", "+faststart", "-f", "mp4"].map(String::from));
    args.push(output.display().to_string());
    args
}

/// How many peaks a waveform has.
pub const PEAK_COUNT: usize = 1000;
/// The sample rate the peaks are computed at (mono): plenty for a drawing.
pub const PEAK_RATE: u32 = 8000;

/// The arguments that decode the first audio stream to mono 16-bit samples at
/// [`PEAK_RATE`] on stdout, for [`Peaks`].
pub fn peak_args(input: &Path) -> Vec<String> {
    let mut args: Vec<String> = ["-hide_banner", "-nostdin", "-loglevel", "error", "-i"]
        .map(String::from)
        .to_vec();
    args.push(input.display().to_string());
    args.extend(["-map", "0:a:0", "-vn", "-ac", "1"].map(String::from));
    args.extend(["-ar".into(), PEAK_RATE.to_string()]);
    args.extend(["-f", "s16le", "-c:a", "pcm_s16le", "pipe:1"].map(String::from));
    args
}

/// A waveform in the making: the loudest sample of each bucket of the decoded audio,
/// fed in chunks of little-endian 16-bit bytes as they come.
#[derive(Debug)]
pub struct Peaks {
    bucket: u64,
    in_bucket: u64,
    loudest: u16,
    peaks: Vec<u16>,
    /// An odd byte left over from the last chunk.
    carry: Option<u8>,
}

impl Peaks {
    /// For audio of `duration_ms`, so that it makes about [`PEAK_COUNT`] peaks.
    pub fn for_duration(duration_ms: i64) -> Self {
        let samples = u64::try_from(duration_ms.max(1)).unwrap_or(1) * u64::from(PEAK_RATE) / 1000;
        Self {
            bucket: samples.div_ceil(PEAK_COUNT as u64).max(1),
            in_bucket: 0,
            loudest: 0,
            peaks: Vec::with_capacity(PEAK_COUNT + 1),
            carry: None,
        }
    }

    /// Takes the next bytes of samples (any length: a sample may span two chunks).
    pub fn feed(&mut self, mut bytes: &[u8]) {
        if let Some(low) = self.carry.take() {
            let Some((&high, rest)) = bytes.split_first() else {
                self.carry = Some(low);
                return;
            };
            self.sample(i16::from_le_bytes([low, high]));
            bytes = rest;
        }
        let mut pairs = bytes.chunks_exact(2);
        for pair in &mut pairs {
            self.sample(i16::from_le_bytes([pair[0], pair[1]]));
        }
        if let [odd] = pairs.remainder() {
            self.carry = Some(*odd);
        }
    }

    fn sample(&mut self, value: i16) {
        self.loudest = self.loudest.max(value.unsigned_abs());
        self.in_bucket += 1;
        if self.in_bucket == self.bucket {
            self.peaks.push(self.loudest);
            self.loudest = 0;
            self.in_bucket = 0;
        }
    }

    /// The peaks, 0 to 255, scaled so the loudest is 255 (a quiet master still draws
    /// a full shape); silence is all zeros.
    pub fn finish(mut self) -> Vec<u8> {
        if self.in_bucket > 0 {
            self.peaks.push(self.loudest);
        }
        let top = u32::from(self.peaks.iter().copied().max().unwrap_or(0));
        self.peaks
            .into_iter()
            .map(|p| {
                // At most 255 by construction; silence (no loudest peak) stays 0.
                (u32::from(p) * 255)
                    .checked_div(top)
                    .map_or(0, |v| u8::try_from(v).unwrap_or(u8::MAX))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn formats_are_recognised_by_content() {
        assert_eq!(
            AudioKind::sniff(b"RIFF\x24\0\0\0WAVEfmt "),
            Some(AudioKind::Wav)
        );
        assert_eq!(AudioKind::sniff(b"FORM\0\0\0\0AIFF"), Some(AudioKind::Aiff));
        assert_eq!(AudioKind::sniff(b"fLaC\0\0\0\x22"), Some(AudioKind::Flac));
        assert_eq!(AudioKind::sniff(b"ID3\x04\0\0"), Some(AudioKind::Mp3));
        assert_eq!(
            AudioKind::sniff(&[0xFF, 0xFB, 0x90, 0x64]),
            Some(AudioKind::Mp3)
        );
        assert_eq!(
            AudioKind::sniff(&[0xFF, 0xF1, 0x50, 0x80]),
            Some(AudioKind::Aac)
        );
        assert_eq!(
            AudioKind::sniff(b"\0\0\0\x20ftypM4A "),
            Some(AudioKind::M4a)
        );
        assert_eq!(AudioKind::sniff(b"OggS\0\x02"), Some(AudioKind::Ogg));
        // A photo, text, and MPEG sync with a reserved layer are not audio.
        assert_eq!(AudioKind::sniff(b"\xFF\xD8\xFF\xE0\0\x10JFIF"), None);
        assert_eq!(AudioKind::sniff(b"hello, world"), None);
        assert_eq!(AudioKind::sniff(&[0xFF, 0xE0, 0, 0]), None);
        assert_eq!(AudioKind::sniff(b""), None);
    }

    #[test]
    fn ffprobe_output_is_read() {
        let json = r#"{"streams":[{"codec_type":"video","codec_name":"mjpeg"},
            {"codec_type":"audio","codec_name":"flac","sample_rate":"96000","channels":2,"duration":"183.512"}],
            "format":{"duration":"183.6"}}"#;
        assert_eq!(
            parse_probe(json),
            Some(AudioProbe {
                codec: "flac".into(),
                sample_rate: 96_000,
                channels: 2,
                duration_ms: 183_512,
            })
        );
        // The format's length stands in for a stream without one.
        let ogg = r#"{"streams":[{"codec_type":"audio","codec_name":"opus","sample_rate":"48000","channels":1}],
            "format":{"duration":"12.5"}}"#;
        assert_eq!(parse_probe(ogg).map(|p| p.duration_ms), Some(12_500));
        assert_eq!(
            parse_probe(r#"{"streams":[{"codec_type":"video"}],"format":{"duration":"3"}}"#),
            None
        );
        assert_eq!(parse_probe("not json"), None);
    }

    #[test]
    fn the_stream_is_aac_with_its_index_first() {
        let probe = AudioProbe {
            codec: "flac".into(),
            sample_rate: 96_000,
            channels: 6,
            duration_ms: 1000,
        };
        let args = stream_args(Path::new("/in"), Path::new("/out.m4a"), &probe).join(" ");
        assert!(
            args.contains("-c:a aac -profile:a aac_low -b:a 256k -ar 48000 -ac 2"),
            "{args}"
        );
        assert!(
            args.contains("-movflags +faststart -f mp4 /out.m4a"),
            "{args}"
        );
        let cd = AudioProbe {
            sample_rate: 44_100,
            channels: 1,
            ..probe
        };
        let args = stream_args(Path::new("/in"), Path::new("/out.m4a"), &cd).join(" ");
        assert!(args.contains("-ar 44100 -ac 1"), "{args}");
    }

    #[test]
    fn peaks_follow_the_loudness() {
        // One second rising from silence to full scale, fed in odd-sized chunks.
        let samples: Vec<i16> = (0..8000)
            .map(|i| i16::try_from(i * 4).unwrap_or(i16::MAX))
            .collect();
        let bytes: Vec<u8> = samples.iter().flat_map(|s| s.to_le_bytes()).collect();
        let mut peaks = Peaks::for_duration(1000);
        for chunk in bytes.chunks(333) {
            peaks.feed(chunk);
        }
        let peaks = peaks.finish();
        assert_eq!(peaks.len(), 1000);
        assert_eq!(peaks[999], 255);
        assert!(peaks.windows(2).all(|w| w[0] <= w[1]), "rising");
        assert!(peaks[0] < 5);
    }

    proptest! {
        #[test]
        fn a_waveform_has_about_a_thousand_peaks(duration_ms in 1i64..3_600_000, split in 1usize..4096) {
            let samples = u64::try_from(duration_ms).expect("positive") * u64::from(PEAK_RATE) / 1000;
            let mut peaks = Peaks::for_duration(duration_ms);
            // Real decoders end a little early or late: feed 1% more.
            let bytes = vec![0x11u8; usize::try_from(samples * 2 / 100 * 101).expect("fits").min(1 << 20)];
            for chunk in bytes.chunks(split) {
                peaks.feed(chunk);
            }
            let peaks = peaks.finish();
            let fed = bytes.len() as u64 / 2;
            let bucket = samples.div_ceil(PEAK_COUNT as u64).max(1);
            prop_assert_eq!(peaks.len() as u64, fed.div_ceil(bucket));
            prop_assert!(peaks.iter().all(|p| *p == 255 || fed == 0));
        }
    }
}
