use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    api::onboarding::{FinishArtistSignup, SignupFinish},
    components::{
        gate::go,
        ui::{AuthCard, LoadError, Loading},
    },
};

/// How many times the page asks again while the payment is being confirmed.
const MAX_CHECKS: u32 = 20;

/// `/artist/signup/return`: back from checkout. Completes the sign-up (the provider's
/// event may not have arrived yet), signs this browser in, and goes on to setup.
#[component]
pub fn ArtistSignupReturnPage() -> impl IntoView {
    let query = use_query_map();
    let finish = ServerAction::<FinishArtistSignup>::new();
    let checks = RwSignal::new(0u32);
    let dispatch = move || {
        let session_id = query.read_untracked().get("session_id").unwrap_or_default();
        checks.update(|n| *n += 1);
        finish.dispatch(FinishArtistSignup { session_id });
    };
    // Runs in the browser only: the server render just shows the waiting state.
    Effect::new(move |_| dispatch());
    Effect::new(move |_| match finish.value().get() {
        Some(Ok(SignupFinish::Ready)) => go("/artist/setup?welcome=1"),
        Some(Ok(SignupFinish::Pending)) if checks.get_untracked() < MAX_CHECKS => {
            set_timeout(dispatch, std::time::Duration::from_secs(2));
        }
        _ => {}
    });
    let view_state = move || {
        match finish.value().get() {
        Some(Err(err)) => view! {
            <LoadError error=err />
            <a href="/artist/signup" class="btn-secondary mt-6 inline-flex">
                "Back to plans"
            </a>
        }
        .into_any(),
        Some(Ok(SignupFinish::Pending)) if checks.get() >= MAX_CHECKS => view! {
            <p class="text-zinc-300">
                "Your payment is still being confirmed. We'll email you as soon as your plan is active; you can close this page."
            </p>
        }
        .into_any(),
        _ => view! { <Loading label="Confirming your payment…" /> }.into_any(),
    }
    };
    view! {
        <Title text="Confirming your plan" />
        <AuthCard
            title="Welcome to Boptone"
            subtitle="One moment while we set up your artist account."
        >
            {view_state}
        </AuthCard>
    }
}
