//! `/@handle/releases/{slug}`: a release, server-rendered with its Open Graph
//! `music.album`/`music.song` tags and schema.org JSON-LD for link previews and search
//! engines; its tracks, their lengths, codes and credits.

use boptone::{
    music::{ReleaseKind, SharedRelease, TrackView},
    time::{clock, format_day},
};
use leptos::prelude::*;
use leptos_meta::{Meta, Script, Title};
use leptos_router::hooks::use_params_map;

use crate::{
    api::music::load_release,
    components::{
        icons::{self, Icon},
        ui::{LoadError, Loading},
    },
    contexts::player::use_player,
    pages::not_found_page::NotFoundPage,
};

/// A release's page.
#[component]
pub fn ReleasePage() -> impl IntoView {
    let params = use_params_map();
    let profile = params.read_untracked().get("profile").unwrap_or_default();
    let Some(handle) = profile.strip_prefix('@').map(str::to_owned) else {
        return view! { <NotFoundPage /> }.into_any();
    };
    let release = Resource::new(
        move || params.read().get("slug").unwrap_or_default(),
        move |slug| load_release(handle.clone(), slug),
    );
    view! {
        <div class="mx-auto max-w-4xl px-4 py-8 sm:px-8">
            <Suspense fallback=|| {
                view! { <Loading label="Loading the release…" /> }
            }>
                {move || Suspend::new(async move {
                    match release.await {
                        Ok(shared) => view! { <Release shared /> }.into_any(),
                        Err(err) => {
                            view! {
                                <Title text="Release not found" />
                                <LoadError error=err />
                            }
                                .into_any()
                        }
                    }
                })}
            </Suspense>
        </div>
    }
    .into_any()
}

#[component]
fn Release(shared: SharedRelease) -> AnyView {
    let json_ld = shared.json_ld();
    let r = shared.release;
    let by = r.artist.name.clone();
    let title = format!("{} by {by}", r.title);
    let count = r.tracks.len();
    let total: i64 = r.tracks.iter().map(|t| t.duration_ms).sum();
    let year = format_day(r.release_at)
        .rsplit(' ')
        .next()
        .unwrap_or_default()
        .to_owned();
    let description = format!(
        "{} by {by} · {year} · {} · {}",
        r.kind.label(),
        if count == 1 {
            "1 track".to_owned()
        } else {
            format!("{count} tracks")
        },
        clock(total),
    );
    // One track is a song; anything more an album.
    let og_type = if r.kind == ReleaseKind::Single && count == 1 {
        "music.song"
    } else {
        "music.album"
    };
    let status = if !r.published {
        Some("Draft: only you can see this page until you publish it.".to_owned())
    } else if !r.out {
        Some(format!(
            "Pre-release: out on {}. Come back then to listen.",
            format_day(r.release_at)
        ))
    } else {
        None
    };
    let artwork = r.artwork_url.clone();
    let playable = StoredValue::new(r.playable());
    let player = use_player();
    let play_all = move |_: leptos::ev::MouseEvent| player.play_all(playable.get_value(), 0);
    view! {
        <Title text=title.clone() />
        <Meta name="description" content=description.clone() />
        <Meta property="og:type" content=og_type />
        <Meta property="og:title" content=title.clone() />
        <Meta property="og:description" content=description.clone() />
        <Meta property="og:url" content=shared.page_url.clone() />
        {shared.artwork_url.clone().map(|url| view! { <Meta property="og:image" content=url /> })}
        <Meta property="music:musician" content=shared.artist_url.clone() />
        <Meta property="music:release_date" content=boptone::time::iso_day(r.release_at) />
        <Script type_="application/ld+json">{json_ld}</Script>
        <article>
            <div class="flex flex-col gap-6 sm:flex-row sm:items-end">
                {match artwork {
                    Some(src) => {
                        view! {
                            <img
                                src=src
                                alt=format!("Artwork for {}", r.title)
                                width="240"
                                height="240"
                                class="h-60 w-60 shrink-0 rounded-2xl object-cover shadow-xl"
                            />
                        }
                            .into_any()
                    }
                    None => {
                        view! {
                            <span
                                aria-hidden="true"
                                class="grid h-60 w-60 shrink-0 place-items-center rounded-2xl border border-dashed border-zinc-600 text-5xl text-zinc-500"
                            >
                                "♪"
                            </span>
                        }
                            .into_any()
                    }
                }} <div class="min-w-0">
                    <p class="text-sm font-semibold uppercase tracking-wider text-fuchsia-300">
                        {r.kind.label()}
                    </p>
                    <h1 class="mt-1 text-4xl font-bold tracking-tight text-white">
                        {r.title.clone()}
                    </h1>
                    <p class="mt-2 text-zinc-300">
                        <a
                            href=format!("/@{}", r.artist.handle)
                            class="font-semibold text-white hover:underline"
                        >
                            {by.clone()}
                        </a>
                        {format!(
                            " · {year} · {} · {}",
                            if count == 1 {
                                "1 track".to_owned()
                            } else {
                                format!("{count} tracks")
                            },
                            clock(total),
                        )}
                    </p>
                    {(!r.genre.is_empty())
                        .then(|| {
                            view! { <p class="mt-1 text-sm text-zinc-400">{r.genre.clone()}</p> }
                        })}
                    <Show when=move || playable.with_value(|p| !p.is_empty())>
                        <button
                            type="button"
                            class="btn-primary mt-4 inline-flex items-center gap-2"
                            on:click=play_all
                        >
                            <Icon path=icons::PLAY class="h-5 w-5" />
                            "Play"
                        </button>
                    </Show>
                </div>
            </div>
            {status
                .map(|s| {
                    view! {
                        <p
                            class="mt-6 rounded-xl border border-amber-400/40 bg-amber-400/10 px-4 py-3 text-amber-100"
                            role="status"
                        >
                            {s}
                        </p>
                    }
                })}
            <ol
                class="mt-8 divide-y divide-zinc-800 rounded-2xl border border-zinc-800"
                aria-label="Tracks"
            >
                {r
                    .tracks
                    .into_iter()
                    .enumerate()
                    .map(|(at, track)| view! { <TrackLine track at playable /> })
                    .collect_view()}
            </ol>
            {r
                .upc
                .clone()
                .map(|upc| {
                    view! { <p class="mt-4 text-xs text-zinc-500">{format!("UPC/EAN {upc}")}</p> }
                })}
        </article>
    }
    .into_any()
}

#[component]
fn TrackLine(
    track: TrackView,
    /// Its place among the release's playable tracks.
    at: usize,
    playable: StoredValue<Vec<boptone::music::PlayableTrack>>,
) -> AnyView {
    let player = use_player();
    let credits = track
        .credits
        .iter()
        .map(|c| format!("{}: {}", c.role, c.name))
        .collect::<Vec<_>>()
        .join(" · ");
    let id = track.id;
    let this = move || playable.with_value(|p| p.iter().find(|t| t.id == id).cloned());
    let playing_here = move || player.now().is_some_and(|i| i.track.id == id);
    let title = track.title.clone();
    view! {
        <li
            class="flex flex-wrap items-center gap-x-4 gap-y-2 px-4 py-3"
            data-testid="release-track"
            aria-current=move || playing_here().then_some("true")
        >
            <span class="w-6 text-right text-sm tabular-nums text-zinc-500">{track.position}</span>
            <div class="min-w-0 flex-1">
                <p class="truncate font-medium text-white">{track.title.clone()}</p>
                {(!credits.is_empty())
                    .then(|| view! { <p class="truncate text-sm text-zinc-400">{credits}</p> })}
            </div>
            {track
                .stream_url
                .is_some()
                .then(|| {
                    let (play, next, queue) = (
                        format!("Play {title}"),
                        format!("Play {title} next"),
                        format!("Add {title} to the queue"),
                    );
                    view! {
                        <div class="flex items-center gap-1">
                            <button
                                type="button"
                                class="rounded-full p-2 text-zinc-100 hover:bg-zinc-800"
                                aria-label=play
                                on:click=move |_| player.play_all(playable.get_value(), at)
                            >
                                <Icon path=icons::PLAY class="h-5 w-5" />
                            </button>
                            <button
                                type="button"
                                class="rounded-lg px-2 py-1 text-xs text-zinc-300 hover:bg-zinc-800"
                                aria-label=next
                                on:click=move |_| {
                                    if let Some(t) = this() {
                                        player.play_next(t);
                                    }
                                }
                            >
                                "Play next"
                            </button>
                            <button
                                type="button"
                                class="rounded-lg px-2 py-1 text-xs text-zinc-300 hover:bg-zinc-800"
                                aria-label=queue
                                on:click=move |_| {
                                    if let Some(t) = this() {
                                        player.add_to_queue(t);
                                    }
                                }
                            >
                                "Add to queue"
                            </button>
                        </div>
                    }
                })}
            <span class="text-sm tabular-nums text-zinc-400">{clock(track.duration_ms)}</span>
        </li>
    }
    .into_any()
}
