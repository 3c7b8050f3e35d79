//! `/dashboard/bops`: the artist's Bops and what became of each upload, and
//! `/dashboard/bops/new`: posting one, with upload progress and a cancel button.

use boptone::{
    AppError,
    bops::{ArtistBop, BopState, CAPTION_MAX_CHARS, MAX_VIDEO_BYTES},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::{
    api::bops::{DeleteBop, EditBopCaption, load_my_bops},
    components::{
        ui::{
            FormAlert, LoadError, Loading, ProcessingProgress, TEXT_INPUT, field_error, form_error,
            poll_while,
        },
        upload::{UploadMessage, UploadProgress, Uploader},
    },
};

/// The artist's Bops: processing (with progress), ready, or failed with the reason.
/// While one is processing the list refreshes itself.
#[component]
pub fn BopsPage() -> impl IntoView {
    let tick = RwSignal::new(0u32);
    let edit = ServerAction::<EditBopCaption>::new();
    let delete = ServerAction::<DeleteBop>::new();
    let data = Resource::new(
        move || (tick.get(), edit.version().get(), delete.version().get()),
        |_| load_my_bops(),
    );
    poll_while(
        move || {
            data.get()
                .and_then(Result::ok)
                .is_some_and(|bops| bops.iter().any(|b| b.state == BopState::Processing))
        },
        tick,
    );
    view! {
        <Title text="Bops" />
        <div class="mx-auto max-w-4xl px-4 py-8 sm:px-8">
            <p class="text-sm text-zinc-400">
                <A href="/dashboard" attr:class="link">
                    "Dashboard"
                </A>
                " / Bops"
            </p>
            <div class="mt-1 flex flex-wrap items-center justify-between gap-4">
                <h1 class="text-3xl font-bold tracking-tight text-white">"Bops"</h1>
                <A href="/dashboard/bops/new" attr:class="btn-primary">
                    "Post a Bop"
                </A>
            </div>
            <Transition fallback=|| {
                view! { <Loading label="Loading your Bops…" /> }
            }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(bops) if bops.is_empty() => {
                            view! {
                                <p class="mt-8 text-zinc-400">
                                    "No Bops yet. Post a short vertical video: fans can tip you from it."
                                </p>
                            }
                                .into_any()
                        }
                        Ok(bops) => {
                            view! {
                                <ul class="mt-6 grid gap-4 sm:grid-cols-2" aria-label="Your Bops">
                                    {bops
                                        .into_iter()
                                        .map(|bop| view! { <BopCard bop edit delete /> })
                                        .collect_view()}
                                </ul>
                            }
                                .into_any()
                        }
                        Err(AppError::Unauthenticated) => {
                            view! {
                                <A
                                    href="/signin?next=/dashboard/bops"
                                    attr:class="btn-primary mt-6 inline-flex"
                                >
                                    "Sign in"
                                </A>
                            }
                                .into_any()
                        }
                        Err(err) => {
                            view! {
                                <div class="mt-6">
                                    <LoadError error=err />
                                </div>
                            }
                                .into_any()
                        }
                    }
                })}
            </Transition>
        </div>
    }
}

#[component]
fn BopCard(
    bop: ArtistBop,
    edit: ServerAction<EditBopCaption>,
    delete: ServerAction<DeleteBop>,
) -> impl IntoView {
    let id = bop.id;
    let confirming = RwSignal::new(false);
    // The actions are the page's: their messages show on the card that used them.
    let edited_here = RwSignal::new(false);
    let deleted_here = RwSignal::new(false);
    let edit_error = field_error(edit.value(), "caption");
    let delete_error = form_error(delete.value(), &[]);
    let caption_field = format!("caption-{id}");
    let current_caption = bop.caption.clone();
    let caption = if bop.caption.is_empty() {
        "No caption".to_owned()
    } else {
        bop.caption.clone()
    };
    let status = match bop.state {
        BopState::Processing => view! { <ProcessingProgress percent=bop.progress /> }.into_any(),
        BopState::Ready => {
            let length = bop
                .duration_ms
                .map(|ms| format!(" · {}:{:02}", ms / 60_000, ms / 1000 % 60))
                .unwrap_or_default();
            let c = bop.counts;
            let plural =
                |n: i64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
            let earned = boptone::money::format_amount(
                bop.tip_cents,
                boptone::money::PLATFORM_CURRENCY.as_str(),
            );
            view! {
                <p class="text-sm text-emerald-300" data-state="ready">
                    {format!("Ready{length}")}
                </p>
                <p class="mt-1 text-sm text-zinc-300" data-testid="bop-stats">
                    {format!(
                        "{} · {} · {} · {} · {earned} earned",
                        plural(c.views, "view", "views"),
                        plural(c.likes, "like", "likes"),
                        plural(c.comments, "comment", "comments"),
                        plural(c.tips, "tip", "tips"),
                    )}
                </p>
                <a href=format!("/bops/{}", bop.id) class="link mt-1 inline-block text-sm">
                    "Open in the feed"
                </a>
            }
            .into_any()
        }
        BopState::Failed => view! {
            <p class="text-sm text-rose-300" data-state="failed">
                {format!("Couldn't be processed. {}", bop.failure.clone().unwrap_or_default())}
            </p>
        }
        .into_any(),
    };
    view! {
        <li class="flex gap-4 rounded-2xl border border-zinc-800 bg-zinc-900/60 p-4">
            {match bop.poster_url.clone() {
                Some(src) => {
                    view! {
                        <img
                            src=src
                            alt=""
                            width="72"
                            height="128"
                            class="h-32 w-[4.5rem] shrink-0 rounded-xl bg-zinc-800 object-cover"
                        />
                    }
                        .into_any()
                }
                None => {
                    view! {
                        <span
                            aria-hidden="true"
                            class="h-32 w-[4.5rem] shrink-0 rounded-xl bg-zinc-800"
                        ></span>
                    }
                        .into_any()
                }
            }} <div class="min-w-0 flex-1">
                <p class="line-clamp-3 break-words font-medium text-zinc-100">{caption}</p>
                <div class="mt-2">{status}</div>
                <details class="mt-3 text-sm">
                    <summary class="cursor-pointer text-zinc-300">"Edit caption"</summary>
                    <ActionForm
                        action=edit
                        attr:class="mt-2 space-y-2"
                        on:submit=move |_| edited_here.set(true)
                    >
                        <input type="hidden" name="id" value=id.to_string() />
                        <label for=caption_field.clone() class="sr-only">
                            "Caption"
                        </label>
                        <textarea
                            id=caption_field
                            name="caption"
                            rows="2"
                            maxlength=CAPTION_MAX_CHARS.to_string()
                            class=TEXT_INPUT
                        >
                            {current_caption}
                        </textarea>
                        <FormAlert message=Signal::derive(move || {
                            edit_error.get().filter(|_| edited_here.get())
                        }) />
                        <button type="submit" class="btn-secondary">
                            "Save caption"
                        </button>
                    </ActionForm>
                </details>
                {move || {
                    if confirming.get() {
                        view! {
                            <div
                                class="mt-3 space-y-2 text-sm"
                                role="group"
                                aria-label="Delete this Bop?"
                            >
                                <p class="text-zinc-300">
                                    "Delete this Bop? It disappears everywhere; what it earned stays in your earnings."
                                </p>
                                <ActionForm
                                    action=delete
                                    attr:class="inline"
                                    on:submit=move |_| deleted_here.set(true)
                                >
                                    <input type="hidden" name="id" value=id.to_string() />
                                    <button type="submit" class="btn-secondary text-rose-300">
                                        "Delete Bop"
                                    </button>
                                </ActionForm>
                                <button
                                    type="button"
                                    class="btn-secondary ml-2"
                                    on:click=move |_| confirming.set(false)
                                >
                                    "Keep it"
                                </button>
                            </div>
                        }
                            .into_any()
                    } else {
                        view! {
                            <button
                                type="button"
                                class="mt-3 text-sm text-zinc-400 underline hover:text-rose-300"
                                on:click=move |_| confirming.set(true)
                            >
                                "Delete"
                            </button>
                        }
                            .into_any()
                    }
                }}
                <FormAlert message=Signal::derive(move || {
                    delete_error.get().filter(|_| deleted_here.get())
                }) />
            </div>
        </li>
    }
}

/// Posting a Bop: the video (checked for size here, by content on the server), a
/// caption with #hashtags, and the upload with its progress and a cancel button.
#[component]
pub fn NewBopPage() -> impl IntoView {
    let caption = RwSignal::new(String::new());
    let uploader = Uploader::new();
    let chosen = NodeRef::<leptos::html::Input>::new();
    let navigate = leptos_router::hooks::use_navigate();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        #[cfg(feature = "hydrate")]
        {
            use crate::components::upload::{chosen_file, url_with};
            let Some(file) = chosen_file(chosen) else {
                uploader.error.set(Some("Choose a video to upload.".into()));
                return;
            };
            #[allow(clippy::cast_precision_loss)]
            if file.size() > MAX_VIDEO_BYTES as f64 {
                uploader.error.set(Some(format!(
                    "That video is too big. Choose one under {} MB.",
                    MAX_VIDEO_BYTES / 1024 / 1024
                )));
                return;
            }
            let navigate = navigate.clone();
            let url = url_with("/uploads/bops", &[("caption", &caption.get_untracked())]);
            uploader.send(&file, &url, "That video is too big.", move |_| {
                navigate("/dashboard/bops", Default::default());
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (chosen, &navigate);
    };
    let on_cancel =
        Callback::new(move |()| uploader.cancel("Upload canceled. Nothing was posted."));
    let remaining = move || CAPTION_MAX_CHARS as i64 - caption.with(|c| c.chars().count() as i64);
    view! {
        <Title text="Post a Bop" />
        <div class="mx-auto max-w-2xl px-4 py-8 sm:px-8">
            <p class="text-sm text-zinc-400">
                <A href="/dashboard" attr:class="link">
                    "Dashboard"
                </A>
                " / "
                <A href="/dashboard/bops" attr:class="link">
                    "Bops"
                </A>
                " / New"
            </p>
            <h1 class="mt-1 text-3xl font-bold tracking-tight text-white">"Post a Bop"</h1>
            <p class="mt-2 text-zinc-400">
                "A vertical video up to 3 minutes. Fans watch it in the feed and can tip you from it."
            </p>
            <form class="mt-6 space-y-6" on:submit=on_submit>
                <div class="space-y-2">
                    <label for="field-video" class="block text-sm font-medium text-zinc-200">
                        "Video"
                    </label>
                    <input
                        id="field-video"
                        node_ref=chosen
                        name="video"
                        type="file"
                        required
                        accept="video/mp4,video/quicktime,video/webm"
                        aria-describedby="field-video-hint"
                        class="block w-full text-sm text-zinc-300 file:mr-4 file:rounded-xl file:border-0 file:bg-zinc-800 file:px-4 file:py-2 file:font-medium file:text-zinc-100 hover:file:bg-zinc-700"
                    />
                    <p id="field-video-hint" class="text-sm text-zinc-400">
                        {format!(
                            "MP4, MOV or WebM, up to {} MB and 3 minutes.",
                            MAX_VIDEO_BYTES / 1024 / 1024,
                        )}
                    </p>
                </div>
                <div class="space-y-2">
                    <label for="field-caption" class="block text-sm font-medium text-zinc-200">
                        "Caption"
                    </label>
                    <textarea
                        id="field-caption"
                        name="caption"
                        rows="3"
                        maxlength=CAPTION_MAX_CHARS.to_string()
                        aria-describedby="field-caption-hint"
                        class=TEXT_INPUT
                        on:input=move |ev| caption.set(event_target_value(&ev))
                        prop:value=move || caption.get()
                    ></textarea>
                    <p id="field-caption-hint" class="text-sm text-zinc-400">
                        {move || {
                            format!(
                                "Add #hashtags so fans find it. {} characters left.",
                                remaining(),
                            )
                        }}
                    </p>
                </div>
                <UploadProgress uploader on_cancel />
                <UploadMessage uploader />
                <button type="submit" class="btn-primary" disabled=move || uploader.busy()>
                    "Post Bop"
                </button>
            </form>
        </div>
    }
}
