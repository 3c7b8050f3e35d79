use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::ui::EmptyState;

/// The Bops feed. Until artists post Bops it says so and points to discovery.
#[component]
pub fn FeedPage() -> impl IntoView {
    view! {
        <Title text="Feed" />
        <div class="px-4 py-8 sm:px-8">
            <h1 class="mb-8 text-2xl font-bold text-white">"Feed"</h1>
            <EmptyState
                title="No Bops yet"
                body="When artists post Bops, their videos play here, newest and best first. Meanwhile, meet the artists already on Boptone."
                action_label="Discover artists"
                action_href="/music"
            />
        </div>
    }
}
