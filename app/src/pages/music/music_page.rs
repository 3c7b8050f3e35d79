use boptone::{artists::ArtistCard, music::ReleaseSummary};
use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::{artists::list_artists, music::load_new_releases},
    components::ui::{EmptyState, LoadError, Loading},
};

/// Music: the artists on Boptone.
#[component]
pub fn MusicPage() -> impl IntoView {
    let artists = Resource::new(|| (), |_| list_artists());
    let releases = Resource::new(|| (), |_| load_new_releases());
    view! {
        <Title text="Music" />
        <div class="px-4 py-8 sm:px-8">
            <h1 class="text-2xl font-bold text-white">"Music"</h1>
            <Suspense fallback=|| {
                view! { <Loading label="Loading new releases…" /> }
            }>
                {move || Suspend::new(async move {
                    match releases.await {
                        Ok(list) if list.is_empty() => ().into_any(),
                        Ok(list) => {
                            view! {
                                <section aria-labelledby="new-releases-heading" class="mt-6">
                                    <h2
                                        id="new-releases-heading"
                                        class="text-lg font-semibold text-zinc-200"
                                    >
                                        "New releases"
                                    </h2>
                                    <ul
                                        class="mt-4 grid grid-cols-2 gap-4 sm:grid-cols-3 xl:grid-cols-6"
                                        aria-label="New releases"
                                    >
                                        {list
                                            .into_iter()
                                            .map(|release| {
                                                view! { <ReleaseTile release show_artist=true /> }
                                            })
                                            .collect_view()}
                                    </ul>
                                </section>
                            }
                                .into_any()
                        }
                        Err(err) => view! { <LoadError error=err /> }.into_any(),
                    }
                })}
            </Suspense>
            <h2 class="mt-8 text-lg font-semibold text-zinc-200">"Artists on Boptone"</h2>
            <Suspense fallback=|| {
                view! { <Loading label="Loading artists…" /> }
            }>
                {move || Suspend::new(async move {
                    match artists.await {
                        Ok(list) if list.is_empty() => {
                            view! {
                                <div class="mt-6">
                                    <EmptyState
                                        title="No artists yet"
                                        body="Be the first: set up an artist profile and your music appears here."
                                        action_label="Start as an artist"
                                        action_href="/artist/signup"
                                    />
                                </div>
                            }
                                .into_any()
                        }
                        Ok(list) => {
                            view! {
                                <ul class="mt-4 grid grid-cols-1 gap-4 sm:grid-cols-2 xl:grid-cols-3">
                                    {list
                                        .into_iter()
                                        .map(|a| view! { <ArtistTile artist=a /> })
                                        .collect_view()}
                                </ul>
                            }
                                .into_any()
                        }
                        Err(err) => view! { <LoadError error=err /> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}

#[component]
fn ArtistTile(artist: ArtistCard) -> impl IntoView {
    let href = format!("/@{}", artist.handle);
    view! {
        <li>
            <a
                href=href
                class="group flex gap-4 rounded-2xl border border-zinc-800 bg-zinc-900/60 p-4 transition hover:border-fuchsia-500/50"
            >
                <ArtistAvatar artist=artist.clone() size="h-16 w-16" />
                <span class="min-w-0">
                    <span class="block truncate font-semibold text-white group-hover:text-fuchsia-200">
                        {artist.stage_name.clone()}
                    </span>
                    <span class="block truncate text-sm text-zinc-400">
                        {artist.genres.join(" · ")}
                        {(!artist.location.is_empty()).then(|| format!(" — {}", artist.location))}
                    </span>
                    <span class="mt-1 line-clamp-2 text-sm text-zinc-300">
                        {artist.bio.clone()}
                    </span>
                </span>
            </a>
        </li>
    }
}

/// The artist's photo, or their initials on a gradient.
#[component]
pub fn ArtistAvatar(artist: ArtistCard, size: &'static str) -> impl IntoView {
    match artist.photo_url.clone() {
        Some(src) => view! {
            <img
                src=src
                alt=""
                width="512"
                height="512"
                loading="lazy"
                class=format!("{size} shrink-0 rounded-2xl object-cover")
            />
        }
            .into_any(),
        None => view! {
            <span
                aria-hidden="true"
                class=format!(
                    "{size} grid shrink-0 place-items-center rounded-2xl bg-gradient-to-br from-fuchsia-500 to-violet-600 text-lg font-bold text-white",
                )
            >
                {artist.initials()}
            </span>
        }
            .into_any(),
    }
}

/// A release in a grid: artwork, title, and the artist or the kind and year; opens its
/// page.
#[component]
pub fn ReleaseTile(release: ReleaseSummary, show_artist: bool) -> AnyView {
    let year = boptone::time::format_day(release.release_at)
        .rsplit(' ')
        .next()
        .unwrap_or_default()
        .to_owned();
    let under = if show_artist {
        release.artist_name.clone()
    } else {
        format!("{} · {year}", release.kind.label())
    };
    view! {
        <li>
            <a href=release.url() class="group block">
                {match release.artwork_url.clone() {
                    Some(src) => {
                        view! {
                            <img
                                src=src
                                alt=""
                                loading="lazy"
                                class="aspect-square w-full rounded-xl object-cover"
                            />
                        }
                            .into_any()
                    }
                    None => {
                        view! {
                            <span
                                aria-hidden="true"
                                class="grid aspect-square w-full place-items-center rounded-xl bg-zinc-900 text-3xl text-zinc-500"
                            >
                                "♪"
                            </span>
                        }
                            .into_any()
                    }
                }}
                <span class="mt-2 block truncate font-medium text-white group-hover:underline">
                    {release.title.clone()}
                </span>
                <span class="block truncate text-sm text-zinc-400">{under}</span>
            </a>
        </li>
    }
    .into_any()
}
