//! The player on every page: the one `<audio>` element, a bar with what plays (mini on
//! phones), and an expanded view with the waveform to seek on, the controls and the
//! queue. Keyboard: `p` plays or pauses, Shift+N and Shift+P go to the next and
//! previous track, anywhere but in a text field; on the waveform, ←/→ seek 5 s.

use boptone::time::clock;
use leptos::prelude::*;

use crate::{
    components::icons::{self, Icon},
    contexts::player::{Player, Repeat, use_player},
};

/// The audio element and the player's bar and expanded view.
#[component]
pub fn PlayerBar() -> AnyView {
    let player = use_player();
    #[cfg(feature = "hydrate")]
    {
        Effect::new(move |done: Option<bool>| {
            if done != Some(true) && player.audio.get().is_some() {
                crate::contexts::player::media_session::connect(player);
                shortcuts(player);
                return true;
            }
            done.unwrap_or(false)
        });
    }
    let on_time = move |_| {
        if let Some(audio) = player.audio.get_untracked() {
            player.position.set(audio.current_time());
        }
    };
    let on_meta = move |_| {
        if let Some(audio) = player.audio.get_untracked() {
            let d = audio.duration();
            if d.is_finite() && d > 0.0 {
                player.duration.set(d);
            }
        }
    };
    Effect::new(move |_| {
        let volume = player.volume.get();
        if let Some(audio) = player.audio.get() {
            audio.set_volume(volume);
        }
    });
    view! {
        <audio
            node_ref=player.audio
            preload="auto"
            data-testid="player-audio"
            on:timeupdate=on_time
            on:loadedmetadata=on_meta
            on:play=move |_| player.playing.set(true)
            on:pause=move |_| player.playing.set(false)
            on:ended=move |_| player.ended()
        ></audio>
        <Show when=move || player.current.get().is_some()>
            <MiniBar player />
            <Show when=move || player.expanded.get()>
                <Expanded player />
            </Show>
        </Show>
    }
    .into_any()
}

/// What plays, in a bar above the tab bar (phones) or at the bottom (wider screens).
#[component]
fn MiniBar(player: Player) -> AnyView {
    let now = move || player.now();
    let progress = move || {
        let d = player.duration.get();
        if d > 0.0 {
            (player.position.get() / d * 100.0).clamp(0.0, 100.0)
        } else {
            0.0
        }
    };
    view! {
        <section
            aria-label="Player"
            class="fixed inset-x-0 bottom-16 z-30 border-t border-zinc-800 bg-zinc-900/95 backdrop-blur md:bottom-0 md:left-64"
        >
            <div class="h-0.5 bg-zinc-800">
                <div
                    class="h-full bg-fuchsia-400"
                    style=move || format!("width: {:.1}%", progress())
                ></div>
            </div>
            <div class="flex items-center gap-3 px-3 py-2">
                {move || {
                    now()
                        .map(|item| {
                            let t = item.track;
                            view! {
                                <button
                                    type="button"
                                    class="flex min-w-0 flex-1 items-center gap-3 text-left"
                                    aria-label="Open the player"
                                    on:click=move |_| player.expanded.set(true)
                                >
                                    {t
                                        .artwork_url
                                        .clone()
                                        .map(|src| {
                                            view! {
                                                <img
                                                    src=src
                                                    alt=""
                                                    class="h-10 w-10 shrink-0 rounded-md object-cover"
                                                />
                                            }
                                        })}
                                    <span class="min-w-0">
                                        <span
                                            class="block truncate text-sm font-semibold text-white"
                                            data-testid="now-playing"
                                        >
                                            {t.title.clone()}
                                        </span>
                                        <span class="block truncate text-xs text-zinc-400">
                                            {t.artist.clone()}
                                        </span>
                                    </span>
                                </button>
                            }
                        })
                }}
                <button
                    type="button"
                    class="hidden rounded-full p-2 text-zinc-200 hover:bg-zinc-800 sm:block"
                    aria-label="Previous track"
                    on:click=move |_| player.previous()
                >
                    <Icon path=icons::PREVIOUS class="h-5 w-5" />
                </button> <PlayButton player />
                <button
                    type="button"
                    class="rounded-full p-2 text-zinc-200 hover:bg-zinc-800"
                    aria-label="Next track"
                    on:click=move |_| player.next()
                >
                    <Icon path=icons::NEXT class="h-5 w-5" />
                </button>
            </div>
        </section>
    }
    .into_any()
}

#[component]
fn PlayButton(player: Player) -> AnyView {
    view! {
        <button
            type="button"
            class="grid h-10 w-10 place-items-center rounded-full bg-white text-zinc-950 hover:bg-zinc-200"
            aria-label=move || if player.playing.get() { "Pause" } else { "Play" }
            on:click=move |_| player.toggle()
        >
            {move || {
                if player.playing.get() {
                    view! { <Icon path=icons::PAUSE class="h-5 w-5" /> }.into_any()
                } else {
                    view! { <Icon path=icons::PLAY class="h-5 w-5" /> }.into_any()
                }
            }}
        </button>
    }
    .into_any()
}

/// The full player: artwork, waveform, controls, volume, and the queue.
#[component]
fn Expanded(player: Player) -> AnyView {
    let now = move || player.now();
    view! {
        <div
            role="dialog"
            aria-modal="true"
            aria-label="Now playing"
            class="fixed inset-0 z-40 overflow-y-auto bg-zinc-950/98 px-4 pb-10 pt-4 backdrop-blur"
            on:keydown=move |ev| {
                if ev.key() == "Escape" {
                    player.expanded.set(false);
                }
            }
        >
            <div class="mx-auto max-w-xl">
                <button
                    type="button"
                    class="btn-secondary"
                    on:click=move |_| player.expanded.set(false)
                >
                    "Close player"
                </button>
                {move || {
                    now()
                        .map(|item| {
                            let t = item.track;
                            view! {
                                <div class="mt-6 flex flex-col items-center text-center">
                                    {t
                                        .artwork_url
                                        .clone()
                                        .map(|src| {
                                            view! {
                                                <img
                                                    src=src
                                                    alt=format!("Artwork for {}", t.release)
                                                    class="aspect-square w-full max-w-sm rounded-2xl object-cover shadow-2xl"
                                                />
                                            }
                                        })}
                                    <h2 class="mt-6 text-2xl font-bold text-white">
                                        {t.title.clone()}
                                    </h2>
                                    <p class="mt-1 text-zinc-300">
                                        {t.artist.clone()} " · "
                                        <a
                                            href=t.release_url.clone()
                                            class="link"
                                            on:click=move |_| player.expanded.set(false)
                                        >
                                            {t.release.clone()}
                                        </a>
                                    </p> <Waveform player peaks=t.peaks.clone() />
                                </div>
                            }
                        })
                }}
                <div class="mt-2 flex justify-between text-xs tabular-nums text-zinc-400">
                    <span>{move || clock((player.position.get() * 1000.0) as i64)}</span>
                    <span>{move || clock((player.duration.get() * 1000.0) as i64)}</span>
                </div>
                <div class="mt-4 flex items-center justify-center gap-4">
                    <button
                        type="button"
                        class="rounded-full p-2 text-zinc-300 hover:bg-zinc-800"
                        aria-pressed=move || if player.shuffle.get() { "true" } else { "false" }
                        aria-label="Shuffle"
                        on:click=move |_| player.shuffle.update(|s| *s = !*s)
                    >
                        <Icon path=icons::SHUFFLE class="h-5 w-5" />
                    </button>
                    <button
                        type="button"
                        class="rounded-full p-2 text-zinc-100 hover:bg-zinc-800"
                        aria-label="Previous track"
                        on:click=move |_| player.previous()
                    >
                        <Icon path=icons::PREVIOUS class="h-6 w-6" />
                    </button>
                    <PlayButton player />
                    <button
                        type="button"
                        class="rounded-full p-2 text-zinc-100 hover:bg-zinc-800"
                        aria-label="Next track"
                        on:click=move |_| player.next()
                    >
                        <Icon path=icons::NEXT class="h-6 w-6" />
                    </button>
                    <button
                        type="button"
                        class="rounded-full p-2 text-zinc-300 hover:bg-zinc-800"
                        aria-label=move || player.repeat.get().label()
                        aria-pressed=move || {
                            if player.repeat.get() == Repeat::Off { "false" } else { "true" }
                        }
                        on:click=move |_| player.repeat.update(|r| *r = r.next())
                    >
                        <Icon path=icons::REPEAT class="h-5 w-5" />
                    </button>
                </div>
                <label class="mt-6 flex items-center gap-3 text-sm text-zinc-300">
                    "Volume"
                    <input
                        type="range"
                        min="0"
                        max="100"
                        class="flex-1 accent-fuchsia-400"
                        prop:value=move || {
                            ((player.volume.get() * 100.0).round() as i64).to_string()
                        }
                        on:input=move |ev| {
                            if let Ok(v) = event_target_value(&ev).parse::<f64>() {
                                player.volume.set((v / 100.0).clamp(0.0, 1.0));
                            }
                        }
                    />
                </label>
                <Queue player />
            </div>
        </div>
    }
    .into_any()
}

/// The waveform: the track's peaks, played part lit; click or ←/→ to seek.
#[component]
fn Waveform(player: Player, peaks: Vec<u8>) -> AnyView {
    // About 1,000 peaks, drawn as 200 bars.
    let bars: Vec<u8> = if peaks.is_empty() {
        vec![60; 200]
    } else {
        peaks
            .chunks(peaks.len().div_ceil(200))
            .map(|c| c.iter().copied().max().unwrap_or(0))
            .collect()
    };
    let count = bars.len();
    let share = move || {
        let d = player.duration.get();
        if d > 0.0 {
            (player.position.get() / d).clamp(0.0, 1.0)
        } else {
            0.0
        }
    };
    let on_click = move |ev: leptos::ev::MouseEvent| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            if let Some(el) = ev
                .current_target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            {
                let rect = el.get_bounding_client_rect();
                if rect.width() > 0.0 {
                    let at = (f64::from(ev.client_x()) - rect.left()) / rect.width();
                    player.seek(at.clamp(0.0, 1.0) * player.duration.get_untracked());
                }
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let step = match ev.key().as_str() {
            "ArrowRight" => 5.0,
            "ArrowLeft" => -5.0,
            _ => return,
        };
        ev.prevent_default();
        player.seek(player.position.get_untracked() + step);
    };
    view! {
        <div
            role="slider"
            tabindex="0"
            aria-label="Seek"
            aria-valuemin="0"
            aria-valuemax=move || (player.duration.get().round() as i64).to_string()
            aria-valuenow=move || (player.position.get().round() as i64).to_string()
            aria-valuetext=move || {
                format!(
                    "{} of {}",
                    clock((player.position.get() * 1000.0) as i64),
                    clock((player.duration.get() * 1000.0) as i64),
                )
            }
            class="mt-6 flex h-16 w-full cursor-pointer items-center gap-px focus-visible:outline-2 focus-visible:outline-fuchsia-400"
            on:click=on_click
            on:keydown=on_key
        >
            {bars
                .into_iter()
                .enumerate()
                .map(|(i, h)| {
                    let height = 8 + u32::from(h) * 92 / 255;
                    view! {
                        <span
                            class="flex-1 rounded-sm"
                            class=("bg-fuchsia-400", move || (i as f64) < share() * count as f64)
                            class=("bg-zinc-600", move || (i as f64) >= share() * count as f64)
                            style=format!("height: {height}%")
                        ></span>
                    }
                })
                .collect_view()}
        </div>
    }
    .into_any()
}

/// The queue: what plays next, reorderable, and a way to clear it.
#[component]
fn Queue(player: Player) -> AnyView {
    view! {
        <section class="mt-8" aria-labelledby="queue-heading">
            <div class="flex items-center justify-between">
                <h2 id="queue-heading" class="text-lg font-semibold text-white">
                    "Queue"
                </h2>
                <button type="button" class="link text-sm" on:click=move |_| player.clear()>
                    "Clear queue"
                </button>
            </div>
            <ol
                class="mt-3 divide-y divide-zinc-800 rounded-2xl border border-zinc-800"
                aria-label="Queue"
            >
                <For each=move || player.queue.get() key=|item| item.key let:item>
                    {
                        let key = item.key;
                        let title = item.track.title.clone();
                        let up = format!("Move {title} up");
                        let down = format!("Move {title} down");
                        let remove = format!("Remove {title} from the queue");
                        view! {
                            <li
                                class="flex items-center gap-2 px-3 py-2"
                                data-testid="queue-item"
                                aria-current=move || {
                                    (player.current.get() == Some(key)).then_some("true")
                                }
                            >
                                <button
                                    type="button"
                                    class="min-w-0 flex-1 truncate text-left text-zinc-100 aria-[current=true]:text-fuchsia-300"
                                    on:click=move |_| player.start(Some(key))
                                >
                                    {title.clone()}
                                    <span class="ml-2 text-xs text-zinc-400">
                                        {item.track.artist.clone()}
                                    </span>
                                </button>
                                <button
                                    type="button"
                                    class="rounded p-1 text-zinc-300 hover:bg-zinc-800"
                                    aria-label=up
                                    on:click=move |_| player.shift(key, -1)
                                >
                                    "↑"
                                </button>
                                <button
                                    type="button"
                                    class="rounded p-1 text-zinc-300 hover:bg-zinc-800"
                                    aria-label=down
                                    on:click=move |_| player.shift(key, 1)
                                >
                                    "↓"
                                </button>
                                <button
                                    type="button"
                                    class="rounded p-1 text-zinc-300 hover:bg-zinc-800"
                                    aria-label=remove
                                    on:click=move |_| player.remove(key)
                                >
                                    "✕"
                                </button>
                            </li>
                        }
                    }
                </For>
            </ol>
        </section>
    }
    .into_any()
}

/// The player's keyboard shortcuts, anywhere but in a text field.
#[cfg(feature = "hydrate")]
fn shortcuts(player: Player) {
    use wasm_bindgen::{JsCast, closure::Closure};
    let Some(window) = web_sys::window() else {
        return;
    };
    let handler =
        Closure::<dyn Fn(web_sys::KeyboardEvent)>::new(move |ev: web_sys::KeyboardEvent| {
            if ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
                return;
            }
            let typing = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .is_some_and(|el| {
                    matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                        || el.get_attribute("contenteditable").is_some()
                });
            if typing || player.current.get_untracked().is_none() {
                return;
            }
            match (ev.key().as_str(), ev.shift_key()) {
                ("p", false) => player.toggle(),
                ("N", true) => player.next(),
                ("P", true) => player.previous(),
                _ => return,
            }
            ev.prevent_default();
        });
    let _ = window.add_event_listener_with_callback("keydown", handler.as_ref().unchecked_ref());
    handler.forget();
}
