//! Inline SVG icons (decorative: the text next to them carries the meaning).

use leptos::prelude::*;

/// An icon drawn by `path` on a 24×24 grid; `class` sizes it (default 24 px) and
/// `filled` fills its shape with the current colour.
#[component]
pub fn Icon(
    path: &'static str,
    #[prop(optional)] class: Option<&'static str>,
    #[prop(into, optional)] filled: Signal<bool>,
) -> AnyView {
    view! {
        <svg
            class=class.unwrap_or("h-6 w-6 shrink-0")
            viewBox="0 0 24 24"
            fill=move || if filled.get() { "currentColor" } else { "none" }
            stroke="currentColor"
            stroke-width="1.8"
            stroke-linecap="round"
            stroke-linejoin="round"
            aria-hidden="true"
        >
            <path d=path></path>
        </svg>
    }
    .into_any()
}

pub const FEED: &str =
    "M7 3h10a2 2 0 0 1 2 2v14a2 2 0 0 1-2 2H7a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zM10 9l5 3-5 3z";
pub const MUSIC: &str =
    "M9 18V5l11-2v13M9 18a3 3 0 1 1-6 0 3 3 0 0 1 6 0zM20 16a3 3 0 1 1-6 0 3 3 0 0 1 6 0z";
pub const SHOP: &str = "M6 7h12l1 13H5L6 7zM9 7a3 3 0 0 1 6 0";
pub const ME: &str = "M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM4 21a8 8 0 0 1 16 0";
pub const DASHBOARD: &str = "M4 4h7v7H4zM13 4h7v7h-7zM4 13h7v7H4zM13 13h7v7h-7z";
pub const HOME: &str = "M3 11l9-7 9 7M5 10v10h14V10";

/// The Boptone mark and word. `id` names its gradient, unique per instance on a page
/// (a gradient inside a hidden copy would not paint the visible one).
#[component]
pub fn Logo(id: &'static str) -> AnyView {
    let fill = format!("url(#{id})");
    view! {
        <span class="flex items-center gap-2 text-lg font-bold tracking-tight text-white">
            <svg class="h-8 w-8" viewBox="0 0 32 32" aria-hidden="true">
                <defs>
                    <linearGradient id=id x1="0" y1="0" x2="1" y2="1">
                        <stop offset="0" stop-color="#f0abfc"></stop>
                        <stop offset="1" stop-color="#8b5cf6"></stop>
                    </linearGradient>
                </defs>
                <rect width="32" height="32" rx="9" fill=fill></rect>
                <path
                    d="M11 8.5v15M11 18.5a5 5 0 1 0 10 0 5 5 0 0 0-10 0"
                    stroke="#18181b"
                    stroke-width="3"
                    fill="none"
                    stroke-linecap="round"
                ></path>
            </svg>
            "Boptone"
        </span>
    }
    .into_any()
}

pub const HEART: &str = "M12 20l-7.1-7.2a4.6 4.6 0 0 1 6.5-6.5l.6.6.6-.6a4.6 4.6 0 0 1 6.5 6.5z";
pub const COMMENT: &str = "M4 5h16v11H10l-6 4z";
pub const SHARE: &str = "M12 3v12M7 8l5-5 5 5M5 13v7h14v-7";
pub const TIP: &str = "M12 3v18M16 7h-6a2.5 2.5 0 0 0 0 5h4a2.5 2.5 0 0 1 0 5H8";
pub const SOUND_OFF: &str = "M4 9h4l5-4v14l-5-4H4zM17 9l5 6M22 9l-5 6";
pub const PLAY: &str = "M7 5l12 7-12 7z";
pub const PAUSE: &str = "M8 5v14M16 5v14";
pub const NEXT: &str = "M6 5l9 7-9 7zM18 5v14";
pub const PREVIOUS: &str = "M18 5l-9 7 9 7zM6 5v14";
pub const SHUFFLE: &str = "M4 7h3l10 10h3M4 17h3l3-3M14 10l3-3h3M18 5l2 2-2 2M18 15l2 2-2 2";
pub const REPEAT: &str =
    "M4 11V9a3 3 0 0 1 3-3h12M16 3l3 3-3 3M20 13v2a3 3 0 0 1-3 3H5M8 21l-3-3 3-3";
pub const SOUND_ON: &str = "M4 9h4l5-4v14l-5-4H4zM17 8.5a5 5 0 0 1 0 7M19.5 6a8.5 8.5 0 0 1 0 12";
