use boptone::artists::ArtistCard;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::artists::list_artists,
    components::ui::{EmptyState, LoadError, Loading},
};

/// Music: the artists on Boptone.
#[component]
pub fn MusicPage() -> impl IntoView {
    let artists = Resource::new(|| (), |_| list_artists());
    view! {
        <Title text="Music" />
        <div class="px-4 py-8 sm:px-8">
            <h1 class="text-2xl font-bold text-white">"Music"</h1>
            <h2 class="mt-6 text-lg font-semibold text-zinc-200">"Artists on Boptone"</h2>
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
