//! The app shell: a side bar on desktop, a top bar and a bottom tab bar on phones.

use boptone::accounts::Role;
use leptos::prelude::*;
use leptos_router::{components::Outlet, hooks::use_location};

use crate::{
    components::{
        icons::{self, Icon, Logo},
        notifications::NotificationBell,
    },
    contexts::session::use_session,
};

struct Tab {
    href: &'static str,
    label: &'static str,
    icon: &'static str,
}

const TABS: [Tab; 4] = [
    Tab {
        href: "/feed",
        label: "Feed",
        icon: icons::FEED,
    },
    Tab {
        href: "/music",
        label: "Music",
        icon: icons::MUSIC,
    },
    Tab {
        href: "/shop",
        label: "Shop",
        icon: icons::SHOP,
    },
    Tab {
        href: "/me",
        label: "Me",
        icon: icons::ME,
    },
];

/// True when `href` is the current section.
fn is_current(path: &str, href: &str) -> bool {
    path == href
        || path.starts_with(&format!("{href}/"))
        || (href == "/music" && (path.starts_with("/artists/") || path.starts_with("/@")))
}

#[component]
pub fn AppLayout() -> impl IntoView {
    let location = use_location();
    // Room for the player's bar while something is queued.
    let player = crate::contexts::player::use_player();
    let playing = move || player.current.get().is_some();
    let current = move |href: &'static str| {
        let path = location.pathname.get();
        if is_current(&path, href) {
            Some("page")
        } else {
            None
        }
    };
    view! {
        <a href="#main" class="skip-link">
            "Skip to content"
        </a>
        <div class="min-h-dvh md:flex">
            {view! {
                <aside class="sticky top-0 hidden h-dvh w-64 shrink-0 flex-col border-r border-zinc-800/80 bg-zinc-950 px-4 py-6 md:flex">
                    <a href="/" class="rounded-lg px-2 focus-visible:outline-offset-4">
                        <Logo id="logo-side" />
                    </a>
                    <nav aria-label="Main" class="mt-8 flex flex-col gap-1">
                        {TABS
                            .iter()
                            .map(|tab| {
                                view! {
                                    <a
                                        href=tab.href
                                        aria-current=move || current(tab.href)
                                        class="side-link"
                                    >
                                        <Icon path=tab.icon />
                                        {tab.label}
                                    </a>
                                }
                            })
                            .collect_view()}
                        <NotificationBell with_label=true />
                        <DashboardLink current=Signal::derive(move || current("/dashboard")) />
                    </nav>
                    <div class="mt-auto">
                        <AccountBlock />
                    </div>
                </aside>
            }
                .into_any()} <div class="flex min-w-0 flex-1 flex-col">
                <header class="sticky top-0 z-20 flex items-center justify-between border-b border-zinc-800/80 bg-zinc-950/90 px-4 py-3 backdrop-blur md:hidden">
                    <a href="/" class="rounded-lg">
                        <Logo id="logo-top" />
                    </a>
                    <TopBarAction />
                </header>
                <main
                    id="main"
                    tabindex="-1"
                    class="flex-1 pb-24 focus:outline-none md:pb-0"
                    class=("pb-40", playing)
                    class=("md:pb-20", playing)
                >
                    <Outlet />
                </main>
            </div>
            <nav
                aria-label="Tabs"
                class="fixed inset-x-0 bottom-0 z-30 grid grid-cols-4 border-t border-zinc-800 bg-zinc-950/95 pb-[env(safe-area-inset-bottom)] backdrop-blur md:hidden"
            >
                {TABS
                    .iter()
                    .map(|tab| {
                        view! {
                            <a
                                href=tab.href
                                aria-current=move || current(tab.href)
                                class="tab-link"
                            >
                                <Icon path=tab.icon />
                                <span>{tab.label}</span>
                            </a>
                        }
                    })
                    .collect_view()}
            </nav>
        </div>
    }
}

/// The artist's dashboard, in the side bar for artists.
#[component]
fn DashboardLink(current: Signal<Option<&'static str>>) -> AnyView {
    let session = use_session();
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match session.user.await {
                    Ok(Some(user)) if matches!(user.role, Role::Artist | Role::Label) => {
                        view! {
                            <a
                                href="/dashboard"
                                aria-current=move || current.get()
                                class="side-link"
                            >
                                <Icon path=icons::DASHBOARD />
                                "Dashboard"
                            </a>
                        }
                            .into_any()
                    }
                    _ => ().into_any(),
                }
            })}
        </Transition>
    }
    .into_any()
}

/// Desktop side bar foot: who is signed in, or the ways in.
#[component]
fn AccountBlock() -> AnyView {
    let session = use_session();
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match session.user.await {
                    Ok(Some(user)) => {
                        view! {
                            <a
                                href="/me"
                                class="flex items-center gap-3 rounded-xl px-2 py-2 hover:bg-zinc-900"
                            >
                                <span
                                    class="grid h-9 w-9 place-items-center rounded-full bg-fuchsia-500/20 text-sm font-semibold text-fuchsia-200"
                                    aria-hidden="true"
                                >
                                    {user
                                        .display_name
                                        .chars()
                                        .next()
                                        .map(|c| c.to_uppercase().to_string())
                                        .unwrap_or_default()}
                                </span>
                                <span class="min-w-0">
                                    <span class="block truncate text-sm font-medium text-white">
                                        {user.display_name.clone()}
                                    </span>
                                    <span class="block truncate text-xs text-zinc-400">
                                        "@"{user.handle.clone()}
                                    </span>
                                </span>
                            </a>
                        }
                            .into_any()
                    }
                    _ => {
                        view! {
                            <div class="flex flex-col gap-2">
                                <a href="/signup" class="btn-primary">
                                    "Create account"
                                </a>
                                <a href="/signin" class="btn-secondary">
                                    "Sign in"
                                </a>
                            </div>
                        }
                            .into_any()
                    }
                }
            })}
        </Transition>
    }
    .into_any()
}

/// Phone top bar: the notification bell for signed-in users, a sign-in link for visitors.
/// The bell is created here, outside the Suspend, so its data loads under a stable owner
/// (a resource created inside a Suspend differs between server render and hydration).
#[component]
fn TopBarAction() -> AnyView {
    let session = use_session();
    view! {
        <NotificationBell />
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match session.user.await {
                    Ok(Some(_)) => ().into_any(),
                    _ => {
                        view! {
                            <a href="/signin" class="btn-secondary px-4 py-1.5 text-sm">
                                "Sign in"
                            </a>
                        }
                            .into_any()
                    }
                }
            })}
        </Transition>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::is_current;

    #[test]
    fn sections_match_their_pages() {
        assert!(is_current("/music", "/music"));
        assert!(is_current("/artists/nova", "/music"));
        assert!(is_current("/@nova", "/music"));
        assert!(!is_current("/musicians", "/music"));
        assert!(is_current("/me", "/me"));
    }
}
