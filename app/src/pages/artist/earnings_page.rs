use boptone::{
    AppError,
    earnings::{Earnings, source_label},
    money::format_amount,
    time::format_day,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::{
    api::earnings::load_earnings,
    components::{
        local_time::LocalDay,
        ui::{LoadError, Loading},
    },
};

/// `/dashboard/earnings`: every stream in one place (SPEC MON-2), and where each
/// dollar went (MON-3).
#[component]
pub fn EarningsPage() -> impl IntoView {
    let earnings = Resource::new(|| (), |_| load_earnings());
    view! {
        <Title text="Earnings" />
        <div class="mx-auto max-w-5xl px-4 py-8 sm:px-8">
            <p class="text-sm text-zinc-400">
                <A href="/dashboard" attr:class="link">
                    "Dashboard"
                </A>
                " / Earnings"
            </p>
            <h1 class="mt-1 text-3xl font-bold tracking-tight text-white">"Earnings"</h1>
            <Suspense fallback=|| {
                view! { <Loading label="Loading your earnings…" /> }
            }>
                {move || Suspend::new(async move {
                    match earnings.await {
                        Ok(e) => view! { <EarningsBody e /> }.into_any(),
                        Err(AppError::Unauthenticated) => {
                            view! {
                                <A
                                    href="/signin?next=/dashboard/earnings"
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
            </Suspense>
        </div>
    }
}

#[component]
fn EarningsBody(e: Earnings) -> impl IntoView {
    let c = e.currency.clone();
    let money = move |cents: i64| format_amount(cents, &c);
    let totals = view! {
        <dl class="mt-6 grid gap-4 sm:grid-cols-3">
            {[("Total", e.total), ("This month", e.month_to_date), ("This year", e.year_to_date)]
                .into_iter()
                .map(|(label, cents)| {
                    view! {
                        <div class="rounded-2xl border border-zinc-800 bg-zinc-900/60 p-5">
                            <dt class="text-sm text-zinc-400">{label}</dt>
                            <dd class="mt-1 text-3xl font-bold tabular-nums text-white">
                                {money(cents)}
                            </dd>
                        </div>
                    }
                })
                .collect_view()}
        </dl>
    }
    .into_any();
    let balances = view! {
        <section
            aria-labelledby="balance-heading"
            class="rounded-2xl border border-zinc-800 bg-zinc-900/60 p-5"
        >
            <h2 id="balance-heading" class="font-semibold text-white">
                "Balance"
            </h2>
            <dl class="mt-3 space-y-2 text-sm">
                <div class="flex justify-between">
                    <dt class="text-zinc-400">"Available to pay out"</dt>
                    <dd class="tabular-nums text-white" data-testid="available">
                        {money(e.balances.available)}
                    </dd>
                </div>
                <div class="flex justify-between">
                    <dt class="text-zinc-400">"Settling"</dt>
                    <dd class="tabular-nums text-zinc-200">{money(e.balances.pending)}</dd>
                </div>
                <div class="flex justify-between">
                    <dt class="text-zinc-400">"On the way to your bank"</dt>
                    <dd class="tabular-nums text-zinc-200">{money(e.balances.in_payout)}</dd>
                </div>
            </dl>
            <A href="/dashboard/payouts" attr:class="btn-secondary mt-4 inline-flex">
                "Payouts"
            </A>
        </section>
    }
    .into_any();
    let sources = view! {
        <section
            aria-labelledby="sources-heading"
            class="rounded-2xl border border-zinc-800 bg-zinc-900/60 p-5"
        >
            <h2 id="sources-heading" class="font-semibold text-white">
                "By source"
            </h2>
            <ul class="mt-3 space-y-2 text-sm">
                {e
                    .by_source
                    .iter()
                    .map(|(label, cents)| {
                        view! {
                            <li class="flex justify-between">
                                <span class="text-zinc-300">{label.clone()}</span>
                                <span class="tabular-nums text-white">{money(*cents)}</span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
    .into_any();
    let chart =
        view! { <DailyChart daily=e.daily.clone() currency=e.currency.clone() /> }.into_any();
    let recent = view! {
        <section aria-labelledby="recent-heading" class="mt-8">
            <h2 id="recent-heading" class="text-lg font-semibold text-white">
                "Recent earnings"
            </h2>
            {if e.recent.is_empty() {
                view! {
                    <p class="mt-3 text-sm text-zinc-400">
                        "Nothing yet. Share your profile: your first tip will show here with where every cent went."
                    </p>
                }
                    .into_any()
            } else {
                view! {
                    <div class="mt-3 overflow-x-auto rounded-2xl border border-zinc-800">
                        <table class="w-full min-w-[36rem] text-left text-sm">
                            <thead class="bg-zinc-900 text-zinc-400">
                                <tr>
                                    <th scope="col" class="px-4 py-2 font-medium">
                                        "Date"
                                    </th>
                                    <th scope="col" class="px-4 py-2 font-medium">
                                        "Source"
                                    </th>
                                    <th scope="col" class="px-4 py-2 text-right font-medium">
                                        "Gross"
                                    </th>
                                    <th scope="col" class="px-4 py-2 text-right font-medium">
                                        "Boptone fee"
                                    </th>
                                    <th scope="col" class="px-4 py-2 text-right font-medium">
                                        "Processing"
                                    </th>
                                    <th scope="col" class="px-4 py-2 text-right font-medium">
                                        "You get"
                                    </th>
                                </tr>
                            </thead>
                            <tbody class="divide-y divide-zinc-800">
                                {e
                                    .recent
                                    .iter()
                                    .map(|line| {
                                        view! {
                                            <tr>
                                                <td class="px-4 py-2 text-zinc-300">
                                                    <LocalDay ms=line.created_at />
                                                </td>
                                                <td class="px-4 py-2 text-zinc-200">
                                                    {source_label(&line.kind)}
                                                </td>
                                                <td class="px-4 py-2 text-right tabular-nums text-zinc-200">
                                                    {format_amount(line.gross, &line.currency)}
                                                </td>
                                                <td class="px-4 py-2 text-right tabular-nums text-zinc-400">
                                                    {format_amount(line.platform_fee, &line.currency)}
                                                </td>
                                                <td class="px-4 py-2 text-right tabular-nums text-zinc-400">
                                                    {format_amount(line.processing_fee, &line.currency)}
                                                </td>
                                                <td class="px-4 py-2 text-right font-semibold tabular-nums text-white">
                                                    {format_amount(line.net, &line.currency)}
                                                </td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    </div>
                }
                    .into_any()
            }}
        </section>
    }
    .into_any();
    view! {
        {totals}
        <div class="mt-6 grid gap-4 lg:grid-cols-3">
            <div class="lg:col-span-2">{chart}</div>
            <div class="space-y-4">{balances}{sources}</div>
        </div>
        {recent}
    }
}

/// The last 90 days as bars, with a text summary for screen readers.
#[component]
fn DailyChart(daily: Vec<(i64, i64)>, currency: String) -> impl IntoView {
    let max = daily.iter().map(|(_, c)| *c).max().unwrap_or(0).max(1);
    let total: i64 = daily.iter().map(|(_, c)| c).sum();
    let best = daily.iter().max_by_key(|(_, c)| *c).copied();
    let summary = match best {
        Some((day, cents)) if cents > 0 => format!(
            "{} earned in the last 90 days; the best day was {} with {}.",
            format_amount(total, &currency),
            format_day(day),
            format_amount(cents, &currency)
        ),
        _ => "Nothing earned in the last 90 days yet.".to_owned(),
    };
    let bars = daily
        .iter()
        .enumerate()
        .filter(|(_, (_, cents))| *cents > 0)
        .map(|(i, (_, cents))| {
            let height = (cents * 100 / max).max(2);
            view! {
                <rect
                    x=(i * 10).to_string()
                    y=(100 - height).to_string()
                    width="8"
                    height=height.to_string()
                    rx="2"
                    class="fill-fuchsia-400"
                />
            }
        })
        .collect_view();
    view! {
        <section
            aria-labelledby="chart-heading"
            class="h-full rounded-2xl border border-zinc-800 bg-zinc-900/60 p-5"
        >
            <h2 id="chart-heading" class="font-semibold text-white">
                "Last 90 days"
            </h2>
            <p class="mt-1 text-sm text-zinc-400">{summary}</p>
            <svg
                viewBox="0 0 900 100"
                preserveAspectRatio="none"
                class="mt-4 h-40 w-full"
                aria-hidden="true"
            >
                <line x1="0" y1="100" x2="900" y2="100" class="stroke-zinc-700" stroke-width="1" />
                {bars}
            </svg>
        </section>
    }
}
