use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::ui::EmptyState;

/// BopShop. Until artists list products it says so and points to discovery.
#[component]
pub fn ShopPage() -> impl IntoView {
    view! {
        <Title text="Shop" />
        <div class="px-4 py-8 sm:px-8">
            <h1 class="mb-8 text-2xl font-bold text-white">"Shop"</h1>
            <EmptyState
                title="No products yet"
                body="Merch, vinyl and digital goods from artists appear here as soon as they open their shops."
                action_label="Discover artists"
                action_href="/music"
            />
        </div>
    }
}
