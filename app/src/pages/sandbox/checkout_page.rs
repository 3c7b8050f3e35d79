use boptone::{
    money::format_amount,
    payments::views::{CheckoutView, PayResult},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::{
    api::sandbox::{SandboxAuthenticate, SandboxPay, sandbox_checkout},
    components::{
        gate::go,
        ui::{FormAlert, LoadError, Loading, SubmitButton, TextField, field_error, form_error},
    },
};

/// `/sandbox/checkout/:id`: the sandbox's hosted checkout. Behaves like Stripe's in
/// test mode: its test cards work, `4000 0000 0000 0002` is declined, and the 3-D
/// Secure test cards ask for a confirmation step.
#[component]
pub fn SandboxCheckoutPage() -> impl IntoView {
    let params = use_params_map();
    let session = Resource::new(
        move || params.read().get("id").unwrap_or_default(),
        sandbox_checkout,
    );
    view! {
        <Title text="Checkout" />
        <div class="mx-auto max-w-4xl px-4 py-8 sm:px-8">
            <SandboxBanner />
            <Suspense fallback=|| {
                view! { <Loading label="Loading checkout…" /> }
            }>
                {move || Suspend::new(async move {
                    match session.await {
                        Ok(view) => view! { <Checkout view /> }.into_any(),
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
        </div>
    }
}

/// Says plainly that this is the sandbox, and which test data works.
#[component]
pub fn SandboxBanner() -> impl IntoView {
    view! {
        <p class="rounded-xl border border-amber-400/40 bg-amber-400/10 px-4 py-2 text-sm text-amber-200">
            <strong>"Sandbox"</strong>
            " · No real money moves. This page stands in for the payment provider's."
        </p>
    }
}

#[component]
fn Checkout(view: CheckoutView) -> impl IntoView {
    let pay = ServerAction::<SandboxPay>::new();
    let auth = ServerAction::<SandboxAuthenticate>::new();
    let needs_auth = RwSignal::new(view.awaiting_authentication);
    let id = view.id.clone();
    Effect::new(move |_| match pay.value().get() {
        Some(Ok(PayResult::Paid { redirect })) => go(&redirect),
        Some(Ok(PayResult::NeedsAuthentication)) => needs_auth.set(true),
        _ => {}
    });
    Effect::new(move |_| match auth.value().get() {
        Some(Ok(PayResult::Paid { redirect })) => go(&redirect),
        Some(Err(_)) => needs_auth.set(false),
        _ => {}
    });
    let value = pay.value();
    let amount = format_amount(view.amount_cents, &view.currency);
    // The last failure of either step, shown above the card form.
    let failure = Signal::derive(move || {
        form_error(auth.value(), &[])
            .get()
            .or_else(|| form_error(value, &["number", "expiry", "cvc", "name"]).get())
    });
    if !view.open {
        return view! {
            <section class="mt-8 rounded-3xl border border-zinc-800 bg-zinc-900/60 p-6">
                <h1 class="text-xl font-semibold text-white">"This checkout is closed"</h1>
                <p class="mt-2 text-zinc-300">"It was paid or has expired."</p>
                <a href=view.cancel_url.clone() class="btn-secondary mt-5 inline-flex">
                    "Back to Boptone"
                </a>
            </section>
        }
        .into_any();
    }
    let auth_id = id.clone();
    view! {
        <div class="mt-6 grid gap-8 md:grid-cols-2">
            <section aria-labelledby="summary-heading">
                <a href=view.cancel_url.clone() class="link text-sm">
                    "← Back to Boptone"
                </a>
                <h1 id="summary-heading" class="mt-4 text-sm text-zinc-400">
                    {if view.recurring { "Subscribe to Boptone" } else { "Pay" }}
                </h1>
                <p class="mt-1 text-4xl font-bold text-white">
                    {amount.clone()}
                    {view
                        .recurring
                        .then(|| {
                            view! {
                                <span class="text-base font-normal text-zinc-400">
                                    " per month"
                                </span>
                            }
                        })}
                </p>
                <p class="mt-3 text-zinc-300">{view.description.clone()}</p>
                <p class="mt-1 text-sm text-zinc-400">{view.email.clone()}</p>
                <details class="mt-6 rounded-xl border border-zinc-800 p-4 text-sm text-zinc-300">
                    <summary class="cursor-pointer font-medium text-zinc-200">"Test cards"</summary>
                    <ul class="mt-3 space-y-1 font-mono text-xs">
                        <li>"4242 4242 4242 4242 · succeeds"</li>
                        <li>"4000 0025 0000 3155 · asks for 3-D Secure"</li>
                        <li>"4000 0000 0000 0002 · declined"</li>
                        <li>"4000 0000 0000 9995 · insufficient funds"</li>
                    </ul>
                    <p class="mt-2 text-xs text-zinc-400">
                        "Any future expiry date and any 3-digit CVC."
                    </p>
                </details>
            </section>
            <section
                aria-labelledby="pay-heading"
                class="rounded-3xl border border-zinc-800 bg-zinc-900/60 p-6"
            >
                <h2 id="pay-heading" class="text-lg font-semibold text-white">
                    "Pay with card"
                </h2>
                <ActionForm action=pay attr:class="mt-5 space-y-4" attr:novalidate="true">
                    <input type="hidden" name="id" value=id.clone() />
                    <FormAlert message=failure />
                    <TextField
                        name="number"
                        label="Card number"
                        autocomplete="cc-number"
                        hint="e.g. 4242 4242 4242 4242"
                        error=field_error(value, "number")
                    />
                    <div class="grid grid-cols-2 gap-4">
                        <TextField
                            name="expiry"
                            label="Expiry (MM / YY)"
                            autocomplete="cc-exp"
                            error=field_error(value, "expiry")
                        />
                        <TextField
                            name="cvc"
                            label="CVC"
                            autocomplete="cc-csc"
                            error=field_error(value, "cvc")
                        />
                    </div>
                    <TextField
                        name="name"
                        label="Name on card"
                        autocomplete="cc-name"
                        required=false
                        error=field_error(value, "name")
                    />
                    <SubmitButton
                        label=if view.recurring { "Subscribe" } else { "Pay" }
                        pending_label="Processing…"
                        pending=pay.pending()
                    />
                </ActionForm>
            </section>
        </div>
        <Show when=move || needs_auth.get()>
            <div class="fixed inset-0 z-50 grid place-items-center bg-black/70 p-4">
                <div
                    role="dialog"
                    aria-modal="true"
                    aria-labelledby="auth-heading"
                    class="w-full max-w-sm rounded-3xl border border-zinc-700 bg-zinc-900 p-6 shadow-2xl"
                >
                    <h2 id="auth-heading" class="text-lg font-semibold text-white">
                        "3-D Secure authentication"
                    </h2>
                    <p class="mt-2 text-sm text-zinc-300">
                        "Your bank asks you to confirm this payment of "{amount.clone()}
                        ". In the sandbox you choose the outcome."
                    </p>
                    <div class="mt-5 flex flex-col gap-3">
                        <button
                            type="button"
                            class="btn-primary"
                            disabled=move || auth.pending().get()
                            on:click={
                                let id = auth_id.clone();
                                move |_| {
                                    auth.dispatch(SandboxAuthenticate {
                                        id: id.clone(),
                                        approve: true,
                                    });
                                }
                            }
                        >
                            "Complete authentication"
                        </button>
                        <button
                            type="button"
                            class="btn-secondary"
                            disabled=move || auth.pending().get()
                            on:click={
                                let id = auth_id.clone();
                                move |_| {
                                    auth.dispatch(SandboxAuthenticate {
                                        id: id.clone(),
                                        approve: false,
                                    });
                                }
                            }
                        >
                            "Fail authentication"
                        </button>
                    </div>
                </div>
            </div>
        </Show>
    }
    .into_any()
}
