use boptone::AppError;
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::{use_params_map, use_query_map};

use boptone::{money::format_amount, onboarding::link_label};

use super::music_page::{ArtistAvatar, ReleaseTile};
use crate::{
    api::{
        artists::get_artist,
        tips::{ConfirmTip, load_tip_receipt},
    },
    components::ui::{LoadError, Loading, Notice},
    components::{follow::FollowButton, kick_in::KickInForm},
    pages::not_found_page::NotFoundPage,
};

/// An artist's public profile.
#[component]
pub fn ArtistPage() -> impl IntoView {
    let params = use_params_map();
    // Any other single-segment path reaches this route too: it is not a profile.
    if params
        .read_untracked()
        .get("profile")
        .is_some_and(|p| !p.starts_with('@'))
    {
        return view! { <NotFoundPage /> }.into_any();
    }
    // Back from paying a tip: `?tip=<checkout session>` thanks the fan. The page load
    // only reads; when the payment is not recorded yet, the browser asks once to
    // confirm it with the provider (a POST, never a link follower's GET).
    let query = use_query_map();
    let receipt = Resource::new(
        move || query.read().get("tip"),
        |session| async move {
            match session {
                Some(session_id) => load_tip_receipt(session_id).await.ok().flatten(),
                None => None,
            }
        },
    );
    let confirm = ServerAction::<ConfirmTip>::new();
    // Once per checkout: the effect remembers the last one it asked about.
    Effect::new(move |asked: Option<Option<String>>| {
        let asked = asked.flatten();
        let session = query.read_untracked().get("tip");
        match (receipt.get().flatten(), &session) {
            (Some(r), Some(session_id)) if !r.paid && asked != session => {
                confirm.dispatch(ConfirmTip {
                    session_id: session_id.clone(),
                });
                session
            }
            _ => asked,
        }
    });
    // `/artists/:handle`, or `/@handle` (the `profile` parameter, which must start with @).
    let artist = Resource::new(
        move || {
            let p = params.read();
            p.get("handle")
                .or_else(|| {
                    p.get("profile")
                        .and_then(|v| v.strip_prefix('@').map(str::to_owned))
                })
                .unwrap_or_default()
        },
        |handle| async move {
            if handle.is_empty() {
                Err(AppError::NotFound)
            } else {
                get_artist(handle).await
            }
        },
    );
    view! {
        <div class="px-4 py-8 sm:px-8">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let loaded = receipt.await;
                    move || {
                        let confirmed = confirm.value().get().and_then(Result::ok).flatten();
                        confirmed
                            .or_else(|| loaded.clone())
                            .map(|r| {
                                let text = if r.paid {
                                    format!(
                                        "Thank you! Your {} tip reached {}. A receipt is on its way to your inbox.",
                                        format_amount(r.amount_cents, &r.currency),
                                        r.artist_name,
                                    )
                                } else {
                                    "Your payment is being confirmed. We'll email your receipt."
                                        .to_owned()
                                };
                                view! {
                                    <div class="mx-auto mb-6 max-w-3xl">
                                        <Notice>{text}</Notice>
                                    </div>
                                }
                            })
                    }
                })}
            </Suspense>
            <Suspense fallback=|| {
                view! { <Loading label="Loading artist…" /> }
            }>
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
                                            <h1 class="text-3xl font-bold text-white">
                                                {a.stage_name.clone()}
                                            </h1>
                                            <p class="mt-1 text-zinc-400">"@"{a.handle.clone()}</p>
                                            <p class="mt-2 text-sm text-zinc-300">
                                                {a.location.clone()}
                                            </p>
                                            <FollowButton handle=a.handle.clone() />
                                        </div>
                                    </div>
                                    {(!a.links.is_empty())
                                        .then(|| {
                                            view! {
                                                <ul class="mt-5 flex flex-wrap gap-2" aria-label="Links">
                                                    {a
                                                        .links
                                                        .iter()
                                                        .map(|url| {
                                                            view! {
                                                                <li>
                                                                    <a
                                                                        href=url.clone()
                                                                        rel="noopener noreferrer me"
                                                                        target="_blank"
                                                                        class="btn-secondary px-3 py-1.5 text-sm"
                                                                    >
                                                                        {link_label(url)}
                                                                    </a>
                                                                </li>
                                                            }
                                                        })
                                                        .collect_view()}
                                                </ul>
                                            }
                                        })}
                                    <ul class="mt-6 flex flex-wrap gap-2" aria-label="Genres">
                                        {a
                                            .genres
                                            .iter()
                                            .map(|g| {
                                                view! {
                                                    <li class="rounded-full border border-zinc-700 px-3 py-1 text-sm text-zinc-200">
                                                        {g.clone()}
                                                    </li>
                                                }
                                            })
                                            .collect_view()}
                                    </ul>
                                    <ArtistReleases handle=a.handle.clone() />
                                    <ArtistBops handle=a.handle.clone() />
                                    <h2 class="mt-8 text-lg font-semibold text-white">"About"</h2>
                                    <p class="mt-2 max-w-prose leading-relaxed text-zinc-300">
                                        {a.bio.clone()}
                                    </p>
                                    {a
                                        .kick_in
                                        .then(|| {
                                            view! {
                                                <KickInForm
                                                    handle=a.handle.clone()
                                                    artist_name=a.stage_name.clone()
                                                />
                                            }
                                        })}
                                </article>
                            }
                                .into_any()
                        }
                        Err(AppError::NotFound) => {
                            #[cfg(feature = "ssr")]
                            if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
                                res.set_status(http::StatusCode::NOT_FOUND);
                            }
                            view! {
                                <Title text="Artist not found" />
                                <div class="mx-auto max-w-md text-center">
                                    <h1 class="text-2xl font-bold text-white">
                                        "Artist not found"
                                    </h1>
                                    <p class="mt-2 text-zinc-400">
                                        "No artist has this handle. Browse the artists on Boptone instead."
                                    </p>
                                    <a href="/music" class="btn-secondary mt-6 inline-flex">
                                        "Discover artists"
                                    </a>
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
    .into_any()
}

/// The artist's Bops: posters in a grid, each opening the Bop, with its views.
#[component]
fn ArtistBops(handle: String) -> impl IntoView {
    let bops = Resource::new(move || handle.clone(), crate::api::bops::load_artist_bops);
    view! {
        <section aria-labelledby="bops-heading" class="mt-8">
            <h2 id="bops-heading" class="text-lg font-semibold text-white">
                "Bops"
            </h2>
            <Suspense fallback=|| {
                view! { <Loading label="Loading Bops…" /> }
            }>
                {move || Suspend::new(async move {
                    match bops.await {
                        Ok(list) if list.is_empty() => {
                            view! { <p class="mt-2 text-sm text-zinc-400">"No Bops yet."</p> }
                                .into_any()
                        }
                        Ok(list) => {
                            view! {
                                <ul class="mt-3 grid grid-cols-3 gap-1 sm:gap-2" aria-label="Bops">
                                    {list
                                        .into_iter()
                                        .map(|bop| {
                                            let label = if bop.caption.is_empty() {
                                                "A Bop".to_owned()
                                            } else {
                                                bop.caption.clone()
                                            };
                                            view! {
                                                <li>
                                                    <a
                                                        href=format!("/bops/{}", bop.id)
                                                        class="relative block aspect-[9/16] overflow-hidden rounded-lg bg-zinc-900"
                                                    >
                                                        <img
                                                            src=bop.poster_url.clone()
                                                            alt=label
                                                            class="h-full w-full object-cover"
                                                            loading="lazy"
                                                        />
                                                        <span class="absolute bottom-1 left-1.5 text-xs font-semibold text-white drop-shadow">
                                                            <span aria-hidden="true">"▶ "</span>
                                                            {bop.counts.views}
                                                            <span class="sr-only">" views"</span>
                                                        </span>
                                                    </a>
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                            }
                                .into_any()
                        }
                        Err(err) => view! { <LoadError error=err /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// The artist's releases: artwork, title, kind and year, each opening its page.
#[component]
fn ArtistReleases(handle: String) -> AnyView {
    let releases = Resource::new(
        move || handle.clone(),
        crate::api::music::load_artist_releases,
    );
    view! {
        <section aria-labelledby="music-heading" class="mt-8">
            <h2 id="music-heading" class="text-lg font-semibold text-white">
                "Music"
            </h2>
            <Suspense fallback=|| {
                view! { <Loading label="Loading music…" /> }
            }>
                {move || Suspend::new(async move {
                    match releases.await {
                        Ok(list) if list.is_empty() => {
                            view! { <p class="mt-2 text-sm text-zinc-400">"No releases yet."</p> }
                                .into_any()
                        }
                        Ok(list) => {
                            view! {
                                <ul
                                    class="mt-3 grid grid-cols-2 gap-4 sm:grid-cols-3"
                                    aria-label="Releases"
                                >
                                    {list
                                        .into_iter()
                                        .map(|release| {
                                            view! { <ReleaseTile release show_artist=false /> }
                                        })
                                        .collect_view()}
                                </ul>
                            }
                                .into_any()
                        }
                        Err(err) => view! { <LoadError error=err /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
    .into_any()
}
