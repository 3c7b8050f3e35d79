use boptone::{AppError, onboarding::ArtistStatus};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_query_map};

use crate::{
    api::onboarding::{RefreshPayouts, StartPayoutOnboarding, load_artist_status},
    components::{
        gate::{follow_gate, go},
        ui::{FormAlert, LoadError, Loading, Notice, form_error},
    },
};

/// `/artist/payout`: connect a payout account through the provider's onboarding
/// (SPEC ONB-4). Also the onboarding's return URL (`?return=1`, which reads the
/// account's state at once) and refresh URL (`?refresh=1`, which opens a new link).
#[component]
pub fn ArtistPayoutPage() -> impl IntoView {
    let query = use_query_map();
    let start = ServerAction::<StartPayoutOnboarding>::new();
    let refresh = ServerAction::<RefreshPayouts>::new();
    follow_gate(start.value());
    follow_gate(refresh.value());
    let status = Resource::new(move || refresh.version().get(), |_| load_artist_status());
    Effect::new(move |_| {
        if let Some(Ok(url)) = start.value().get() {
            go(&url);
        }
    });
    // Back from onboarding: ask the provider now instead of waiting for its event.
    Effect::new(move |_| {
        let q = query.read_untracked();
        if q.get("return").is_some() {
            refresh.dispatch(RefreshPayouts {});
        } else if q.get("refresh").is_some() {
            start.dispatch(StartPayoutOnboarding {});
        }
    });
    let from_gate = move || query.read().get("from").as_deref() == Some("gate");
    view! {
        <Title text="Set up payouts" />
        <div class="mx-auto max-w-2xl px-4 py-10 sm:px-8">
            <p class="text-sm font-semibold uppercase tracking-wider text-fuchsia-300">
                "Step 3 of 3"
            </p>
            <h1 class="mt-2 text-3xl font-bold tracking-tight text-white">"Get paid"</h1>
            <Show when=from_gate>
                <div class="mt-4">
                    <Notice>"Set up payouts first: money from fans needs somewhere to go."</Notice>
                </div>
            </Show>
            <Suspense fallback=|| {
                view! { <Loading label="Checking your payouts…" /> }
            }>
                {move || Suspend::new(async move {
                    match status.await {
                        Ok(s) => view! { <PayoutBody status=s start /> }.into_any(),
                        Err(AppError::Gate { .. }) => {
                            view! {
                                <p class="mt-4 text-zinc-300">
                                    "Payouts come with an artist plan."
                                </p>
                                <A href="/artist/signup" attr:class="btn-primary mt-6 inline-flex">
                                    "Choose a plan"
                                </A>
                            }
                                .into_any()
                        }
                        Err(err) => {
                            view! {
                                <div class="mt-6">
                                    <LoadError error=err />
                                </div>
                            }
                                .into_any()
                        }
                    }
                })}
            </Suspense>
            {move || {
                refresh
                    .pending()
                    .get()
                    .then(|| view! { <Loading label="Checking with our payment partner…" /> })
            }}
        </div>
    }
}

#[component]
fn PayoutBody(status: ArtistStatus, start: ServerAction<StartPayoutOnboarding>) -> impl IntoView {
    if status.payouts_enabled {
        return view! {
            <section class="mt-6 rounded-3xl border border-emerald-500/40 bg-emerald-500/10 p-6">
                <h2 class="text-xl font-semibold text-white">"Payouts are on"</h2>
                <p class="mt-2 text-zinc-200">
                    "Tips and sales reach your bank account. Standard payouts are free."
                </p>
                <div class="mt-5 flex flex-wrap gap-3">
                    <A href="/dashboard" attr:class="btn-primary">
                        "Go to your dashboard"
                    </A>
                    <ActionForm action=start>
                        <button type="submit" class="btn-secondary">
                            "Update payout details"
                        </button>
                    </ActionForm>
                </div>
            </section>
        }
        .into_any();
    }
    let (heading, body, button) = if status.payout_details_submitted {
        (
            "Your details are being reviewed",
            "Our payment partner is checking your details. This usually takes a few minutes; we'll notify you when payouts are on.",
            "Review your details",
        )
    } else {
        (
            "Connect your bank account",
            "Boptone pays you through Stripe, which verifies your identity and holds your bank details. We never see your full account number.",
            "Set up payouts",
        )
    };
    view! {
        <section class="mt-6 rounded-3xl border border-zinc-800 bg-zinc-900/60 p-6">
            <h2 class="text-xl font-semibold text-white">{heading}</h2>
            <p class="mt-2 text-zinc-300">{body}</p>
            <ul class="mt-4 space-y-2 text-sm text-zinc-300">
                <li>"• Takes about 5 minutes: your name, date of birth and bank account."</li>
                <li>"• Standard payouts are free and arrive the next business day."</li>
                <li>"• Tips have no Boptone fee: you keep 100% minus card processing."</li>
            </ul>
            <div class="mt-5 space-y-3">
                <FormAlert message=form_error(start.value(), &[]) />
                <ActionForm action=start>
                    <button
                        type="submit"
                        class="btn-primary"
                        disabled=move || start.pending().get()
                    >
                        {move || if start.pending().get() { "Opening…" } else { button }}
                    </button>
                </ActionForm>
            </div>
        </section>
        <p class="mt-6 text-sm text-zinc-400">
            <A href="/dashboard" attr:class="link">
                "Skip for now"
            </A>
            " — you can't receive money until payouts are on."
        </p>
    }
    .into_any()
}
