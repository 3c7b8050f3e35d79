use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::onboarding::activation_funnel,
    components::ui::{LoadError, Loading},
};

/// `/admin/funnel`: how many artists reached each step towards their first dollar
/// (SPEC ONB-7). Operators only.
#[component]
pub fn FunnelPage() -> impl IntoView {
    let funnel = Resource::new(|| (), |_| activation_funnel());
    view! {
        <Title text="Activation funnel" />
        <div class="mx-auto max-w-3xl px-4 py-8 sm:px-8">
            <h1 class="text-2xl font-bold text-white">"Activation funnel"</h1>
            <p class="mt-1 text-sm text-zinc-400">
                "Artists at each step from sign-up to their first dollar."
            </p>
            <Suspense fallback=|| {
                view! { <Loading label="Loading the funnel…" /> }
            }>
                {move || Suspend::new(async move {
                    match funnel.await {
                        Ok(rows) => {
                            let top = rows.first().map_or(0, |r| r.artists).max(1);
                            view! {
                                <table class="mt-6 w-full text-left text-sm">
                                    <thead class="text-zinc-400">
                                        <tr>
                                            <th scope="col" class="py-2">
                                                "Step"
                                            </th>
                                            <th scope="col" class="py-2 text-right">
                                                "Artists"
                                            </th>
                                            <th scope="col" class="py-2 text-right">
                                                "Of sign-ups"
                                            </th>
                                        </tr>
                                    </thead>
                                    <tbody class="divide-y divide-zinc-800">
                                        {rows
                                            .into_iter()
                                            .map(|row| {
                                                view! {
                                                    <tr>
                                                        <td class="py-2 text-white">{row.label}</td>
                                                        <td class="py-2 text-right tabular-nums text-zinc-200">
                                                            {row.artists}
                                                        </td>
                                                        <td class="py-2 text-right tabular-nums text-zinc-400">
                                                            {format!("{}%", row.artists * 100 / top)}
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
