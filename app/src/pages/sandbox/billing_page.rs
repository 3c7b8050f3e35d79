use boptone::{
    money::format_price,
    payments::{Tier, views::BillingView},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::checkout_page::SandboxBanner;
use crate::{
    api::sandbox::{SandboxChangeBilling, sandbox_billing},
    components::{
        local_time::LocalDay,
        ui::{FormAlert, LoadError, Loading, Notice, form_error},
    },
};

/// `/sandbox/billing/:customer`: the sandbox's billing portal: switch plans or cancel,
/// each emitting the subscription event the provider would.
#[component]
pub fn SandboxBillingPage() -> impl IntoView {
    let params = use_params_map();
    let change = ServerAction::<SandboxChangeBilling>::new();
    let billing = Resource::new(
        move || {
            (
                params.read().get("id").unwrap_or_default(),
                change.version().get(),
            )
        },
        |(id, _)| sandbox_billing(id),
    );
    view! {
        <Title text="Billing" />
        <div class="mx-auto max-w-2xl px-4 py-8 sm:px-8">
            <SandboxBanner />
            <Transition fallback=|| {
                view! { <Loading label="Loading billing…" /> }
            }>
                {move || Suspend::new(async move {
                    match billing.await {
                        Ok(view) => view! { <Billing view change /> }.into_any(),
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
            </Transition>
        </div>
    }
}

#[component]
fn Billing(view: BillingView, change: ServerAction<SandboxChangeBilling>) -> impl IntoView {
    let canceled = view.status == boptone::payments::SubscriptionStatus::Canceled;
    let customer = view.customer.clone();
    let saved = move || matches!(change.value().get(), Some(Ok(())));
    view! {
        <a href=view.return_url.clone() class="link mt-6 inline-block text-sm">
            "← Back to Boptone"
        </a>
        <h1 class="mt-4 text-2xl font-bold text-white">"Your Boptone plan"</h1>
        <section class="mt-6 rounded-3xl border border-zinc-800 bg-zinc-900/60 p-6">
            <p class="text-lg text-white">
                <span class="font-semibold">{view.tier.plan().name}</span>
                " · "
                {format_price(view.tier.plan().monthly_cents, view.tier.plan().currency)}
                "/month"
            </p>
            <p class="mt-1 text-sm text-zinc-400">
                "Status: "{view.status.label()}
                {view
                    .current_period_end
                    .map(|t| {
                        view! {
                            " · current period ends "
                            <LocalDay ms=t />
                        }
                    })}
            </p>
            <p class="mt-1 text-sm text-zinc-400">"Card: •••• "{view.card_last4.clone()}</p>
        </section>
        <Show when=saved>
            <div class="mt-4">
                <Notice>"Saved. Your dashboard shows the change in a moment."</Notice>
            </div>
        </Show>
        <div class="mt-4">
            <FormAlert message=form_error(change.value(), &[]) />
        </div>
        {(!canceled)
            .then(|| {
                let current = view.tier;
                view! {
                    <section class="mt-6 space-y-3" aria-labelledby="switch-heading">
                        <h2 id="switch-heading" class="font-semibold text-white">
                            "Switch plan"
                        </h2>
                        <div class="flex flex-wrap gap-3">
                            {Tier::ALL
                                .into_iter()
                                .filter(|t| *t != current)
                                .map(|tier| {
                                    let customer = customer.clone();
                                    view! {
                                        <button
                                            type="button"
                                            class="btn-secondary"
                                            disabled=move || change.pending().get()
                                            on:click=move |_| {
                                                change
                                                    .dispatch(SandboxChangeBilling {
                                                        customer: customer.clone(),
                                                        change: tier.as_str().into(),
                                                    });
                                            }
                                        >
                                            {format!("Switch to {}", tier.plan().name)}
                                        </button>
                                    }
                                })
                                .collect_view()}
                        </div>
                        <h2 class="pt-4 font-semibold text-white">"Cancel"</h2>
                        <p class="text-sm text-zinc-400">
                            "Your profile stays up, but fans can't pay you until you choose a plan again."
                        </p>
                        <button
                            type="button"
                            class="btn-secondary border-rose-500/60 text-rose-200"
                            disabled=move || change.pending().get()
                            on:click={
                                let customer = customer.clone();
                                move |_| {
                                    change
                                        .dispatch(SandboxChangeBilling {
                                            customer: customer.clone(),
                                            change: "cancel".into(),
                                        });
                                }
                            }
                        >
                            "Cancel plan"
                        </button>
                    </section>
                }
            })}
    }
}
