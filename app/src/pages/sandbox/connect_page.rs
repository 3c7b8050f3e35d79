use boptone::payments::views::ConnectView;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::checkout_page::SandboxBanner;
use crate::{
    api::sandbox::{SandboxSubmitOnboarding, sandbox_connect},
    components::{
        gate::go,
        ui::{FormAlert, LoadError, Loading, SubmitButton, TextField, field_error, form_error},
    },
};

/// `/sandbox/connect/:id`: the sandbox's hosted payout onboarding, standing in for
/// Stripe Connect Express. Submitting verifies the account at once and emits
/// `account.updated`.
#[component]
pub fn SandboxConnectPage() -> impl IntoView {
    let params = use_params_map();
    let account = Resource::new(
        move || params.read().get("id").unwrap_or_default(),
        sandbox_connect,
    );
    view! {
        <Title text="Set up payouts" />
        <div class="mx-auto max-w-xl px-4 py-8 sm:px-8">
            <SandboxBanner />
            <Suspense fallback=|| {
                view! { <Loading label="Loading…" /> }
            }>
                {move || Suspend::new(async move {
                    match account.await {
                        Ok(view) => view! { <Onboarding view /> }.into_any(),
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

#[component]
fn Onboarding(view: ConnectView) -> impl IntoView {
    let submit = ServerAction::<SandboxSubmitOnboarding>::new();
    Effect::new(move |_| {
        if let Some(Ok(url)) = submit.value().get() {
            go(&url);
        }
    });
    let value = submit.value();
    if view.link_expired {
        return view! {
            <section class="mt-6 rounded-3xl border border-zinc-800 bg-zinc-900/60 p-6">
                <h1 class="text-xl font-semibold text-white">"This link has expired"</h1>
                <p class="mt-2 text-zinc-300">
                    "Onboarding links work for a few minutes. Start again from Boptone."
                </p>
                <a href="/artist/payout?refresh=1" class="btn-primary mt-5 inline-flex">
                    "Get a new link"
                </a>
            </section>
        }
        .into_any();
    }
    view! {
        <section class="mt-6 rounded-3xl border border-zinc-800 bg-zinc-900/60 p-6">
            <h1 class="text-xl font-semibold text-white">"Get paid by Boptone"</h1>
            <p class="mt-1 text-sm text-zinc-400">{view.email.clone()}</p>
            <ActionForm action=submit attr:class="mt-6 space-y-4" attr:novalidate="true">
                <input type="hidden" name="id" value=view.id.clone() />
                <FormAlert message=form_error(
                    value,
                    &["legal_name", "date_of_birth", "routing_number", "account_number"],
                ) />
                <TextField
                    name="legal_name"
                    label="Legal name"
                    autocomplete="name"
                    error=field_error(value, "legal_name")
                />
                <TextField
                    name="date_of_birth"
                    label="Date of birth"
                    kind="date"
                    autocomplete="bday"
                    error=field_error(value, "date_of_birth")
                />
                <TextField
                    name="routing_number"
                    label="Routing number"
                    hint="Test: 110000000"
                    error=field_error(value, "routing_number")
                />
                <TextField
                    name="account_number"
                    label="Account number"
                    hint="Test: 000123456789"
                    error=field_error(value, "account_number")
                />
                <SubmitButton
                    label="Agree and submit"
                    pending_label="Verifying…"
                    pending=submit.pending()
                />
            </ActionForm>
        </section>
    }
    .into_any()
}
