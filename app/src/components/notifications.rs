//! The unread badge: a bell that links to the notifications, with a live count.

use leptos::prelude::*;

use crate::{
    api::notifications::unread_notifications,
    components::icons::Icon,
    contexts::{live::use_live, session::use_session},
};

const BELL: &str = "M6 8a6 6 0 1 1 12 0c0 7 3 9 3 9H3s3-2 3-9M10.3 21a1.94 1.94 0 0 0 3.4 0";

/// A bell link to `/notifications` with the unread count; nothing for visitors.
#[component]
pub fn NotificationBell(#[prop(optional)] with_label: bool) -> AnyView {
    let session = use_session();
    let live = use_live();
    // Keyed only on plain signals, never on another resource's value: a key that depends
    // on when the session resolved would differ between the server render and hydration.
    // The server function answers 0 for visitors.
    let unread = Resource::new(
        move || {
            (
                live.notifications.get(),
                session.sign_in.version().get(),
                session.sign_up.version().get(),
                session.sign_out.version().get(),
            )
        },
        |_| async move { unread_notifications().await.unwrap_or(0) },
    );
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let signed_in = matches!(session.user.await, Ok(Some(_)));
                let count = unread.await;
                signed_in.then(|| {
                    let label = match count {
                        0 => "Notifications".to_owned(),
                        1 => "Notifications, 1 unread".to_owned(),
                        n => format!("Notifications, {n} unread"),
                    };
                    view! {
                        <a href="/notifications" aria-label=label class="side-link relative" data-unread=count>
                            <Icon path=BELL />
                            {with_label.then_some("Notifications")}
                            {(count > 0).then(|| view! {
                                <span aria-hidden="true" class="absolute left-7 top-1.5 min-w-5 rounded-full bg-fuchsia-400 px-1.5 text-center text-xs font-bold text-zinc-950">
                                    {if count > 99 { "99+".to_owned() } else { count.to_string() }}
                                </span>
                            })}
                        </a>
                    }
                })
            })}
        </Transition>
    }
    .into_any()
}
