//! The demo artists' Bops: short clips made with ffmpeg's own sources (moving colour
//! gradients with a little synthesised melody), kept in a folder so they are made
//! once, then posted and processed like any upload. Fans watch, like, comment and
//! follow through the same services the app uses; a few months of tips are loaded as
//! history (`tips::service::record_past`).

use std::path::Path;

use bytes::Bytes;

use crate::{
    accounts::UserId,
    bops::{
        engagement::{self, Viewer},
        service as bops,
    },
    db::query,
    error::AppError,
    fans::service as fans,
    state::AppState,
    time::{DAY, HOUR, now_ms},
};

type Clip = (&'static str, &'static str, &'static str);

/// Per demo artist: two clips (gradient kind, colours, caption).
const CLIPS: &[(&str, [Clip; 2])] = &[
    (
        "nova_reyes",
        [
            (
                "spiral",
                "0xff2bd6:0x6a00ff:0x00e5ff",
                "Wrote this one on the night bus home 🌙 #bedroompop #newmusic",
            ),
            (
                "radial",
                "0xffb3c7:0xff5e7e:0x7a2cff",
                "Closet studio session, take 14. Be kind #indiepop",
            ),
        ],
    ),
    (
        "the_low_tides",
        [
            (
                "linear",
                "0x00c2c7:0x004e92:0xf7d488",
                "Low tide, high reverb. Live to tape from the beach #surfrock",
            ),
            (
                "circular",
                "0x2ec4b6:0xe0fbfc:0x3d5a80",
                "Soundcheck in Lisbon before the storm rolled in #indie",
            ),
        ],
    ),
    (
        "kofi_mensah",
        [
            (
                "circular",
                "0xffb400:0xe4572e:0x29bf12",
                "Saturday studio: the kids built this beat from scratch #afrobeats",
            ),
            (
                "spiral",
                "0xf3a712:0xdb2b39:0x29335c",
                "Highlife guitar over a new groove. Thoughts? #highlife",
            ),
        ],
    ),
    (
        "mira_sol",
        [
            (
                "radial",
                "0x8e2de2:0x4a00e0:0xff9a8b",
                "Late set at Café Olimpico, last Thursday #neosoul #jazz",
            ),
            (
                "linear",
                "0xc471f5:0xfa71cd:0x1f1c2c",
                "Nouvelle chanson, new song: bilingual chorus coming soon",
            ),
        ],
    ),
    (
        "static_bloom",
        [
            (
                "circular",
                "0xff0080:0x7928ca:0x00ffd5",
                "Night drive through Kreuzberg, patch 7 on the old Juno #synthwave",
            ),
            (
                "spiral",
                "0x0f0c29:0x302b63:0xff00cc",
                "Tape echo feedback loop, 4 a.m. #electronic",
            ),
        ],
    ),
];

/// Makes (once) clip `name` in `dir`: 5 seconds, 720×1280, a moving gradient and a
/// short arpeggio from `pitch` Hz.
fn clip(
    dir: &Path,
    name: &str,
    kind: &str,
    colours: &str,
    pitch: u32,
) -> Result<Vec<u8>, AppError> {
    let path = dir.join(format!("{name}.mp4"));
    if !path.exists() {
        std::fs::create_dir_all(dir)
            .map_err(|e| AppError::internal("making the demo clip folder", &e))?;
        let colours: Vec<&str> = colours.split(':').collect();
        let stops = colours
            .iter()
            .enumerate()
            .map(|(i, c)| format!("c{i}={c}"))
            .collect::<Vec<_>>()
            .join(":");
        let video = format!(
            "gradients=s=720x1280:r=25:speed=0.04:n={}:{stops}:type={kind}",
            colours.len()
        );
        let audio = format!(
            "aevalsrc='0.14*sin(2*PI*t*{pitch}*pow(2,floor(mod(t*4,8))/12))+0.08*sin(2*PI*t*{})':s=48000",
            pitch / 2
        );
        // Written beside, then renamed: an interrupted run leaves no half clip.
        let partial = dir.join(format!("{name}.partial.mp4"));
        let status = std::process::Command::new("ffmpeg")
            .args(["-hide_banner", "-loglevel", "error", "-y"])
            .args(["-f", "lavfi", "-i", &video, "-f", "lavfi", "-i", &audio])
            .args(["-t", "5", "-c:v", "libx264", "-preset", "veryfast"])
            .args(["-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest"])
            .arg(&partial)
            .status()
            .map_err(|e| AppError::internal("running ffmpeg for the demo clips", &e))?;
        if !status.success() {
            return Err(AppError::internal(
                "ffmpeg could not make a demo clip",
                &std::io::Error::other(format!("exit {status}")),
            ));
        }
        std::fs::rename(&partial, &path)
            .map_err(|e| AppError::internal("keeping a demo clip", &e))?;
    }
    std::fs::read(&path).map_err(|e| AppError::internal("reading a demo clip", &e))
}

const COMMENTS: &[&str] = &[
    "This is so good 🔥",
    "On repeat all week",
    "Need the full version!!",
    "Saw you live last month, still thinking about it",
    "The colours match the sound perfectly",
];

/// Posts the demo artists' Bops (skipping artists who have some), processes them, and
/// gives them an audience. Returns how many Bops were posted.
pub async fn seed_bops(state: &AppState, clips: &Path) -> Result<u64, AppError> {
    let now = now_ms();
    let mut artists = Vec::with_capacity(CLIPS.len());
    for (handle, _) in CLIPS {
        let id: i64 = query("SELECT id FROM users WHERE handle = $1")
            .bind(*handle)
            .scalar_one(&state.db)
            .await?;
        artists.push(UserId(id));
    }
    let mut posted = Vec::new();
    for (a, (handle, artist_clips)) in CLIPS.iter().enumerate() {
        let artist = artists[a];
        let existing: i64 = query("SELECT COUNT(*) FROM bops WHERE artist_id = $1")
            .bind(artist.0)
            .scalar_one(&state.db)
            .await?;
        if existing > 0 {
            continue;
        }
        for (c, (kind, colours, caption)) in artist_clips.iter().enumerate() {
            let n = a * 2 + c;
            let pitch = 196 + 40 * u32::try_from(n).unwrap_or(0);
            let bytes = clip(clips, &format!("{handle}-{c}"), kind, colours, pitch)?;
            let body = futures::stream::iter(
                bytes
                    .chunks(256 * 1024)
                    .map(|chunk| Ok::<_, std::io::Error>(Bytes::copy_from_slice(chunk)))
                    .collect::<Vec<_>>(),
            );
            let id =
                bops::upload(state, artist, caption, body, crate::bops::MAX_VIDEO_BYTES).await?;
            posted.push((artist, id, n));
        }
    }
    if posted.is_empty() {
        return Ok(0);
    }
    crate::background::run_pending(state).await?;
    let fans_list: Vec<i64> = query("SELECT id FROM users WHERE role = 'fan' ORDER BY id")
        .scalar_all(&state.db)
        .await?;
    for &(artist, id, n) in &posted {
        // Spread over the last weeks, the first clip newest.
        let age = i64::try_from(n).unwrap_or(0);
        bops::backdate(&state.db, id, now - age * (2 * DAY + 3 * HOUR) - HOUR).await?;
        for v in 0..(12 + age * 7) {
            let device = Viewer::Device(format!("demo-device-{v:04}-{}", artist.0));
            engagement::view(state, &device, id, now).await?;
        }
        for (f, fan) in fans_list.iter().enumerate() {
            let fan = UserId(*fan);
            engagement::view(state, &Viewer::User(fan), id, now).await?;
            if (f + n) % 2 == 0 {
                engagement::like(state, fan, id).await?;
            }
            if (f + n) % 3 == 0 {
                engagement::comment(state, fan, id, COMMENTS[(f + n) % COMMENTS.len()]).await?;
            }
        }
    }
    // A few months of tips, half of them from Bops.
    const AMOUNTS: [i64; 8] = [500, 300, 1_000, 500, 2_000, 700, 1_500, 500];
    const MESSAGES: [&str; 4] = [
        "",
        "Thank you for this one!",
        "",
        "See you at the next show",
    ];
    let mut k = 0usize;
    for (a, (handle, _)) in CLIPS.iter().enumerate() {
        let artist = artists[a].0;
        let bops_of: Vec<i64> = posted
            .iter()
            .filter(|(who, _, _)| who.0 == artist)
            .map(|(_, id, _)| *id)
            .collect();
        for t in 0..(14 + a * 3) {
            k += 1;
            let fan = fans_list[k % fans_list.len().max(1)];
            let fan_email: String = query("SELECT email FROM users WHERE id = $1")
                .bind(fan)
                .scalar_one(&state.db)
                .await?;
            let days_ago = i64::try_from(t * 6 + a).unwrap_or(0);
            crate::tips::service::record_past(
                &state.db,
                &crate::tips::service::PastTip {
                    artist,
                    fan,
                    fan_email,
                    bop: (t % 2 == 0)
                        .then(|| bops_of.get(t / 2 % bops_of.len().max(1)).copied())
                        .flatten(),
                    amount_cents: AMOUNTS[k % AMOUNTS.len()],
                    message: MESSAGES[k % MESSAGES.len()].to_owned(),
                    at: now - days_ago * DAY - 5 * HOUR,
                    key: format!("demo:{handle}:{t}"),
                },
            )
            .await?;
        }
    }
    // Each demo fan follows a few artists.
    for (f, fan) in fans_list.iter().enumerate() {
        for (a, (handle, _)) in CLIPS.iter().enumerate() {
            if (a + f) % 2 == 0 {
                fans::follow(&state.db, UserId(*fan), handle).await?;
            }
        }
    }
    crate::background::run_pending(state).await?;
    // All of this is the past: its notifications (new followers) are already read.
    for &artist in &artists {
        crate::notifications::service::mark_all_read(&state.db, artist).await?;
    }
    Ok(posted.len() as u64)
}
