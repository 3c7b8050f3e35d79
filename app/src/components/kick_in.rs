//! Kick In: the tip form on an artist's profile. Shows exactly what the fan pays and
//! what the artist receives (no platform fee), before paying.

use boptone::{
    fees,
    money::PLATFORM_CURRENCY as CURRENCY,
    money::{format_amount, format_price},
    tips::{PRESETS, parse_amount},
};
use leptos::prelude::*;

use crate::{
    api::tips::KickIn,
    components::{
        gate::go,
        ui::{FormAlert, SubmitButton, field_error, form_error},
    },
    contexts::session::use_session,
};

/// A fresh key for one attempt at moving money (`prefix-…`), made in the browser so a
/// double submit or a retry moves it once.
pub fn attempt_key(prefix: &str) -> String {
    #[cfg(feature = "hydrate")]
    {
        let part = || {
            format!(
                "{:08x}",
                (js_sys::Math::random() * f64::from(u32::MAX)) as u32
            )
        };
        format!("{prefix}-{}{}{}{}", part(), part(), part(), part())
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = prefix;
        String::new()
    }
}

/// The Kick In form for the artist at `handle`; `bop` records the Bop the fan tips from.
#[component]
pub fn KickInForm(
    handle: String,
    artist_name: String,
    #[prop(optional)] bop: Option<i64>,
) -> impl IntoView {
    let session = use_session();
    let action = ServerAction::<KickIn>::new();
    let value = action.value();
    let amount = RwSignal::new("5".to_owned());
    let cover = RwSignal::new(true);
    let key = RwSignal::new(String::new());
    // Browser only: a key per attempt, renewed after a refusal.
    Effect::new(move |_| {
        if matches!(value.get(), None | Some(Err(_))) {
            key.set(attempt_key("tip"));
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(url)) = value.get() {
            go(&url);
        }
    });
    let breakdown = move || {
        parse_amount(&amount.get())
            .ok()
            .filter(|c| (boptone::tips::MIN_CENTS..=boptone::tips::MAX_CENTS).contains(c))
            .map(|c| fees::tip(c, cover.get()))
    };
    let signed_in = move || matches!(session.user.get(), Some(Ok(Some(_))));
    let name = artist_name.clone();
    view! {
        <section
            id="kick-in"
            aria-labelledby="kick-in-heading"
            class="mt-8 rounded-3xl border border-fuchsia-500/30 bg-gradient-to-br from-fuchsia-500/10 to-violet-600/10 p-6"
        >
            <h2 id="kick-in-heading" class="text-lg font-semibold text-white">
                "Kick In"
            </h2>
            <p class="mt-1 text-sm text-zinc-300">
                "Tip "{artist_name.clone()}" directly. Boptone takes no fee."
            </p>
            <ActionForm action=action attr:class="mt-5 space-y-5" attr:novalidate="true">
                <input type="hidden" name="handle" value=handle.clone() />
                <input type="hidden" name="idempotency_key" prop:value=move || key.get() />
                {bop.map(|id| view! { <input type="hidden" name="bop" value=id.to_string() /> })}
                <fieldset>
                    <legend class="text-sm font-medium text-zinc-200">"Amount"</legend>
                    <div class="mt-2 flex flex-wrap gap-2">
                        {PRESETS
                            .iter()
                            .map(|cents| {
                                let dollars = (cents / 100).to_string();
                                let label = format_price(*cents, CURRENCY.as_str());
                                let d = dollars.clone();
                                view! {
                                    <button
                                        type="button"
                                        class="genre-chip-body aria-pressed:border-fuchsia-400 aria-pressed:bg-fuchsia-500/15 aria-pressed:text-white"
                                        aria-pressed=move || {
                                            if amount.get() == d { "true" } else { "false" }
                                        }
                                        on:click=move |_| amount.set(dollars.clone())
                                    >
                                        {label}
                                    </button>
                                }
                            })
                            .collect_view()}
                    </div>
                    <label for="tip-amount" class="mt-3 block text-sm text-zinc-300">
                        "Or your own amount, in dollars"
                    </label>
                    <div class="mt-1 flex max-w-40 items-center rounded-xl border border-zinc-700 bg-zinc-900 focus-within:border-fuchsia-400">
                        <span class="pl-3 text-zinc-400" aria-hidden="true">
                            "$"
                        </span>
                        <input
                            id="tip-amount"
                            name="amount"
                            inputmode="decimal"
                            autocomplete="off"
                            class="w-full rounded-xl bg-transparent py-2 pr-3 pl-1 text-base text-zinc-50 focus:outline-none"
                            prop:value=move || amount.get()
                            on:input=move |ev| amount.set(event_target_value(&ev))
                            aria-invalid=move || {
                                if field_error(value, "amount").get().is_some() {
                                    "true"
                                } else {
                                    "false"
                                }
                            }
                        />
                    </div>
                    {move || {
                        field_error(value, "amount")
                            .get()
                            .map(|m| {
                                view! {
                                    <p class="mt-1 text-sm font-medium text-rose-300" role="alert">
                                        {m}
                                    </p>
                                }
                            })
                    }}
                </fieldset>
                <div class="space-y-1.5">
                    <label for="tip-message" class="block text-sm font-medium text-zinc-200">
                        "Message "
                        <span class="font-normal text-zinc-400">"(optional)"</span>
                    </label>
                    <textarea
                        id="tip-message"
                        name="message"
                        rows="2"
                        maxlength="280"
                        class="block w-full rounded-xl border border-zinc-700 bg-zinc-900 px-3.5 py-2.5 text-base text-zinc-50 focus:border-fuchsia-400 focus:outline-none"
                        placeholder="Say something nice"
                    ></textarea>
                    {move || {
                        field_error(value, "message")
                            .get()
                            .map(|m| {
                                view! {
                                    <p class="text-sm font-medium text-rose-300" role="alert">
                                        {m}
                                    </p>
                                }
                            })
                    }}
                </div>
                <Show when=move || !signed_in()>
                    <div class="space-y-1.5">
                        <label for="tip-email" class="block text-sm font-medium text-zinc-200">
                            "Your email, for the receipt"
                        </label>
                        <input
                            id="tip-email"
                            name="email"
                            type="email"
                            autocomplete="email"
                            class="block w-full rounded-xl border border-zinc-700 bg-zinc-900 px-3.5 py-2.5 text-base text-zinc-50 focus:border-fuchsia-400 focus:outline-none"
                        />
                        {move || {
                            field_error(value, "email")
                                .get()
                                .map(|m| {
                                    view! {
                                        <p class="text-sm font-medium text-rose-300" role="alert">
                                            {m}
                                        </p>
                                    }
                                })
                        }}
                    </div>
                </Show>
                <label class="flex items-start gap-3 text-sm text-zinc-200">
                    <input
                        type="checkbox"
                        name="cover_fee"
                        value="true"
                        class="mt-1 h-4 w-4 accent-fuchsia-400"
                        prop:checked=move || cover.get()
                        on:change=move |ev| cover.set(event_target_checked(&ev))
                    />
                    <span>
                        "Cover the card processing cost so "{name.clone()}" gets the full amount"
                    </span>
                </label>
                <p class="text-sm text-zinc-300" aria-live="polite" data-testid="tip-breakdown">
                    {move || {
                        breakdown()
                            .map(|b| {
                                format!(
                                    "You pay {} · card processing {} · {} receives {}",
                                    format_amount(b.gross, CURRENCY.as_str()),
                                    format_amount(b.processing_fee, CURRENCY.as_str()),
                                    artist_name.clone(),
                                    format_amount(b.net, CURRENCY.as_str()),
                                )
                            })
                    }}
                </p>
                <FormAlert message=form_error(
                    value,
                    &["amount", "message", "email", "idempotency_key"],
                ) />
                <SubmitButton
                    label="Kick In"
                    pending_label="Opening checkout…"
                    pending=action.pending()
                />
            </ActionForm>
        </section>
    }
}
