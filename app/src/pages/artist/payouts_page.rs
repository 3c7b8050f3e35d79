use boptone::{
    AppError,
    fees::{self, PayoutSpeed},
    money::format_amount,
    payouts::{Frequency, PayoutsOverview, Stage},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::{
    api::payouts::{RequestPayout, SetPayoutSchedule, load_payouts},
    components::{
        gate::follow_gate,
        kick_in::attempt_key,
        local_time::LocalDay,
        ui::{FormAlert, LoadError, Loading, Notice, SubmitButton, field_error, form_error},
    },
};

/// `/dashboard/payouts`: pay out the available balance (standard or instant), the
/// schedule, and every payout's state (SPEC MON-4).
#[component]
pub fn PayoutsPage() -> impl IntoView {
    let request = ServerAction::<RequestPayout>::new();
    let schedule = ServerAction::<SetPayoutSchedule>::new();
    follow_gate(request.value());
    follow_gate(schedule.value());
    let data = Resource::new(
        move || (request.version().get(), schedule.version().get()),
        |_| load_payouts(),
    );
    view! {
        <Title text="Payouts" />
        <div class="mx-auto max-w-4xl px-4 py-8 sm:px-8">
            <p class="text-sm text-zinc-400">
                <A href="/dashboard" attr:class="link">
                    "Dashboard"
                </A>
                " / Payouts"
            </p>
            <h1 class="mt-1 text-3xl font-bold tracking-tight text-white">"Payouts"</h1>
            <Transition fallback=|| {
                view! { <Loading label="Loading your payouts…" /> }
            }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(o) => view! { <PayoutsBody o request schedule /> }.into_any(),
                        Err(AppError::Unauthenticated) => {
                            view! {
                                <A
                                    href="/signin?next=/dashboard/payouts"
                                    attr:class="btn-primary mt-6 inline-flex"
                                >
                                    "Sign in"
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
            </Transition>
        </div>
    }
}

#[component]
fn PayoutsBody(
    o: PayoutsOverview,
    request: ServerAction<RequestPayout>,
    schedule: ServerAction<SetPayoutSchedule>,
) -> impl IntoView {
    let value = request.value();
    let c = o.currency.clone();
    let available = o.balances.available;
    let amount = RwSignal::new(format!("{}.{:02}", available / 100, available % 100));
    let speed = RwSignal::new(PayoutSpeed::Standard);
    let key = RwSignal::new(String::new());
    Effect::new(move |_| {
        if matches!(value.get(), None | Some(Err(_))) {
            key.set(attempt_key("payout"));
        }
    });
    let preview = {
        let c = c.clone();
        move || {
            boptone::tips::parse_amount(&amount.get())
                .ok()
                .map(|cents| {
                    let fee = fees::payout_fee(cents, speed.get());
                    format!(
                        "Fee {} · your bank receives {}",
                        format_amount(fee, &c),
                        format_amount(cents - fee, &c)
                    )
                })
        }
    };
    let requested = move || matches!(value.get(), Some(Ok(_)));
    let instant_allowed = o.instant_allowed;
    let summary = view! {
        <dl class="mt-6 grid gap-4 sm:grid-cols-3">
            <div class="rounded-2xl border border-zinc-800 bg-zinc-900/60 p-5">
                <dt class="text-sm text-zinc-400">"Available"</dt>
                <dd class="mt-1 text-3xl font-bold tabular-nums text-white" data-testid="available">
                    {format_amount(o.balances.available, &c)}
                </dd>
            </div>
            <div class="rounded-2xl border border-zinc-800 bg-zinc-900/60 p-5">
                <dt class="text-sm text-zinc-400">"Settling"</dt>
                <dd class="mt-1 text-2xl font-semibold tabular-nums text-zinc-200">
                    {format_amount(o.balances.pending, &c)}
                </dd>
            </div>
            <div class="rounded-2xl border border-zinc-800 bg-zinc-900/60 p-5">
                <dt class="text-sm text-zinc-400">"On the way"</dt>
                <dd class="mt-1 text-2xl font-semibold tabular-nums text-zinc-200">
                    {format_amount(o.balances.in_payout, &c)}
                </dd>
            </div>
        </dl>
        {(o.balances.owed < 0)
            .then(|| {
                view! {
                    <p
                        class="mt-4 rounded-2xl border border-amber-700/60 bg-amber-950/40 p-4 text-sm text-amber-200"
                        data-testid="owed"
                    >
                        {format!(
                            "A refund came after its money was paid out: you owe {}. It is repaid from your next earnings before they become available.",
                            format_amount(-o.balances.owed, &c),
                        )}
                    </p>
                }
            })}
    }
    .into_any();
    let form = view! {
        <section
            aria-labelledby="request-heading"
            class="rounded-3xl border border-zinc-800 bg-zinc-900/60 p-6"
        >
            <h2 id="request-heading" class="text-lg font-semibold text-white">
                "Pay out"
            </h2>
            <p class="mt-1 text-sm text-zinc-400">
                {format!("The smallest payout is {}.", format_amount(o.minimum_cents, &c))}
            </p>
            <Show when=requested>
                <div class="mt-4">
                    <Notice>"Payout requested. It's in your history below."</Notice>
                </div>
            </Show>
            <ActionForm action=request attr:class="mt-4 space-y-4" attr:novalidate="true">
                <input type="hidden" name="idempotency_key" prop:value=move || key.get() />
                <input type="hidden" name="speed" prop:value=move || speed.get().as_str() />
                <div class="space-y-1.5">
                    <label for="payout-amount" class="block text-sm font-medium text-zinc-200">
                        "Amount, in dollars"
                    </label>
                    <input
                        id="payout-amount"
                        name="amount"
                        inputmode="decimal"
                        class="block w-full max-w-48 rounded-xl border border-zinc-700 bg-zinc-900 px-3.5 py-2.5 text-base text-zinc-50 focus:border-fuchsia-400 focus:outline-none"
                        prop:value=move || amount.get()
                        on:input=move |ev| amount.set(event_target_value(&ev))
                    />
                    {move || {
                        field_error(value, "amount")
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
                <fieldset class="space-y-2">
                    <legend class="text-sm font-medium text-zinc-200">"Speed"</legend>
                    <label class="flex items-center gap-3 text-sm text-zinc-200">
                        <input
                            type="radio"
                            name="speed_choice"
                            class="accent-fuchsia-400"
                            prop:checked=move || speed.get() == PayoutSpeed::Standard
                            on:change=move |_| speed.set(PayoutSpeed::Standard)
                        />
                        "Standard: free, next business day"
                    </label>
                    <label class="flex items-center gap-3 text-sm text-zinc-200">
                        <input
                            type="radio"
                            name="speed_choice"
                            class="accent-fuchsia-400"
                            prop:checked=move || speed.get() == PayoutSpeed::Instant
                            on:change=move |_| speed.set(PayoutSpeed::Instant)
                        />
                        {if instant_allowed {
                            "Instant: in minutes, 1% fee"
                        } else {
                            "Instant: in minutes, 1% fee (Pro plan)"
                        }}
                    </label>
                </fieldset>
                <p class="text-sm text-zinc-300" aria-live="polite">
                    {preview}
                </p>
                <FormAlert message=form_error(value, &["amount"]) />
                <SubmitButton
                    label="Request payout"
                    pending_label="Requesting…"
                    pending=request.pending()
                />
            </ActionForm>
        </section>
    }
    .into_any();
    let current = o.frequency;
    let schedule_form = view! {
        <section
            aria-labelledby="schedule-heading"
            class="rounded-3xl border border-zinc-800 bg-zinc-900/60 p-6"
        >
            <h2 id="schedule-heading" class="text-lg font-semibold text-white">
                "Schedule"
            </h2>
            <p class="mt-1 text-sm text-zinc-400">
                "Pay out everything available automatically (standard, free)."
            </p>
            <ActionForm action=schedule attr:class="mt-4 space-y-3">
                <label for="payout-frequency" class="block text-sm font-medium text-zinc-200">
                    "How often"
                </label>
                <select
                    id="payout-frequency"
                    name="frequency"
                    class="block w-full rounded-xl border border-zinc-700 bg-zinc-900 px-3 py-2.5 text-zinc-50"
                >
                    {Frequency::ALL
                        .into_iter()
                        .map(|f| {
                            view! {
                                <option value=f.as_str() selected=f == current>
                                    {f.label()}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
                <FormAlert message=form_error(schedule.value(), &[]) />
                <button type="submit" class="btn-secondary">
                    "Save schedule"
                </button>
            </ActionForm>
        </section>
    }
    .into_any();
    let history = view! {
        <section aria-labelledby="history-heading" class="mt-8">
            <h2 id="history-heading" class="text-lg font-semibold text-white">
                "History"
            </h2>
            {if o.history.is_empty() {
                view! { <p class="mt-3 text-sm text-zinc-400">"No payouts yet."</p> }.into_any()
            } else {
                view! {
                    <ul
                        class="mt-3 divide-y divide-zinc-800 rounded-2xl border border-zinc-800"
                        aria-label="Payout history"
                    >
                        {o
                            .history
                            .iter()
                            .map(|p| {
                                view! {
                                    <li
                                        class="flex flex-wrap items-center justify-between gap-2 px-4 py-3 text-sm"
                                        data-state=p.state.as_str()
                                    >
                                        <span class="text-zinc-300">
                                            <LocalDay ms=p.created_at />
                                            " · "
                                            {if p.speed == PayoutSpeed::Instant {
                                                "Instant"
                                            } else {
                                                "Standard"
                                            }}
                                        </span>
                                        <span class="tabular-nums text-white">
                                            {format_amount(p.to_bank(), &p.currency)}
                                        </span>
                                        <span class=if p.state == Stage::Failed {
                                            "text-rose-300"
                                        } else {
                                            "text-zinc-300"
                                        }>{p.state_label()}</span>
                                        {p
                                            .failure_message
                                            .clone()
                                            .map(|m| {
                                                view! {
                                                    <span class="w-full text-xs text-rose-300">{m}</span>
                                                }
                                            })}
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }}
        </section>
    }
    .into_any();
    view! {
        {summary}
        <div class="mt-6 grid gap-6 md:grid-cols-2">{form}{schedule_form}</div>
        {history}
    }
}
