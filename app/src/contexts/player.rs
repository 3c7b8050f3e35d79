//! The music player (SPEC MUS-2): one `<audio>` element and its state, provided above
//! the router, so moving between pages never stops the music. A queue (play now, play
//! next, add, reorder, remove, clear), shuffle and repeat, and the Media Session
//! (metadata and actions), so lock-screen controls work and the installed app keeps
//! playing with the screen off.

use boptone::music::PlayableTrack;
use leptos::{html, prelude::*};

/// What happens at the end of a track.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repeat {
    Off,
    /// The queue again from the top.
    All,
    /// This track again.
    One,
}

impl Repeat {
    pub fn next(self) -> Self {
        match self {
            Self::Off => Self::All,
            Self::All => Self::One,
            Self::One => Self::Off,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Off => "Repeat: off",
            Self::All => "Repeat: all",
            Self::One => "Repeat: this track",
        }
    }
}

/// One place in the queue (the same track may be queued twice: `key` tells them apart).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueItem {
    pub key: u32,
    pub track: PlayableTrack,
}

/// The player's state and controls.
#[derive(Clone, Copy)]
pub struct Player {
    pub queue: RwSignal<Vec<QueueItem>>,
    /// The key of the queue item playing (or paused), if any.
    pub current: RwSignal<Option<u32>>,
    pub playing: RwSignal<bool>,
    /// Seconds into the track, and its length.
    pub position: RwSignal<f64>,
    pub duration: RwSignal<f64>,
    /// 0 to 1.
    pub volume: RwSignal<f64>,
    pub shuffle: RwSignal<bool>,
    pub repeat: RwSignal<Repeat>,
    /// The full-screen view is open.
    pub expanded: RwSignal<bool>,
    pub audio: NodeRef<html::Audio>,
    keys: StoredValue<u32>,
}

pub fn use_player() -> Player {
    expect_context::<Player>()
}

/// Creates the player and provides it to the whole app.
pub fn provide_player() -> Player {
    let player = Player {
        queue: RwSignal::new(Vec::new()),
        current: RwSignal::new(None),
        playing: RwSignal::new(false),
        position: RwSignal::new(0.0),
        duration: RwSignal::new(0.0),
        volume: RwSignal::new(1.0),
        shuffle: RwSignal::new(false),
        repeat: RwSignal::new(Repeat::Off),
        expanded: RwSignal::new(false),
        audio: NodeRef::new(),
        keys: StoredValue::new(0),
    };
    provide_context(player);
    player
}

impl Player {
    fn items(&self, tracks: Vec<PlayableTrack>) -> Vec<QueueItem> {
        tracks
            .into_iter()
            .map(|track| {
                self.keys.update_value(|k| *k += 1);
                QueueItem {
                    key: self.keys.get_value(),
                    track,
                }
            })
            .collect()
    }

    /// The queue item playing, if any.
    pub fn now(&self) -> Option<QueueItem> {
        let current = self.current.get()?;
        self.queue
            .with(|q| q.iter().find(|i| i.key == current).cloned())
    }

    fn index(&self) -> Option<usize> {
        let current = self.current.get_untracked()?;
        self.queue
            .with_untracked(|q| q.iter().position(|i| i.key == current))
    }

    /// Replaces the queue with `tracks` and plays the one at `start`.
    pub fn play_all(&self, tracks: Vec<PlayableTrack>, start: usize) {
        let items = self.items(tracks);
        let key = items.get(start).or(items.first()).map(|i| i.key);
        self.queue.set(items);
        self.start(key);
    }

    /// Puts `track` right after the one playing (or plays it, when nothing is queued).
    pub fn play_next(&self, track: PlayableTrack) {
        let item = self.items(vec![track]).remove(0);
        let key = item.key;
        let at = self.index().map_or(0, |i| i + 1);
        self.queue.update(|q| q.insert(at.min(q.len()), item));
        if self.current.get_untracked().is_none() {
            self.start(Some(key));
        }
    }

    /// Puts `track` at the end of the queue (or plays it, when nothing is queued).
    pub fn add_to_queue(&self, track: PlayableTrack) {
        let item = self.items(vec![track]).remove(0);
        let key = item.key;
        self.queue.update(|q| q.push(item));
        if self.current.get_untracked().is_none() {
            self.start(Some(key));
        }
    }

    /// Takes an item off the queue; taking the one playing moves on to the next.
    pub fn remove(&self, key: u32) {
        if self.current.get_untracked() == Some(key) {
            let next = self.neighbour(1, false);
            self.start(next.filter(|k| *k != key));
        }
        self.queue.update(|q| q.retain(|i| i.key != key));
    }

    /// Moves an item `by` places (−1 up, +1 down).
    pub fn shift(&self, key: u32, by: isize) {
        self.queue.update(|q| {
            if let Some(at) = q.iter().position(|i| i.key == key) {
                let to = at.saturating_add_signed(by);
                if to < q.len() {
                    q.swap(at, to);
                }
            }
        });
    }

    /// Empties the queue and stops.
    pub fn clear(&self) {
        self.start(None);
        self.queue.set(Vec::new());
    }

    /// The key `step` places away (1 next, −1 previous), by the shuffle and repeat
    /// settings; `wrap` goes round the queue's ends.
    fn neighbour(&self, step: isize, wrap: bool) -> Option<u32> {
        let len = self.queue.with_untracked(Vec::len);
        if len == 0 {
            return None;
        }
        let at = self.index()?;
        let to = if self.shuffle.get_untracked() && len > 1 && step > 0 {
            // Any other track.
            #[cfg(feature = "hydrate")]
            #[allow(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                clippy::cast_precision_loss
            )]
            let pick = (js_sys::Math::random() * (len - 1) as f64) as usize;
            #[cfg(not(feature = "hydrate"))]
            let pick = 0;
            Some(if pick >= at { pick + 1 } else { pick })
        } else {
            let to = at.checked_add_signed(step);
            match to {
                Some(i) if i < len => Some(i),
                _ if wrap => Some(if step > 0 { 0 } else { len - 1 }),
                _ => None,
            }
        };
        to.and_then(|i| self.queue.with_untracked(|q| q.get(i).map(|item| item.key)))
    }

    /// Plays the next track (round to the first with repeat on).
    pub fn next(&self) {
        let wrap = self.repeat.get_untracked() != Repeat::Off;
        if let Some(key) = self.neighbour(1, wrap) {
            self.start(Some(key));
        }
    }

    /// Back to the start of the track, or the one before when just begun.
    pub fn previous(&self) {
        if self.position.get_untracked() > 3.0 {
            self.seek(0.0);
        } else if let Some(key) = self.neighbour(-1, self.repeat.get_untracked() == Repeat::All) {
            self.start(Some(key));
        } else {
            self.seek(0.0);
        }
    }

    /// What the end of a track leads to.
    pub fn ended(&self) {
        match self.repeat.get_untracked() {
            Repeat::One => {
                self.seek(0.0);
                self.resume();
            }
            Repeat::All => self.next(),
            Repeat::Off => match self.neighbour(1, false) {
                Some(key) => self.start(Some(key)),
                None => self.playing.set(false),
            },
        }
    }

    /// Plays the queue item `key` from its start (or stops, with `None`).
    pub fn start(&self, key: Option<u32>) {
        self.current.set(key);
        self.position.set(0.0);
        let src = key.and_then(|k| {
            self.queue
                .with_untracked(|q| q.iter().find(|i| i.key == k).map(|i| i.track.clone()))
        });
        let Some(audio) = self.audio.get_untracked() else {
            return;
        };
        match src {
            Some(track) => {
                #[allow(clippy::cast_precision_loss)]
                self.duration.set(track.duration_ms as f64 / 1000.0);
                audio.set_src(&track.stream_url);
                self.resume();
                #[cfg(feature = "hydrate")]
                media_session::describe(&track);
            }
            None => {
                let _ = audio.pause();
                audio.remove_attribute("src").ok();
                self.playing.set(false);
            }
        }
    }

    /// Plays (again) what is loaded.
    pub fn resume(&self) {
        if let Some(audio) = self.audio.get_untracked() {
            #[cfg(feature = "hydrate")]
            if let Ok(promise) = audio.play() {
                // A refusal (no tap yet) leaves it paused; the button says so.
                let refused =
                    wasm_bindgen::closure::Closure::once(move |_: wasm_bindgen::JsValue| {});
                let _ = promise.catch(&refused);
                refused.forget();
            }
            #[cfg(not(feature = "hydrate"))]
            let _ = audio;
        }
    }

    /// Play or pause.
    pub fn toggle(&self) {
        let Some(audio) = self.audio.get_untracked() else {
            return;
        };
        if self.current.get_untracked().is_none() {
            return;
        }
        if audio.paused() {
            self.resume();
        } else {
            let _ = audio.pause();
        }
    }

    /// Jumps to `seconds` into the track.
    pub fn seek(&self, seconds: f64) {
        if let Some(audio) = self.audio.get_untracked() {
            let end = self.duration.get_untracked().max(0.0);
            let to = seconds.clamp(0.0, end);
            audio.set_current_time(to);
            self.position.set(to);
        }
    }
}

/// The lock screen's view of the player: the Media Session API, reached through
/// `js_sys` (web-sys exposes it only as an unstable API).
#[cfg(feature = "hydrate")]
pub mod media_session {
    use boptone::music::PlayableTrack;
    use js_sys::{Array, Object, Reflect};
    use leptos::prelude::GetUntracked;
    use wasm_bindgen::{JsCast, JsValue, closure::Closure};

    use super::Player;

    /// `navigator.mediaSession`, where the browser has it.
    fn session() -> Option<JsValue> {
        let navigator = web_sys::window()?.navigator();
        let session = Reflect::get(&navigator, &"mediaSession".into()).ok()?;
        (!session.is_undefined() && !session.is_null()).then_some(session)
    }

    fn object(pairs: &[(&str, JsValue)]) -> Object {
        let object = Object::new();
        for (key, value) in pairs {
            let _ = Reflect::set(&object, &(*key).into(), value);
        }
        object
    }

    /// Shows `track` (title, artist, release, artwork) on the lock screen.
    pub fn describe(track: &PlayableTrack) {
        let Some(session) = session() else { return };
        let Some(window) = web_sys::window() else {
            return;
        };
        let Ok(constructor) = Reflect::get(&window, &"MediaMetadata".into()) else {
            return;
        };
        let Ok(constructor) = constructor.dyn_into::<js_sys::Function>() else {
            return;
        };
        let artwork = Array::new();
        if let Some(url) = &track.artwork_url {
            artwork.push(&object(&[
                ("src", url.into()),
                ("sizes", "1200x1200".into()),
                ("type", "image/jpeg".into()),
            ]));
        }
        let init = object(&[
            ("title", track.title.as_str().into()),
            ("artist", track.artist.as_str().into()),
            ("album", track.release.as_str().into()),
            ("artwork", artwork.into()),
        ]);
        if let Ok(metadata) = Reflect::construct(&constructor, &Array::of1(&init)) {
            let _ = Reflect::set(&session, &"metadata".into(), &metadata);
        }
    }

    /// Lets the lock screen's buttons drive the player.
    pub fn connect(player: Player) {
        let Some(session) = session() else { return };
        let Ok(set) = Reflect::get(&session, &"setActionHandler".into())
            .and_then(|f| f.dyn_into::<js_sys::Function>())
        else {
            return;
        };
        let on = |action: &str, run: Box<dyn Fn(JsValue)>| {
            let handler = Closure::<dyn Fn(JsValue)>::new(run);
            // Browsers refuse actions they don't know: that only leaves it out.
            let _ = set.call2(&session, &action.into(), handler.as_ref().unchecked_ref());
            handler.forget();
        };
        on("play", Box::new(move |_| player.resume()));
        on(
            "pause",
            Box::new(move |_| {
                if let Some(audio) = player.audio.get_untracked() {
                    let _ = audio.pause();
                }
            }),
        );
        on("nexttrack", Box::new(move |_| player.next()));
        on("previoustrack", Box::new(move |_| player.previous()));
        on(
            "seekto",
            Box::new(move |details| {
                if let Some(at) = Reflect::get(&details, &"seekTime".into())
                    .ok()
                    .and_then(|v| v.as_f64())
                {
                    player.seek(at);
                }
            }),
        );
        on(
            "seekbackward",
            Box::new(move |_| player.seek(player.position.get_untracked() - 10.0)),
        );
        on(
            "seekforward",
            Box::new(move |_| player.seek(player.position.get_untracked() + 10.0)),
        );
    }
}
