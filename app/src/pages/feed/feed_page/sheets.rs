//! What opens over the feed: a Bop's comments, Kick In for its artist, and the
//! invitation to sign in. Each is a dialog that Escape or the close button dismisses.

use boptone::{
    bops::{BopComment, BopCounts, COMMENT_MAX_CHARS, CommentOrder, FeedBop},
    moderation::{Reason, Subject},
};
use leptos::{either::Either, html, prelude::*};
use leptos_router::hooks::use_location;

use crate::{
    api::{
        bops::{DeleteComment, LikeComment, PostComment, load_comments},
        moderation::ReportContent,
    },
    components::{
        kick_in::KickInForm,
        local_time::LocalDay,
        ui::{FormAlert, LoadError, Loading, TEXT_INPUT, field_error, form_error},
    },
};

/// A sheet rising from the bottom on phones, a centred panel on larger screens. Focus
/// moves to its title, stays inside while it is open, and goes back to what opened it.
#[component]
fn Dialog(
    #[prop(into)] title: Signal<String>,
    close: Callback<()>,
    children: Children,
) -> impl IntoView {
    let heading = NodeRef::<html::H2>::new();
    let panel = NodeRef::<html::Div>::new();
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let opener = StoredValue::new_local(
            web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.active_element())
                .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok()),
        );
        on_cleanup(move || {
            if let Some(el) = opener.try_update_value(Option::take).flatten() {
                let _ = el.focus();
            }
        });
        // Focus that wanders out (Tab past the end) comes back to the title.
        let focus = window_event_listener(leptos::ev::focusin, move |ev| {
            let (Some(panel), Some(heading)) = (panel.get_untracked(), heading.get_untracked())
            else {
                return;
            };
            let inside = ev.target().is_some_and(|t| {
                t.dyn_ref::<web_sys::Node>()
                    .is_some_and(|node| panel.contains(Some(node)))
            });
            if !inside {
                let _ = heading.focus();
            }
        });
        on_cleanup(move || focus.remove());
    }
    Effect::new(move |_| {
        if let Some(h) = heading.get() {
            let _ = h.focus();
        }
    });
    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() == "Escape" {
            close.run(());
        }
    });
    on_cleanup(move || keys.remove());
    view! {
        <div
            class="fixed inset-0 z-40 bg-black/60"
            on:click=move |_| close.run(())
            aria-hidden="true"
        ></div>
        <div
            node_ref=panel
            role="dialog"
            aria-modal="true"
            aria-labelledby="sheet-title"
            class="fixed inset-x-0 bottom-0 z-50 flex max-h-[80dvh] flex-col rounded-t-3xl border border-zinc-800 bg-zinc-950 shadow-2xl md:inset-x-auto md:top-1/2 md:left-1/2 md:w-[28rem] md:-translate-x-1/2 md:-translate-y-1/2 md:rounded-3xl"
        >
            <div class="flex items-center justify-between border-b border-zinc-800 px-5 py-3">
                <h2
                    id="sheet-title"
                    node_ref=heading
                    tabindex="-1"
                    class="text-base font-semibold text-white focus:outline-none"
                >
                    {title}
                </h2>
                <button type="button" class="btn-ghost" on:click=move |_| close.run(())>
                    "Close"
                </button>
            </div>
            <div class="min-h-0 flex-1 overflow-y-auto px-5 py-4">{children()}</div>
        </div>
    }
}

/// Asks a visitor to sign in to `reason` ("like Bops"), and brings them back.
#[component]
pub fn SignInSheet(reason: &'static str, close: Callback<()>) -> impl IntoView {
    let location = use_location();
    let back = move || {
        let next = location.pathname.get();
        format!("/signin?next={next}")
    };
    view! {
        <Dialog title="Join Boptone".to_owned() close>
            <p class="text-sm text-zinc-300">
                {format!("Sign in or create a free account to {reason}.")}
            </p>
            <div class="mt-5 flex flex-wrap gap-3">
                <a href=back class="btn-primary">
                    "Sign in"
                </a>
                <a href="/signup" class="btn-secondary">
                    "Create an account"
                </a>
            </div>
        </Dialog>
    }
}

/// Kick In for the Bop's artist, with the Bop recorded on the tip.
#[component]
pub fn KickInSheet(bop: FeedBop, close: Callback<()>) -> impl IntoView {
    view! {
        <Dialog title=format!("Kick In for {}", bop.artist.name) close>
            <KickInForm
                handle=bop.artist.handle.clone()
                artist_name=bop.artist.name.clone()
                bop=bop.id
            />
        </Dialog>
    }
}

/// Reporting a Bop to the operators.
#[component]
pub fn ReportSheet(bop: FeedBop, close: Callback<()>) -> impl IntoView {
    view! {
        <Dialog title="Report this Bop".to_owned() close>
            <ReportForm subject=Subject::Bop id=bop.id />
        </Dialog>
    }
}

/// Why this Bop or comment should be looked at; sent to the operators' review.
#[component]
fn ReportForm(subject: Subject, id: i64) -> impl IntoView {
    let report = ServerAction::<ReportContent>::new();
    let sent = move || matches!(report.value().get(), Some(Ok(())));
    view! {
        <Show
            when=sent
            fallback=move || {
                view! {
                    <ActionForm action=report attr:class="space-y-3">
                        <input type="hidden" name="subject" value=subject.as_str() />
                        <input type="hidden" name="id" value=id />
                        <fieldset class="space-y-2">
                            <legend class="mb-1 text-sm font-medium text-zinc-200">
                                "What's wrong with it?"
                            </legend>
                            {Reason::ALL
                                .iter()
                                .map(|reason| {
                                    view! {
                                        <label class="flex items-center gap-3 text-sm text-zinc-200">
                                            <input
                                                type="radio"
                                                name="reason"
                                                value=reason.as_str()
                                                required
                                                class="h-4 w-4 accent-fuchsia-400"
                                            />
                                            {reason.label()}
                                        </label>
                                    }
                                })
                                .collect_view()}
                        </fieldset>
                        <FormAlert message=form_error(report.value(), &[]) />
                        <button
                            type="submit"
                            class="btn-primary"
                            disabled=move || report.pending().get()
                        >
                            "Send report"
                        </button>
                    </ActionForm>
                }
            }
        >
            <p class="text-sm text-zinc-200" role="status">
                "Thanks for telling us. An operator will review it."
            </p>
        </Show>
    }
}

/// A Bop's comments: newest or top first, like and delete, and the form to add one.
#[component]
pub fn CommentsSheet(
    bop: FeedBop,
    counts: RwSignal<BopCounts>,
    signed_in: Signal<bool>,
    close: Callback<()>,
) -> impl IntoView {
    let id = bop.id;
    let order = RwSignal::new(CommentOrder::Newest);
    let version = RwSignal::new(0u32);
    let comments = Resource::new(
        move || (order.get(), version.get()),
        move |(order, _): (CommentOrder, u32)| load_comments(id, order.as_str().into()),
    );
    let post = ServerAction::<PostComment>::new();
    let body = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(Ok(posted)) = post.value().get() {
            body.set(String::new());
            counts.set(posted.counts);
            version.update(|v| *v += 1);
        }
    });
    let remaining = move || COMMENT_MAX_CHARS as i64 - body.with(|b| b.chars().count() as i64);
    let title = move || format!("Comments ({})", counts.get().comments);
    view! {
        <Dialog title=Signal::derive(title) close>
            <div class="mb-4 flex gap-2" role="group" aria-label="Order">
                {[(CommentOrder::Newest, "Newest"), (CommentOrder::Top, "Top")]
                    .into_iter()
                    .map(|(o, label)| {
                        view! {
                            <button
                                type="button"
                                class="genre-chip-body aria-pressed:border-fuchsia-400 aria-pressed:bg-fuchsia-500/15 aria-pressed:text-white"
                                aria-pressed=move || if order.get() == o { "true" } else { "false" }
                                on:click=move |_| order.set(o)
                            >
                                {label}
                            </button>
                        }
                    })
                    .collect_view()}
            </div>
            <Transition fallback=|| {
                view! { <Loading label="Loading comments…" /> }
            }>
                {move || Suspend::new(async move {
                    match comments.await {
                        Ok(list) if list.is_empty() => {
                            Either::Left(
                                view! {
                                    <p class="py-6 text-center text-sm text-zinc-400">
                                        "No comments yet. Say something nice!"
                                    </p>
                                },
                            )
                        }
                        Ok(list) => {
                            Either::Right(
                                view! {
                                    <ul class="space-y-4" aria-label="Comments">
                                        {list
                                            .into_iter()
                                            .map(|c| {
                                                view! { <CommentRow comment=c counts version signed_in /> }
                                            })
                                            .collect_view()}
                                    </ul>
                                }
                                    .into_any(),
                            )
                        }
                        Err(err) => Either::Right(view! { <LoadError error=err /> }.into_any()),
                    }
                })}
            </Transition>
            <Show
                when=move || signed_in.get()
                fallback=|| {
                    view! {
                        <p class="mt-6 text-sm text-zinc-300">
                            <a href="/signin" class="link">
                                "Sign in"
                            </a>
                            " to join the conversation."
                        </p>
                    }
                }
            >
                <ActionForm action=post attr:class="mt-6 space-y-2 border-t border-zinc-800 pt-4">
                    <input type="hidden" name="id" value=id />
                    <label for="comment-body" class="block text-sm font-medium text-zinc-200">
                        "Add a comment"
                    </label>
                    <textarea
                        id="comment-body"
                        name="body"
                        rows="2"
                        maxlength=COMMENT_MAX_CHARS
                        class=TEXT_INPUT
                        prop:value=move || body.get()
                        on:input=move |ev| body.set(event_target_value(&ev))
                    ></textarea>
                    <div class="flex items-center justify-between gap-3">
                        <span class="text-xs text-zinc-400" aria-live="polite">
                            {move || format!("{} characters left", remaining())}
                        </span>
                        <button
                            type="submit"
                            class="btn-primary"
                            disabled=move || post.pending().get()
                        >
                            {move || if post.pending().get() { "Posting…" } else { "Post" }}
                        </button>
                    </div>
                    {move || {
                        field_error(post.value(), "body")
                            .get()
                            .or_else(|| form_error(post.value(), &["body"]).get())
                            .map(|m| {
                                view! {
                                    <p class="text-sm font-medium text-rose-300" role="alert">
                                        {m}
                                    </p>
                                }
                            })
                    }}
                </ActionForm>
            </Show>
        </Dialog>
    }
}

#[component]
fn CommentRow(
    comment: BopComment,
    counts: RwSignal<BopCounts>,
    version: RwSignal<u32>,
    signed_in: Signal<bool>,
) -> impl IntoView {
    let id = comment.id;
    let mine = comment.mine;
    let reporting = RwSignal::new(false);
    let liked = RwSignal::new(comment.liked);
    let likes = RwSignal::new(comment.likes);
    let like = ServerAction::<LikeComment>::new();
    let delete = ServerAction::<DeleteComment>::new();
    Effect::new(move |_| match like.value().get() {
        Some(Ok(n)) => likes.set(n),
        Some(Err(_)) => liked.update(|l| *l = !*l),
        None => {}
    });
    Effect::new(move |_| {
        if let Some(Ok(now)) = delete.value().get() {
            counts.set(now);
            version.update(|v| *v += 1);
        }
    });
    let confirming = RwSignal::new(false);
    view! {
        <li class="text-sm" data-testid="comment">
            <p class="text-zinc-400">
                <a
                    href=format!("/@{}", comment.author_handle)
                    class="font-semibold text-zinc-200 hover:underline"
                >
                    {comment.author_name.clone()}
                </a>
                {comment
                    .by_artist
                    .then(|| {
                        view! {
                            <span class="ml-2 rounded bg-fuchsia-500/20 px-1.5 text-xs text-fuchsia-200">
                                "Artist"
                            </span>
                        }
                    })}
                " · "
                <LocalDay ms=comment.created_at />
            </p>
            <p class="mt-1 whitespace-pre-line text-zinc-100">{comment.body.clone()}</p>
            <div class="mt-1 flex gap-4 text-xs text-zinc-400">
                <button
                    type="button"
                    class="hover:text-white disabled:cursor-default aria-pressed:text-rose-400"
                    aria-pressed=move || if liked.get() { "true" } else { "false" }
                    disabled=move || !signed_in.get()
                    on:click=move |_| {
                        let now = !liked.get_untracked();
                        liked.set(now);
                        like.dispatch(LikeComment {
                            comment_id: id,
                            liked: now,
                        });
                    }
                >
                    <span aria-hidden="true">"♥ "</span>
                    {move || likes.get()}
                    <span class="sr-only">" likes: like this comment"</span>
                </button>
                {comment
                    .can_delete
                    .then(|| {
                        view! {
                            <Show
                                when=move || confirming.get()
                                fallback=move || {
                                    view! {
                                        <button
                                            type="button"
                                            class="hover:text-white"
                                            on:click=move |_| confirming.set(true)
                                        >
                                            "Delete"
                                        </button>
                                    }
                                }
                            >
                                <span class="text-zinc-300">"Delete this comment?"</span>
                                <button
                                    type="button"
                                    class="font-semibold text-rose-300 hover:text-rose-200"
                                    on:click=move |_| {
                                        delete.dispatch(DeleteComment { comment_id: id });
                                    }
                                >
                                    "Yes, delete"
                                </button>
                                <button
                                    type="button"
                                    class="hover:text-white"
                                    on:click=move |_| confirming.set(false)
                                >
                                    "Keep it"
                                </button>
                            </Show>
                        }
                    })}
                <Show when=move || signed_in.get() && !mine && !reporting.get()>
                    <button
                        type="button"
                        class="hover:text-white"
                        on:click=move |_| reporting.set(true)
                    >
                        "Report"
                    </button>
                </Show>
            </div>
            <Show when=move || reporting.get()>
                <div class="mt-3 rounded-xl border border-zinc-800 p-3">
                    <ReportForm subject=Subject::Comment id />
                </div>
            </Show>
        </li>
    }
}
