use boptone::{money::format_amount, time::format_day};
use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::onboarding::reconciliation_mismatches,
    components::ui::{LoadError, Loading},
};

/// `/admin/reconciliation`: days on which an artist's ledger balance and the payment
/// provider's balance for their payout account disagreed (SPEC MON-5). Operators only.
#[component]
pub fn ReconciliationPage() -> impl IntoView {
    let rows = Resource::new(|| (), |_| reconciliation_mismatches());
    view! {
        <Title text="Reconciliation" />
        <div class="mx-auto max-w-4xl px-4 py-8 sm:px-8">
            <h1 class="text-2xl font-bold text-white">"Reconciliation"</h1>
            <p class="mt-1 text-sm text-zinc-400">
                "Checked daily: each artist's ledger balance against the payment provider's."
            </p>
            <Suspense fallback=|| {
                view! { <Loading label="Loading…" /> }
            }>
                {move || Suspend::new(async move {
                    match rows.await {
                        Ok(rows) if rows.is_empty() => {
                            view! {
                                <p class="mt-6 rounded-2xl border border-emerald-500/40 bg-emerald-500/10 px-4 py-3 text-sm text-emerald-200">
                                    "No mismatches: the books agree."
                                </p>
                            }
                                .into_any()
                        }
                        Ok(rows) => {
                            view! {
                                <table class="mt-6 w-full text-left text-sm">
                                    <thead class="text-zinc-400">
                                        <tr>
                                            <th scope="col" class="py-2">
                                                "Day"
                                            </th>
                                            <th scope="col" class="py-2">
                                                "Artist"
                                            </th>
                                            <th scope="col" class="py-2 text-right">
                                                "Ledger"
                                            </th>
                                            <th scope="col" class="py-2 text-right">
                                                "Provider"
                                            </th>
                                            <th scope="col" class="py-2 text-right">
                                                "Difference"
                                            </th>
                                        </tr>
                                    </thead>
                                    <tbody class="divide-y divide-zinc-800">
                                        {rows
                                            .into_iter()
                                            .map(|m| {
                                                view! {
                                                    <tr>
                                                        <td class="py-2 text-zinc-300">
                                                            {format_day(m.checked_on)}
                                                        </td>
                                                        <td class="py-2 text-white">
                                                            "@"{m.handle.clone()}
                                                            <span class="block text-xs text-zinc-500">
                                                                {m.account_id.clone()}
                                                            </span>
                                                        </td>
                                                        <td class="py-2 text-right tabular-nums text-zinc-200">
                                                            {format_amount(m.ledger_cents, &m.currency)}
                                                        </td>
                                                        <td class="py-2 text-right tabular-nums text-zinc-200">
                                                            {format_amount(m.provider_cents, &m.currency)}
                                                        </td>
                                                        <td class="py-2 text-right tabular-nums text-rose-300">
                                                            {format_amount(m.difference(), &m.currency)}
                                                        </td>
                                                    </tr>
                                                }
                                            })
                                            .collect_view()}
                                    </tbody>
                                </table>
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
