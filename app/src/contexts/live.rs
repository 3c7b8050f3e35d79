//! Live updates: a WebSocket to `/ws` while someone is signed in or a page watches
//! Bops, reconnecting with backoff. A "notifications changed" push bumps a version
//! that the unread badge and the notifications page refetch on; a Bop's new counts
//! are handed to whichever page shows it.

use boptone::bops::BopCounts;
use leptos::prelude::*;

use super::session::use_session;

#[derive(Clone, Copy)]
pub struct Live {
    /// Bumped whenever the server says the notifications changed.
    pub notifications: RwSignal<u32>,
    /// The latest counts pushed for a watched Bop.
    pub bop_counts: RwSignal<Option<(i64, BopCounts)>>,
    /// The Bops this tab watches (the feed sets the ones around the playing one).
    pub watching: RwSignal<Vec<i64>>,
}

pub fn use_live() -> Live {
    expect_context::<Live>()
}

/// Creates the live context; in the browser, connects once a user is signed in or a
/// page watches Bops.
pub fn provide_live() -> Live {
    let live = Live {
        notifications: RwSignal::new(0),
        bop_counts: RwSignal::new(None),
        watching: RwSignal::new(Vec::new()),
    };
    provide_context(live);
    let session = use_session();
    Effect::new(move |_| {
        let signed_in = matches!(session.user.get(), Some(Ok(Some(_))));
        let watching = live.watching.with(|w| !w.is_empty());
        if signed_in || watching {
            #[cfg(feature = "hydrate")]
            socket::connect(live, 0);
        }
    });
    Effect::new(move |_| {
        let ids = live.watching.get();
        #[cfg(feature = "hydrate")]
        socket::send_watch(&ids);
        #[cfg(not(feature = "hydrate"))]
        let _ = ids;
    });
    live
}

#[cfg(feature = "hydrate")]
mod socket {
    use std::{cell::RefCell, time::Duration};

    use boptone::bops::BopCounts;
    use leptos::prelude::*;
    use wasm_bindgen::{JsCast, closure::Closure};
    use web_sys::{MessageEvent, WebSocket};

    use super::Live;

    thread_local! {
        static SOCKET: RefCell<Option<WebSocket>> = const { RefCell::new(None) };
    }

    /// Tells the server which Bops this tab watches (again after every reconnect).
    pub fn send_watch(ids: &[i64]) {
        SOCKET.with(|s| {
            if let Some(socket) = s.borrow().as_ref()
                && socket.ready_state() == WebSocket::OPEN
            {
                let _ = socket.send_with_str(&serde_json::json!({ "watch": ids }).to_string());
            }
        });
    }

    #[derive(serde::Deserialize)]
    struct Message {
        topic: String,
        bop_id: Option<i64>,
        counts: Option<BopCounts>,
    }

    /// Opens the socket (once per tab); on close, tries again after a growing wait.
    pub fn connect(live: Live, attempt: u32) {
        if SOCKET.with(|s| s.borrow().is_some()) {
            return;
        }
        let Some(location) = web_sys::window().map(|w| w.location()) else {
            return;
        };
        let scheme = if location.protocol().ok().as_deref() == Some("https:") {
            "wss"
        } else {
            "ws"
        };
        let Ok(host) = location.host() else { return };
        let Ok(socket) = WebSocket::new(&format!("{scheme}://{host}/ws")) else {
            return;
        };
        SOCKET.with(|s| *s.borrow_mut() = Some(socket.clone()));
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let text = event.data().as_string().unwrap_or_default();
            match serde_json::from_str::<Message>(&text) {
                Ok(Message {
                    topic,
                    bop_id: Some(id),
                    counts: Some(counts),
                }) if topic == "bop" => live.bop_counts.set(Some((id, counts))),
                Ok(Message { topic, .. }) if topic == "notifications" => {
                    live.notifications.update(|v| *v = v.wrapping_add(1));
                }
                _ => {}
            }
        });
        socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget();
        let on_open = Closure::<dyn FnMut()>::new(move || {
            // Catch up on anything missed while disconnected.
            live.notifications.update(|v| *v = v.wrapping_add(1));
            send_watch(&live.watching.get_untracked());
        });
        socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        on_open.forget();
        let opened_at = js_sys::Date::now();
        let on_close = Closure::<dyn FnMut()>::new(move || {
            SOCKET.with(|s| *s.borrow_mut() = None);
            // A connection that lived a while starts the backoff over.
            let next = if js_sys::Date::now() - opened_at > 30_000.0 {
                0
            } else {
                attempt + 1
            };
            let wait = Duration::from_millis((500u64 << next.min(6)).min(30_000));
            set_timeout(move || connect(live, next), wait);
        });
        socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        on_close.forget();
    }
}
