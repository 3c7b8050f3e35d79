use leptos::prelude::*;
use leptos_meta::Title;

/// Shown for any path the app does not know; answers 404 on the server.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Page not found" />
        <main id="main" class="grid min-h-dvh place-items-center px-6 text-center">
            <div>
                <p class="text-sm font-semibold uppercase tracking-widest text-fuchsia-300">
                    "404"
                </p>
                <h1 class="mt-3 text-3xl font-bold text-white">"This page took a wrong turn"</h1>
                <p class="mt-3 text-zinc-400">
                    "We couldn't find the page you asked for. It may have moved, or the link may be mistyped."
                </p>
                <div class="mt-8 flex justify-center gap-3">
                    <a href="/" class="btn-primary">
                        "Go home"
                    </a>
                    <a href="/music" class="btn-secondary">
                        "Discover artists"
                    </a>
                </div>
            </div>
        </main>
    }
}
