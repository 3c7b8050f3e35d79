use boptone::AppError;
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_params_map;

use super::music_page::ArtistAvatar;
use crate::{
    api::artists::get_artist,
    components::ui::{LoadError, Loading},
};

/// An artist's public profile.
#[component]
pub fn ArtistPage() -> impl IntoView {
    let params = use_params_map();
    let artist = Resource::new(
        move || params.read().get("handle").unwrap_or_default(),
        get_artist,
    );
    view! {
        <div class="px-4 py-8 sm:px-8">
            <Suspense fallback=|| view! { <Loading label="Loading artist…" /> }>
                {move || Suspend::new(async move {
                    match artist.await {
                        Ok(a) => {
                            view! {
                                <Title text=a.stage_name.clone() />
                                <Meta name="description" content=a.bio.clone() />
                                <article class="mx-auto max-w-3xl">
                                    <div class="flex flex-col items-start gap-6 sm:flex-row sm:items-end">
                                        <ArtistAvatar artist=a.clone() size="h-40 w-40" />
                                        <div>
                                            <h1 class="text-3xl font-bold text-white">{a.stage_name.clone()}</h1>
                                            <p class="mt-1 text-zinc-400">"@"{a.handle.clone()}</p>
                                            <p class="mt-2 text-sm text-zinc-300">
                                                {a.location.clone()}
                                            </p>
                                        </div>
                                    </div>
                                    <ul class="mt-6 flex flex-wrap gap-2" aria-label="Genres">
                                        {a.genres.iter().map(|g| view! { <li class="rounded-full border border-zinc-700 px-3 py-1 text-sm text-zinc-200">{g.clone()}</li> }).collect_view()}
                                    </ul>
                                    <h2 class="mt-8 text-lg font-semibold text-white">"About"</h2>
                                    <p class="mt-2 max-w-prose leading-relaxed text-zinc-300">{a.bio.clone()}</p>
                                </article>
                            }
                                .into_any()
                        }
                        Err(AppError::NotFound) => {
                            view! {
                                <Title text="Artist not found" />
                                <div class="mx-auto max-w-md text-center">
                                    <h1 class="text-2xl font-bold text-white">"Artist not found"</h1>
                                    <p class="mt-2 text-zinc-400">"No artist has this handle. Browse the artists on Boptone instead."</p>
                                    <a href="/music" class="btn-secondary mt-6 inline-flex">"Discover artists"</a>
                                </div>
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
