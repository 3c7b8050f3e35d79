//! Live updates: a WebSocket to `/ws` while someone is signed in, reconnecting with
//! backoff. Each push bumps a version that the unread badge and the notifications page
//! refetch on.

use leptos::prelude::*;

use super::session::use_session;

/// Bumped whenever the server says the notifications changed.
#[derive(Clone, Copy)]
pub struct Live {
    pub notifications: RwSignal<u32>,
}

pub fn use_live() -> Live {
    expect_context::<Live>()
}

/// Creates the live context; in the browser, connects once a user is signed in.
pub fn provide_live() -> Live {
    let live = Live {
        notifications: RwSignal::new(0),
    };
    provide_context(live);
    let session = use_session();
    Effect::new(move |_| {
        let signed_in = matches!(session.user.get(), Some(Ok(Some(_))));
        if signed_in {
            #[cfg(feature = "hydrate")]
            socket::connect(live, 0);
        }
    });
    live
}

#[cfg(feature = "hydrate")]
mod socket {
    use std::time::Duration;

    use leptos::prelude::*;
    use wasm_bindgen::{JsCast, closure::Closure};
    use web_sys::{MessageEvent, WebSocket};

    use super::Live;

    thread_local! {
        static OPEN: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }

    /// Opens the socket (once per tab); on close, tries again after a growing wait.
    pub fn connect(live: Live, attempt: u32) {
        if OPEN.with(|o| o.replace(true)) {
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
            OPEN.with(|o| o.set(false));
            return;
        };
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |_event: MessageEvent| {
            live.notifications.update(|v| *v = v.wrapping_add(1));
        });
        socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget();
        let on_open = Closure::<dyn FnMut()>::new(move || {
            // Catch up on anything missed while disconnected.
            live.notifications.update(|v| *v = v.wrapping_add(1));
        });
        socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        on_open.forget();
        let opened_at = js_sys::Date::now();
        let on_close = Closure::<dyn FnMut()>::new(move || {
            OPEN.with(|o| o.set(false));
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
