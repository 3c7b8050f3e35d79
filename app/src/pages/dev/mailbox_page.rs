use boptone::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_query_map};

use crate::{
    api::mailbox::{MailboxEntry, list_mailbox},
    components::ui::{LoadError, Loading},
};

/// The in-app mailbox: every email this server sent, when it has no SMTP server.
#[component]
pub fn MailboxPage() -> impl IntoView {
    let query = use_query_map();
    let to = move || query.read().get("to").unwrap_or_default();
    let messages = Resource::new(to, list_mailbox);
    view! {
        <Title text="Mailbox" />
        <div class="mx-auto max-w-3xl px-4 py-8 sm:px-8">
            <h1 class="text-2xl font-bold text-white">"Mailbox"</h1>
            <p class="mt-1 text-sm text-zinc-400">
                "No SMTP server is configured, so email lands here instead of being sent. Set SMTP_URL to deliver it for real."
            </p>
            <form method="get" class="mt-6 flex gap-2" role="search">
                <label for="mailbox-to" class="sr-only">
                    "Show email sent to"
                </label>
                <input
                    id="mailbox-to"
                    name="to"
                    type="email"
                    value=to
                    placeholder="Show email sent to…"
                    class="min-w-0 flex-1 rounded-xl border border-zinc-700 bg-zinc-900 px-3.5 py-2 text-zinc-50 placeholder-zinc-500 focus:border-fuchsia-400 focus:outline-none focus:ring-2 focus:ring-fuchsia-400/40"
                />
                <button type="submit" class="btn-secondary">
                    "Filter"
                </button>
            </form>
            <Suspense fallback=|| {
                view! { <Loading label="Loading email…" /> }
            }>
                {move || Suspend::new(async move {
                    match messages.await {
                        Ok(list) if list.is_empty() => {
                            view! {
                                <p class="mt-8 rounded-2xl border border-dashed border-zinc-700 px-6 py-10 text-center text-zinc-400">
                                    "No email yet."
                                </p>
                            }
                                .into_any()
                        }
                        Ok(list) => {
                            view! {
                                <ol class="mt-6 space-y-4">
                                    {list
                                        .into_iter()
                                        .map(|m| view! { <Message message=m /> })
                                        .collect_view()}
                                </ol>
                            }
                                .into_any()
                        }
                        Err(AppError::Unauthenticated | AppError::Forbidden) => {
                            view! {
                                <div class="mt-6 space-y-4 rounded-2xl border border-zinc-800 bg-zinc-900/60 p-5 text-sm text-zinc-300">
                                    <h2 class="font-semibold text-white">
                                        "Only operators can read this mailbox"
                                    </h2>
                                    <p>
                                        "It holds every email this server sent, password reset links included. Sign in with an operator (admin) account to read it."
                                    </p>
                                    <p>
                                        "On your own development machine you can open it to everyone by starting the server with "
                                        <code class="text-zinc-100">"DEV_MAILBOX=true"</code>"."
                                    </p>
                                    <A
                                        href="/signin?next=/dev/mailbox"
                                        attr:class="btn-primary inline-flex"
                                    >
                                        "Sign in"
                                    </A>
                                </div>
                            }
                                .into_any()
                        }
                        Err(AppError::NotFound) => {
                            view! {
                                <p class="mt-8 rounded-2xl border border-dashed border-zinc-700 px-6 py-10 text-center text-zinc-400">
                                    "This server sends email through its mail server, so there is no mailbox here."
                                </p>
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
            </Suspense>
        </div>
    }
}

#[component]
fn Message(message: MailboxEntry) -> impl IntoView {
    let heading = format!("mail-{}", message.id);
    let labelled_by = heading.clone();
    view! {
        <li>
            <article
                aria-labelledby=labelled_by
                class="rounded-2xl border border-zinc-800 bg-zinc-900/60 p-5"
            >
                <h2 id=heading class="font-semibold text-white">
                    {message.subject.clone()}
                </h2>
                <p class="mt-1 text-sm text-zinc-400">"To " {message.to.clone()}</p>
                <div class="mt-4 space-y-3 text-sm text-zinc-200">
                    {message
                        .body
                        .split("\n\n")
                        .map(|para| view! { <p class="break-words">{linkify(para)}</p> })
                        .collect_view()}
                </div>
            </article>
        </li>
    }
}

/// Text with its http(s) links made clickable.
fn linkify(text: &str) -> Vec<AnyView> {
    let mut out = Vec::new();
    for (i, word) in text.split(' ').enumerate() {
        if i > 0 {
            out.push(" ".into_any());
        }
        if word.starts_with("http://") || word.starts_with("https://") {
            out.push(
                view! {
                    <a href=word.to_owned() class="link break-all">
                        {word.to_owned()}
                    </a>
                }
                .into_any(),
            );
        } else {
            out.push(word.to_owned().into_any());
        }
    }
    out
}
