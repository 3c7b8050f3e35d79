//! The unread badge: a bell that links to the notifications, with a live count.

use leptos::prelude::*;

use crate::{
    api::notifications::unread_notifications,
    components::icons::Icon,
    contexts::{live::use_live, session::use_session},
};

const BELL: &str = "M6 8a6 6 0 1 1 12 0c0 7 3 9 3 9H3s3-2 3-9M10.3 21a1.94 1.94 0 0 0 3.4 0";

/// A bell link to `/notifications` with the unread count; nothing for visitors.
///
/// It renders only in the browser, after hydration: the count is personal and live, and
/// rendering it on the server would add a data request to every page and a second
/// source of truth for hydration to agree on.
#[component]
pub fn NotificationBell(#[prop(optional)] with_label: bool) -> AnyView {
    let session = use_session();
    let live = use_live();
    let mounted = RwSignal::new(false);
    Effect::new(move |_| mounted.set(true));
    // Signed in by an emailed link, the session's user changes: followed in an effect,
    // where reading the session resource needs no <Suspense/>.
    let user_id = RwSignal::new(None);
    Effect::new(move |_| {
        user_id.set(
            session
                .user
                .get()
                .and_then(|u| u.ok().flatten())
                .map(|u| u.id),
        );
    });
    let unread = LocalResource::new(move || {
        let _ = (
            live.notifications.get(),
            session.sign_in.version().get(),
            user_id.get(),
            session.sign_out.version().get(),
        );
        async move { unread_notifications().await.unwrap_or(0) }
    });
    (move || {
        if !mounted.get() || !matches!(session.user.get(), Some(Ok(Some(_)))) {
            return None;
        }
        let count = unread.get().unwrap_or(0);
        let label = match count {
            0 => "Notifications".to_owned(),
            1 => "Notifications, 1 unread".to_owned(),
            n => format!("Notifications, {n} unread"),
        };
        // With a visible label the name comes from the content (screen readers get the
        // count with it); the icon-only bell carries it as aria-label.
        let (aria_label, spoken) = if with_label {
            (None, Some(label))
        } else {
            (Some(label), None)
        };
        Some(view! {
            <a
                href="/notifications"
                aria-label=aria_label
                class="side-link relative"
                data-unread=count
            >
                <Icon path=BELL />
                {spoken
                    .map(|text| {
                        view! {
                            <span aria-hidden="true">"Notifications"</span>
                            <span class="sr-only">{text}</span>
                        }
                    })}
                {(count > 0)
                    .then(|| {
                        view! {
                            <span
                                aria-hidden="true"
                                class="absolute left-7 top-1.5 min-w-5 rounded-full bg-fuchsia-400 px-1.5 text-center text-xs font-bold text-zinc-950"
                            >
                                {if count > 99 { "99+".to_owned() } else { count.to_string() }}
                            </span>
                        }
                    })}
            </a>
        })
    })
    .into_any()
}
