//! Follow an artist (SPEC FAN-1): the button and the follower count on a profile.

use leptos::prelude::*;

use crate::{
    api::fans::{SetFollow, load_follow_state},
    contexts::session::use_session,
};

/// "Follow" / "Following" and how many follow the artist at `handle`. A visitor is
/// sent to sign in first; the artist sees only their count.
#[component]
pub fn FollowButton(handle: String) -> impl IntoView {
    let session = use_session();
    let state = {
        let handle = handle.clone();
        Resource::new(move || handle.clone(), load_follow_state)
    };
    let follow = ServerAction::<SetFollow>::new();
    let current = move || {
        follow
            .value()
            .get()
            .and_then(Result::ok)
            .or_else(|| state.get().and_then(Result::ok))
    };
    let me = move || match session.user.get() {
        Some(Ok(Some(user))) => Some(user.handle),
        _ => None,
    };
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new({
                let handle = handle.clone();
                async move {
                    let _ = state.await;
                    let own = me().as_deref() == Some(handle.as_str());
                    let signed_in = me().is_some();
                    let handle_for_click = handle.clone();
                    view! {
                        <div class="mt-4 flex items-center gap-4">
                            {(!own)
                                .then(|| {
                                    if signed_in {
                                        let handle = handle_for_click.clone();
                                        view! {
                                            <button
                                                type="button"
                                                class="btn-primary aria-pressed:bg-zinc-800 aria-pressed:text-white"
                                                aria-pressed=move || {
                                                    if current().is_some_and(|s| s.following) {
                                                        "true"
                                                    } else {
                                                        "false"
                                                    }
                                                }
                                                disabled=move || follow.pending().get()
                                                on:click=move |_| {
                                                    let now = !current().is_some_and(|s| s.following);
                                                    follow
                                                        .dispatch(SetFollow {
                                                            handle: handle.clone(),
                                                            follow: now,
                                                        });
                                                }
                                            >
                                                {move || {
                                                    if current().is_some_and(|s| s.following) {
                                                        "Following"
                                                    } else {
                                                        "Follow"
                                                    }
                                                }}
                                            </button>
                                        }
                                            .into_any()
                                    } else {
                                        view! {
                                            <a
                                                href=format!("/signin?next=/@{handle_for_click}")
                                                class="btn-primary"
                                            >
                                                "Follow"
                                            </a>
                                        }
                                            .into_any()
                                    }
                                })} <p class="text-sm text-zinc-300" data-testid="followers">
                                {move || {
                                    let n = current().map_or(0, |s| s.followers);
                                    if n == 1 {
                                        "1 follower".to_owned()
                                    } else {
                                        format!("{n} followers")
                                    }
                                }}
                            </p>
                        </div>
                    }
                }
            })}
        </Transition>
    }
}
