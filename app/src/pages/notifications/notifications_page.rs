use boptone::notifications::Notification;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::{
    api::notifications::{MarkAllNotificationsRead, MarkNotificationRead, list_notifications},
    components::{
        local_time::LocalDay,
        ui::{AuthCard, EmptyState, FormAlert, LoadError, Loading, form_error},
    },
    contexts::{live::use_live, session::use_session},
};

/// The signed-in user's notifications, newest first, live.
#[component]
pub fn NotificationsPage() -> impl IntoView {
    let session = use_session();
    let live = use_live();
    let mark_all = ServerAction::<MarkAllNotificationsRead>::new();
    let mark_one = ServerAction::<MarkNotificationRead>::new();
    // A change here refreshes the list and the badge alike.
    Effect::new(move |_| {
        if mark_all.version().get() + mark_one.version().get() > 0 {
            live.notifications.update(|v| *v = v.wrapping_add(1));
        }
    });
    let list = Resource::new(move || live.notifications.get(), |_| list_notifications());
    view! {
        <Title text="Notifications" />
        <Suspense fallback=|| {
            view! { <Loading label="Loading notifications…" /> }
        }>
            {move || Suspend::new(async move {
                match session.user.await {
                    Ok(Some(_)) => {
                        view! {
                            <div class="mx-auto max-w-2xl px-4 py-8 sm:px-8">
                                <div class="flex items-center justify-between gap-4">
                                    <h1 class="text-2xl font-bold text-white">"Notifications"</h1>
                                    <ActionForm action=mark_all>
                                        <button
                                            type="submit"
                                            class="btn-secondary px-3 py-1.5 text-sm"
                                        >
                                            "Mark all as read"
                                        </button>
                                    </ActionForm>
                                </div>
                                <div class="mt-4">
                                    <FormAlert message=form_error(mark_all.value(), &[]) />
                                </div>
                                <Transition fallback=|| {
                                    view! { <Loading label="Loading notifications…" /> }
                                }>
                                    {move || Suspend::new(async move {
                                        match list.await {
                                            Ok(items) if items.is_empty() => {
                                                view! {
                                                    <div class="mt-6">
                                                        <EmptyState
                                                            title="Nothing yet"
                                                            body="Tips, follows, orders and payouts show up here as they happen."
                                                            action_label="Discover artists"
                                                            action_href="/music"
                                                        />
                                                    </div>
                                                }
                                                    .into_any()
                                            }
                                            Ok(items) => {
                                                view! {
                                                    <ul class="mt-6 space-y-3" aria-label="Notifications">
                                                        {items
                                                            .into_iter()
                                                            .map(|n| view! { <Item n mark_one /> })
                                                            .collect_view()}
                                                    </ul>
                                                }
                                                    .into_any()
                                            }
                                            Err(err) => view! { <LoadError error=err /> }.into_any(),
                                        }
                                    })}
                                </Transition>
                            </div>
                        }
                            .into_any()
                    }
                    Ok(None) => {
                        view! {
                            <AuthCard title="Notifications" subtitle="Sign in to see what's new.">
                                <A
                                    href="/signin?next=/notifications"
                                    attr:class="btn-primary w-full"
                                >
                                    "Sign in"
                                </A>
                            </AuthCard>
                        }
                            .into_any()
                    }
                    Err(err) => {
                        view! {
                            <div class="px-4 py-8">
                                <LoadError error=err />
                            </div>
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn Item(n: Notification, mark_one: ServerAction<MarkNotificationRead>) -> impl IntoView {
    let style = if n.read {
        "border-zinc-800 bg-zinc-900/40"
    } else {
        "border-fuchsia-500/40 bg-fuchsia-500/5"
    };
    let title = match n.link.clone() {
        Some(href) => view! {
            <a href=href class="font-semibold text-white hover:underline">
                {n.title.clone()}
            </a>
        }
        .into_any(),
        None => {
            view! { <span class="font-semibold text-white">{n.title.clone()}</span> }.into_any()
        }
    };
    view! {
        <li class=format!("rounded-2xl border p-4 {style}")>
            <div class="flex items-start justify-between gap-3">
                <div class="min-w-0">
                    <p>
                        {(!n.read).then(|| view! { <span class="sr-only">"Unread: "</span> })}
                        {title}
                    </p>
                    <p class="mt-1 text-sm text-zinc-300">{n.body.clone()}</p>
                    <p class="mt-2 text-xs text-zinc-400">
                        <LocalDay ms=n.created_at />
                    </p>
                </div>
                {(!n.read)
                    .then(|| {
                        view! {
                            <ActionForm action=mark_one>
                                <input type="hidden" name="id" value=n.id />
                                <button
                                    type="submit"
                                    class="shrink-0 rounded-lg px-2 py-1 text-sm text-fuchsia-300 hover:bg-zinc-800"
                                >
                                    "Mark read"
                                </button>
                            </ActionForm>
                        }
                    })}
            </div>
        </li>
    }
}
