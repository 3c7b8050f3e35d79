//! The feed (SPEC BOP-3): Bops full screen, one after another, snapping as they
//! scroll. The visible Bop plays muted until the viewer unmutes (the choice lasts the
//! session); the next one is loaded ahead; at most three players exist at once. Swipe
//! or scroll, or use the keyboard: ↑/↓ (or k/j) to move, space to pause, m to mute.
//! A shared link (`/bops/{id}`) opens that Bop first and goes on with the feed.

use std::collections::{HashMap, HashSet};

use boptone::bops::{BopCounts, FeedBop, FeedPage as Page};
use leptos::{either::Either, html, lazy, prelude::*, task::spawn_local};
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_params_map;

use crate::{
    api::bops::{LikeBop, RecordView, load_bop, load_feed},
    api::fans::SetFollow,
    components::{
        icons::{self, Icon},
        player::BopVideo,
        ui::{EmptyState, LoadError, Loading},
    },
    contexts::{live::use_live, session::use_session},
};

mod sheets;

use sheets::{CommentsSheet, KickInSheet, ReportSheet, SignInSheet};

/// The feed, newest and best first for whoever watches.
#[component]
pub fn FeedPage() -> impl IntoView {
    let first = Resource::new(|| (), |_| load_feed(None));
    view! {
        <Title text="Feed" />
        <h1 class="sr-only">"Feed"</h1>
        <Suspense fallback=|| {
            view! { <Loading label="Loading Bops…" /> }
        }>
            {move || Suspend::new(async move {
                match first.await {
                    Ok(Page { bops, .. }) if bops.is_empty() => {
                        Either::Left(
                            view! {
                                <div class="px-4 py-8 sm:px-8">
                                    <EmptyState
                                        title="No Bops yet"
                                        body="When artists post Bops, their videos play here, newest and best first. Meanwhile, meet the artists already on Boptone."
                                        action_label="Discover artists"
                                        action_href="/music"
                                    />
                                </div>
                            },
                        )
                    }
                    Ok(page) => {
                        Either::Right(
                            view! { <BopFeed first=page.bops next=page.next /> }.into_any(),
                        )
                    }
                    Err(err) => Either::Right(view! { <LoadError error=err /> }.into_any()),
                }
            })}
        </Suspense>
    }
}

/// One Bop, opened from a shared link: server-rendered with its Open Graph tags, then
/// the feed goes on below it.
#[component]
pub fn BopPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let bop = Resource::new(id, load_bop);
    view! {
        <Suspense fallback=|| {
            view! { <Loading label="Loading the Bop…" /> }
        }>
            {move || Suspend::new(async move {
                match bop.await {
                    Ok(shared) => {
                        let bop = shared.bop;
                        let title = format!("{} on Boptone", bop.artist.name);
                        let description = if bop.caption.is_empty() {
                            format!("A Bop by {}.", bop.artist.name)
                        } else {
                            bop.caption.clone()
                        };
                        Either::Left(
                            view! {
                                <Title text=title.clone() />
                                <Meta name="description" content=description.clone() />
                                <Meta property="og:type" content="video.other" />
                                <Meta property="og:title" content=title.clone() />
                                <Meta property="og:description" content=description />
                                <Meta property="og:url" content=shared.page_url />
                                <Meta property="og:image" content=shared.poster_url />
                                <Meta property="og:video" content=shared.video_url />
                                <Meta property="og:video:type" content=shared.video_type />
                                <Meta property="og:video:width" content=bop.width.to_string() />
                                <Meta property="og:video:height" content=bop.height.to_string() />
                                <Meta name="twitter:card" content="player" />
                                <h1 class="sr-only">{title}</h1>
                                // The feed goes on after it, from the top.
                                <BopFeed first=vec![bop] next=Some(String::new()) />
                            },
                        )
                    }
                    Err(err) => {
                        Either::Right(
                            view! {
                                <Title text="Bop not found" />
                                <div class="px-4 py-8 sm:px-8">
                                    <h1 class="mb-6 text-2xl font-bold text-white">
                                        "This Bop isn't here"
                                    </h1>
                                    {match err {
                                        boptone::AppError::NotFound => {
                                            Either::Left(
                                                view! {
                                                    <EmptyState
                                                        title="It may have been deleted"
                                                        body="The artist may have taken it down. There are plenty more in the feed."
                                                        action_label="Go to the feed"
                                                        action_href="/feed"
                                                    />
                                                },
                                            )
                                        }
                                        other => Either::Right(view! { <LoadError error=other /> }),
                                    }}
                                </div>
                            },
                        )
                    }
                }
            })}
        </Suspense>
    }
}

/// A Bop in the feed, with what can change while it is shown.
#[derive(Clone)]
struct Item {
    bop: StoredValue<FeedBop>,
    counts: RwSignal<BopCounts>,
    liked: RwSignal<bool>,
}

impl Item {
    fn new(bop: FeedBop) -> Self {
        Self {
            counts: RwSignal::new(bop.counts),
            liked: RwSignal::new(bop.liked),
            bop: StoredValue::new(bop),
        }
    }

    fn id(&self) -> i64 {
        self.bop.with_value(|b| b.id)
    }
}

/// What is open over the feed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Sheet {
    Comments(usize),
    KickIn(usize),
    Report(usize),
    SignIn(&'static str),
}

/// The whole session's state, shared by the slides.
#[derive(Clone, Copy)]
struct Feed {
    items: RwSignal<Vec<Item>>,
    active: RwSignal<usize>,
    muted: RwSignal<bool>,
    following: RwSignal<HashMap<String, bool>>,
    sheet: RwSignal<Option<Sheet>>,
    signed_in: Signal<bool>,
    toast: RwSignal<Option<String>>,
}

impl Feed {
    /// Says `message` briefly at the bottom of the screen.
    fn say(self, message: &str) {
        self.toast.set(Some(message.to_owned()));
        let toast = self.toast;
        set_timeout(
            move || toast.try_set(None).map_or((), |_| ()),
            std::time::Duration::from_secs(3),
        );
    }
}

/// The seconds of play after which a view counts.
const VIEW_AFTER_SECS: f64 = 2.0;
/// Where the mute choice is kept for the session.
const MUTED_KEY: &str = "boptone.muted";

/// The feed's scroller: `first` Bops, then pages from `next` (`Some("")`: from the top).
#[component]
fn BopFeed(first: Vec<FeedBop>, next: Option<String>) -> AnyView {
    let session = use_session();
    let live = use_live();
    let signed_in = Signal::derive(move || matches!(session.user.get(), Some(Ok(Some(_)))));
    let following = first
        .iter()
        .map(|b| (b.artist.handle.clone(), b.following))
        .collect::<HashMap<_, _>>();
    let seen = StoredValue::new(first.iter().map(|b| b.id).collect::<HashSet<i64>>());
    let feed = Feed {
        items: RwSignal::new(first.into_iter().map(Item::new).collect()),
        active: RwSignal::new(0),
        muted: RwSignal::new(true),
        following: RwSignal::new(following),
        sheet: RwSignal::new(None),
        signed_in,
        toast: RwSignal::new(None),
    };
    let next = RwSignal::new(next);
    let loading = RwSignal::new(false);
    let scroller = NodeRef::<html::Div>::new();

    // The mute choice lasts the session (this tab, across reloads). Read after
    // hydration, so the first render matches the server's (muted).
    #[cfg(feature = "hydrate")]
    {
        let storage = || web_sys::window().and_then(|w| w.session_storage().ok().flatten());
        Effect::new(move |_| {
            if let Some(saved) = storage().and_then(|s| s.get_item(MUTED_KEY).ok().flatten()) {
                feed.muted.set(saved != "false");
            }
        });
        Effect::new(move |_| {
            let muted = feed.muted.get();
            if let Some(s) = storage() {
                let _ = s.set_item(MUTED_KEY, if muted { "true" } else { "false" });
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = MUTED_KEY;

    // More Bops before the viewer reaches the end; a Bop already shown is skipped.
    Effect::new(move |_| {
        let near_end = feed.active.get() + 3 >= feed.items.with(Vec::len);
        let Some(cursor) = next.get() else { return };
        if !near_end || loading.get_untracked() {
            return;
        }
        loading.set(true);
        spawn_local(async move {
            let cursor = (!cursor.is_empty()).then_some(cursor);
            match load_feed(cursor).await {
                Ok(page) => {
                    let fresh: Vec<FeedBop> = page
                        .bops
                        .into_iter()
                        .filter(|b| seen.try_update_value(|s| s.insert(b.id)).unwrap_or(false))
                        .collect();
                    feed.following.update(|f| {
                        for b in &fresh {
                            f.entry(b.artist.handle.clone()).or_insert(b.following);
                        }
                    });
                    feed.items
                        .update(|items| items.extend(fresh.into_iter().map(Item::new)));
                    next.set(page.next);
                }
                Err(_) => next.set(None),
            }
            loading.set(false);
        });
    });

    // Live counts for the Bops around the one playing.
    Effect::new(move |_| {
        let active = feed.active.get();
        let ids: Vec<i64> = feed.items.with(|items| {
            items
                .iter()
                .skip(active.saturating_sub(1))
                .take(3)
                .map(Item::id)
                .collect()
        });
        live.watching.set(ids);
    });
    on_cleanup(move || {
        live.watching.try_set(Vec::new());
    });
    Effect::new(move |_| {
        if let Some((id, counts)) = live.bop_counts.get() {
            feed.items.with_untracked(|items| {
                if let Some(item) = items.iter().find(|i| i.id() == id) {
                    item.counts.set(counts);
                }
            });
        }
    });

    let go = move |index: usize| {
        let Some(el) = scroller.get_untracked() else {
            return;
        };
        let last = feed.items.with_untracked(Vec::len).saturating_sub(1);
        let index = index.min(last);
        #[cfg(feature = "hydrate")]
        {
            let options = web_sys::ScrollToOptions::new();
            options.set_top(f64::from(el.client_height()) * index as f64);
            options.set_behavior(web_sys::ScrollBehavior::Smooth);
            el.scroll_to_with_scroll_to_options(&options);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (el, index);
    };
    let on_scroll = move |_| {
        let Some(el) = scroller.get_untracked() else {
            return;
        };
        let height = el.client_height().max(1);
        let index = ((el.scroll_top() + height / 2) / height).max(0) as usize;
        if index != feed.active.get_untracked() {
            feed.active.set(index);
        }
    };

    // The keyboard: ↑/↓ (k/j) move, space pauses, m mutes; not while typing or a sheet
    // is open.
    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        if feed.sheet.get_untracked().is_some() || ev.alt_key() || ev.ctrl_key() || ev.meta_key() {
            return;
        }
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let typing = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .is_some_and(|el| {
                    // Typing, or a focused control that Space and the arrows belong to.
                    matches!(
                        el.tag_name().as_str(),
                        "INPUT" | "TEXTAREA" | "SELECT" | "BUTTON" | "A"
                    ) || el
                        .closest("[role=dialog], [role=button], [contenteditable]")
                        .ok()
                        .flatten()
                        .is_some()
                });
            if typing {
                return;
            }
        }
        let active = feed.active.get_untracked();
        match ev.key().as_str() {
            "ArrowDown" | "j" | "PageDown" => {
                ev.prevent_default();
                go(active + 1);
            }
            "ArrowUp" | "k" | "PageUp" => {
                ev.prevent_default();
                go(active.saturating_sub(1));
            }
            " " => {
                ev.prevent_default();
                toggle_play(active);
            }
            "m" | "M" => feed.muted.update(|m| *m = !*m),
            _ => {}
        }
    });
    on_cleanup(move || keys.remove());

    view! {
        <div
            node_ref=scroller
            on:scroll=on_scroll
            class="feed-scroller relative snap-y snap-mandatory overflow-y-scroll overscroll-contain"
            data-testid="feed"
        >
            <For
                each=move || feed.items.get().into_iter().enumerate()
                key=|(_, item)| item.id()
                children=move |(index, item)| view! { <BopSlide feed item index /> }
            />
            <Show when=move || next.with(Option::is_none) && feed.items.with(|i| i.len() > 1)>
                <div class="grid h-40 snap-start place-items-center px-6 text-center text-sm text-zinc-400">
                    <p>
                        "You're all caught up. " <a href="/music" class="link">
                            "Find more artists"
                        </a>
                    </p>
                </div>
            </Show>
        </div>
        <p class="pointer-events-none fixed right-6 bottom-6 hidden text-xs text-zinc-400 lg:block">
            "↑ ↓ next and previous · Space pause · M sound"
        </p>
        <div class="sr-only" aria-live="polite">
            {move || {
                feed.items
                    .with(|items| {
                        items
                            .get(feed.active.get())
                            .map(|i| {
                                i.bop.with_value(|b| format!("Playing a Bop by {}", b.artist.name))
                            })
                    })
            }}
        </div>
        {move || {
            feed.toast
                .get()
                .map(|message| {
                    view! {
                        <div
                            role="status"
                            class="fixed inset-x-0 bottom-24 z-50 mx-auto w-fit rounded-full bg-white px-4 py-2 text-sm font-medium text-zinc-900 shadow-lg md:bottom-8"
                        >
                            {message}
                        </div>
                    }
                })
        }}
        {move || {
            feed.sheet
                .get()
                .and_then(|sheet| {
                    let close = Callback::new(move |()| feed.sheet.set(None));
                    let item = |i: usize| feed.items.with_untracked(|items| items.get(i).cloned());
                    let open = match sheet {
                        Sheet::Comments(i) => {
                            let item = item(i)?;
                            Open::Comments {
                                bop: item.bop.get_value(),
                                counts: item.counts,
                                signed_in: feed.signed_in,
                            }
                        }
                        Sheet::KickIn(i) => Open::KickIn(item(i)?.bop.get_value()),
                        Sheet::Report(i) => Open::Report(item(i)?.bop.get_value()),
                        Sheet::SignIn(reason) => Open::SignIn(reason),
                    };
                    Some(
                        // The sheets' code arrives the first time one opens: it is not part
                        // of what the feed needs before its first Bop plays.
                        view! {
                            <Suspense fallback=|| ()>
                                {Suspend::new(
                                    sheet_view(SheetArgs {
                                        open: open.clone(),
                                        close,
                                    }),
                                )}
                            </Suspense>
                        },
                    )
                })
        }}
    }
    .into_any()
}

/// A sheet to show, with what it needs.
#[derive(Clone)]
enum Open {
    Comments {
        bop: FeedBop,
        counts: RwSignal<BopCounts>,
        signed_in: Signal<bool>,
    },
    KickIn(FeedBop),
    Report(FeedBop),
    SignIn(&'static str),
}

/// The argument of the sheets' lazily loaded code.
struct SheetArgs {
    open: Open,
    close: Callback<()>,
}

#[lazy]
fn sheet_view(args: SheetArgs) -> AnyView {
    let SheetArgs { open, close } = args;
    match open {
        Open::Comments {
            bop,
            counts,
            signed_in,
        } => view! { <CommentsSheet bop counts signed_in close /> }.into_any(),
        Open::KickIn(bop) => view! { <KickInSheet bop close /> }.into_any(),
        Open::Report(bop) => view! { <ReportSheet bop close /> }.into_any(),
        Open::SignIn(reason) => view! { <SignInSheet reason close /> }.into_any(),
    }
}

/// Pauses or resumes the Bop at `index`.
fn toggle_play(index: usize) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let video = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| {
                d.query_selector(&format!("[data-index=\"{index}\"] video"))
                    .ok()
                    .flatten()
            })
            .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(video) = video {
            video.click();
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = index;
}

/// A count as people read it: 999, 1.2K, 3.4M.
fn compact(n: i64) -> String {
    match n {
        ..1_000 => n.max(0).to_string(),
        1_000..1_000_000 => trim(n as f64 / 1_000.0, "K"),
        _ => trim(n as f64 / 1_000_000.0, "M"),
    }
}

fn trim(value: f64, unit: &str) -> String {
    if value >= 100.0 {
        format!("{}{unit}", value.floor())
    } else {
        let text = format!("{:.1}", (value * 10.0).floor() / 10.0);
        format!("{}{unit}", text.trim_end_matches(".0"))
    }
}

#[component]
fn BopSlide(feed: Feed, item: Item, index: usize) -> AnyView {
    let bop = item.bop.get_value();
    let active = Signal::derive(move || feed.active.get() == index);
    // A player exists for the Bop playing and its neighbours: at most three.
    let near = Signal::derive(move || feed.active.get().abs_diff(index) <= 1);
    let played = StoredValue::new(0.0_f64);
    let counted = StoredValue::new(false);
    let record_view = ServerAction::<RecordView>::new();
    let id = bop.id;
    let on_played = Callback::new(move |seconds: f64| {
        played.update_value(|p| *p += seconds);
        if !counted.get_value() && played.get_value() >= VIEW_AFTER_SECS {
            counted.set_value(true);
            record_view.dispatch(RecordView { id });
        }
    });
    let handle = bop.artist.handle.clone();
    let name = bop.artist.name.clone();
    let label = format!("Bop by {name}");
    let src = bop.playlist_url.clone();
    // The first Bop plays its MP4 straight from the HTML (see `BopVideo`).
    let fast_start = if index == 0 {
        bop.mp4_url.clone()
    } else {
        None
    };
    let poster = bop.poster_url.clone();
    let video_poster = poster.clone();
    let video_label = label.clone();
    view! {
        <section
            class="feed-slide relative snap-start snap-always overflow-hidden bg-black"
            aria-label=label.clone()
            data-testid="bop"
            data-bop-id=id
            data-index=index
        >
            <Show
                when=move || near.get()
                fallback={
                    let poster = poster.clone();
                    move || {
                        view! {
                            <img
                                src=poster.clone()
                                alt=""
                                class="h-full w-full object-cover md:object-contain"
                                loading="lazy"
                            />
                        }
                    }
                }
            >
                <BopVideo
                    src=src.clone()
                    fast_start=fast_start.clone()
                    poster=video_poster.clone()
                    label=video_label.clone()
                    active
                    muted=feed.muted
                    played=on_played
                />
            </Show>
            <button
                type="button"
                class="absolute top-3 right-3 z-10 rounded-full bg-black/50 px-3 py-1.5 text-sm font-medium text-white backdrop-blur hover:bg-black/70"
                aria-pressed=move || if feed.muted.get() { "false" } else { "true" }
                on:click=move |_| feed.muted.update(|m| *m = !*m)
            >
                <span class="flex items-center gap-1.5">
                    {move || {
                        if feed.muted.get() {
                            view! {
                                <Icon path=icons::SOUND_OFF class="h-5 w-5" />
                                "Tap to unmute"
                            }
                                .into_any()
                        } else {
                            view! {
                                <Icon path=icons::SOUND_ON class="h-5 w-5" />
                                "Sound on"
                            }
                                .into_any()
                        }
                    }}
                </span>
            </button>
            <div class="pointer-events-none absolute inset-x-0 bottom-0 bg-gradient-to-t from-black/85 via-black/40 to-transparent px-4 pt-16 pb-5 pr-20">
                <a
                    href=format!("/@{handle}")
                    class="pointer-events-auto text-base font-semibold text-white hover:underline"
                >
                    {name.clone()}
                    <span class="ml-2 text-sm font-normal text-zinc-300">"@"{handle.clone()}</span>
                </a>
                <Caption text=bop.caption.clone() />
            </div>
            <Actions feed item index />
        </section>
    }
    .into_any()
}

/// A caption with its #hashtags set apart.
#[component]
fn Caption(text: String) -> impl IntoView {
    (!text.is_empty()).then(|| {
        let words = text
            .split(' ')
            .map(|word| {
                if word.starts_with('#') && word.len() > 1 {
                    Either::Left(view! {
                        <span class="font-semibold text-fuchsia-200">{word.to_owned()}</span>
                        " "
                    })
                } else {
                    Either::Right(format!("{word} "))
                }
            })
            .collect_view();
        view! { <p class="mt-1 line-clamp-3 text-sm whitespace-pre-line text-zinc-100">{words}</p> }
    })
}

/// The buttons beside a Bop: the artist (and Follow), like, comments, share, Kick In.
#[component]
fn Actions(feed: Feed, item: Item, index: usize) -> AnyView {
    let bop = item.bop.get_value();
    let handle = bop.artist.handle.clone();
    let id = bop.id;
    let own = bop.own;
    let like = ServerAction::<LikeBop>::new();
    let follow = ServerAction::<SetFollow>::new();
    // Optimistic: the heart and count change at once, and change back if refused.
    let before_like = StoredValue::new(None::<(bool, BopCounts)>);
    Effect::new(move |_| match like.value().get() {
        Some(Ok(counts)) => {
            item.counts.set(counts);
            before_like.set_value(None);
        }
        Some(Err(_)) => {
            if let Some((liked, counts)) = before_like.get_value() {
                item.liked.set(liked);
                item.counts.set(counts);
            }
            feed.say("That didn't go through. Try again.");
        }
        None => {}
    });
    let on_like = move |_| {
        if !feed.signed_in.get_untracked() {
            feed.sheet.set(Some(Sheet::SignIn("like Bops")));
            return;
        }
        let liked = !item.liked.get_untracked();
        before_like.set_value(Some((!liked, item.counts.get_untracked())));
        item.liked.set(liked);
        if !own {
            item.counts
                .update(|c| c.likes = (c.likes + if liked { 1 } else { -1 }).max(0));
        }
        like.dispatch(LikeBop { id, liked });
    };
    let follow_handle = handle.clone();
    let is_following = {
        let handle = handle.clone();
        move || {
            feed.following
                .with(|f| f.get(&handle).copied().unwrap_or(false))
        }
    };
    let on_follow = {
        let is_following = is_following.clone();
        move |_| {
            if !feed.signed_in.get_untracked() {
                feed.sheet.set(Some(Sheet::SignIn("follow artists")));
                return;
            }
            let now = !is_following();
            let handle = follow_handle.clone();
            feed.following.update(|f| {
                f.insert(handle.clone(), now);
            });
            follow.dispatch(SetFollow {
                handle,
                follow: now,
            });
        }
    };
    {
        let handle = handle.clone();
        Effect::new(move |_| match follow.value().get() {
            Some(Ok(state)) => feed.following.update(|f| {
                f.insert(handle.clone(), state.following);
            }),
            Some(Err(_)) => {
                feed.following.update(|f| {
                    if let Some(v) = f.get_mut(&handle) {
                        *v = !*v;
                    }
                });
                feed.say("That didn't go through. Try again.");
            }
            None => {}
        });
    }
    let share = move |_| {
        let path = format!("/bops/{id}");
        share_link(&path, feed);
    };
    let kick_in = bop.artist.kick_in && !own;
    let name = bop.artist.name.clone();
    let initial = name
        .chars()
        .next()
        .map(|c| c.to_uppercase().to_string())
        .unwrap_or_default();
    view! {
        <div class="absolute right-2 bottom-6 z-10 flex flex-col items-center gap-4 text-white">
            <div class="relative mb-2">
                <a href=format!("/@{handle}") aria-label=format!("{name}'s profile")>
                    {match bop.artist.photo_url.clone() {
                        Some(url) => {
                            Either::Left(
                                view! {
                                    <img
                                        src=url
                                        alt=""
                                        class="h-12 w-12 rounded-full border-2 border-white object-cover"
                                    />
                                },
                            )
                        }
                        None => {
                            Either::Right(
                                view! {
                                    <span class="grid h-12 w-12 place-items-center rounded-full border-2 border-white bg-fuchsia-600 font-semibold">
                                        {initial}
                                    </span>
                                },
                            )
                        }
                    }}
                </a>
                <Show when=move || !own>
                    <button
                        type="button"
                        class="absolute -bottom-2 left-1/2 -translate-x-1/2 rounded-full bg-fuchsia-400 px-2 text-xs leading-5 font-semibold whitespace-nowrap text-zinc-950 shadow hover:bg-fuchsia-300 aria-pressed:bg-zinc-800 aria-pressed:text-white"
                        aria-pressed={
                            let is_following = is_following.clone();
                            move || if is_following() { "true" } else { "false" }
                        }
                        on:click=on_follow.clone()
                    >
                        {
                            let is_following = is_following.clone();
                            move || if is_following() { "Following" } else { "Follow" }
                        }
                    </button>
                </Show>
            </div>
            <button
                type="button"
                class="feed-action"
                aria-pressed=move || if item.liked.get() { "true" } else { "false" }
                on:click=on_like
            >
                <span class:text-rose-500=move || item.liked.get()>
                    <Icon
                        path=icons::HEART
                        class="h-8 w-8"
                        filled=Signal::derive(move || item.liked.get())
                    />
                </span>
                // Named "Like 12 likes": the visible count is part of the name.
                <span class="sr-only">"Like "</span>
                <span class="text-xs font-semibold">
                    {move || compact(item.counts.get().likes)}
                </span>
                <span class="sr-only">" likes"</span>
            </button>
            <button
                type="button"
                class="feed-action"
                on:click=move |_| feed.sheet.set(Some(Sheet::Comments(index)))
            >
                <Icon path=icons::COMMENT class="h-8 w-8" />
                <span class="sr-only">"Comments "</span>
                <span class="text-xs font-semibold">
                    {move || compact(item.counts.get().comments)}
                </span>
            </button>
            <button type="button" class="feed-action" aria-label="Share" on:click=share>
                <Icon path=icons::SHARE class="h-8 w-8" />
                <span class="text-xs font-semibold" aria-hidden="true">
                    "Share"
                </span>
            </button>
            <Show when=move || kick_in>
                <button
                    type="button"
                    class="feed-action"
                    aria-label=format!("Kick In: tip {}", bop.artist.name)
                    on:click=move |_| feed.sheet.set(Some(Sheet::KickIn(index)))
                >
                    <Icon path=icons::TIP class="h-8 w-8" />
                    <span class="text-xs font-semibold" aria-hidden="true">
                        "Kick In"
                    </span>
                </button>
            </Show>
            <Show when=move || !own>
                <button
                    type="button"
                    class="rounded-lg px-2 py-1 text-xs font-medium text-zinc-300 drop-shadow hover:bg-white/10 hover:text-white"
                    on:click=move |_| {
                        if feed.signed_in.get_untracked() {
                            feed.sheet.set(Some(Sheet::Report(index)));
                        } else {
                            feed.sheet.set(Some(Sheet::SignIn("report Bops")));
                        }
                    }
                >
                    "Report"
                </button>
            </Show>
            <span class="sr-only">{move || format!("{} views", item.counts.get().views)}</span>
        </div>
    }
    .into_any()
}

/// Shares a link to `path` with the system's share sheet, or copies it.
fn share_link(path: &str, feed: Feed) {
    #[cfg(feature = "hydrate")]
    {
        let Some(window) = web_sys::window() else {
            return;
        };
        let url = format!("{}{path}", window.location().origin().unwrap_or_default());
        let navigator = window.navigator();
        let share = js_sys::Reflect::get(&navigator, &"share".into()).ok();
        if let Some(share) =
            share.and_then(|f| wasm_bindgen::JsCast::dyn_into::<js_sys::Function>(f).ok())
        {
            let data = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&data, &"url".into(), &url.clone().into());
            let _ = share.call1(&navigator, &data);
            return;
        }
        let _ = navigator.clipboard().write_text(&url);
        feed.say("Link copied");
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (path, feed);
}
