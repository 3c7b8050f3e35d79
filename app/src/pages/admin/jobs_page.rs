use boptone::{
    AppError,
    jobs::{JobState, TroubledJob},
    time::format_utc,
};
use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::admin::{DiscardJob, RetryJob, jobs_overview},
    components::ui::{FormAlert, LoadError, Loading, form_error},
};

/// The operator's view of background work: counts, failures, schedules.
#[component]
pub fn JobsPage() -> impl IntoView {
    let retry = ServerAction::<RetryJob>::new();
    let discard = ServerAction::<DiscardJob>::new();
    let overview = Resource::new(
        move || (retry.version().get(), discard.version().get()),
        |_| jobs_overview(),
    );
    view! {
        <Title text="Jobs" />
        <div class="mx-auto max-w-5xl px-4 py-8 sm:px-8">
            <h1 class="text-2xl font-bold text-white">"Background jobs"</h1>
            <div class="mt-4 space-y-2">
                <FormAlert message=form_error(retry.value(), &[]) />
                <FormAlert message=form_error(discard.value(), &[]) />
            </div>
            <Transition fallback=|| {
                view! { <Loading label="Loading the queue…" /> }
            }>
                {move || Suspend::new(async move {
                    match overview.await {
                        Ok(o) => {
                            view! {
                                <section aria-labelledby="counts-heading" class="mt-6">
                                    <h2
                                        id="counts-heading"
                                        class="text-lg font-semibold text-white"
                                    >
                                        "Queue"
                                    </h2>
                                    {if o.counts.is_empty() {
                                        view! {
                                            <p class="mt-2 text-sm text-zinc-400">
                                                "No jobs are waiting, running or dead."
                                            </p>
                                        }
                                            .into_any()
                                    } else {
                                        view! {
                                            <table class="mt-3 w-full text-left text-sm">
                                                <thead class="text-zinc-400">
                                                    <tr>
                                                        <th scope="col" class="py-2">
                                                            "Kind"
                                                        </th>
                                                        <th scope="col">"State"</th>
                                                        <th scope="col" class="text-right">
                                                            "Jobs"
                                                        </th>
                                                        <th scope="col" class="text-right">
                                                            "Retrying"
                                                        </th>
                                                    </tr>
                                                </thead>
                                                <tbody class="divide-y divide-zinc-800 text-zinc-200">
                                                    {o
                                                        .counts
                                                        .into_iter()
                                                        .map(|c| {
                                                            view! {
                                                                <tr>
                                                                    <td class="py-2 font-mono">{c.kind}</td>
                                                                    <td>{c.state.as_str()}</td>
                                                                    <td class="text-right">{c.count}</td>
                                                                    <td class="text-right">{c.retrying}</td>
                                                                </tr>
                                                            }
                                                        })
                                                        .collect_view()}
                                                </tbody>
                                            </table>
                                        }
                                            .into_any()
                                    }}
                                </section>
                                <section aria-labelledby="failures-heading" class="mt-10">
                                    <h2
                                        id="failures-heading"
                                        class="text-lg font-semibold text-white"
                                    >
                                        "Failing and dead jobs"
                                    </h2>
                                    {if o.troubled.is_empty() {
                                        view! {
                                            <p class="mt-2 text-sm text-zinc-400">"No failures."</p>
                                        }
                                            .into_any()
                                    } else {
                                        view! {
                                            <ul class="mt-3 space-y-3">
                                                {o
                                                    .troubled
                                                    .into_iter()
                                                    .map(|j| view! { <Troubled job=j retry discard /> })
                                                    .collect_view()}
                                            </ul>
                                        }
                                            .into_any()
                                    }}
                                </section>
                                <section aria-labelledby="cron-heading" class="mt-10">
                                    <h2 id="cron-heading" class="text-lg font-semibold text-white">
                                        "Schedules"
                                    </h2>
                                    <table class="mt-3 w-full text-left text-sm">
                                        <thead class="text-zinc-400">
                                            <tr>
                                                <th scope="col" class="py-2">
                                                    "Schedule"
                                                </th>
                                                <th scope="col">"Cron"</th>
                                                <th scope="col">"Last run"</th>
                                                <th scope="col">"Next run"</th>
                                            </tr>
                                        </thead>
                                        <tbody class="divide-y divide-zinc-800 text-zinc-200">
                                            {o
                                                .schedules
                                                .into_iter()
                                                .map(|s| {
                                                    view! {
                                                        <tr>
                                                            <td class="py-2 font-mono">
                                                                {s.name}{(!s.enabled).then_some(" (disabled)")}
                                                            </td>
                                                            <td class="font-mono">{s.expression}</td>
                                                            <td>
                                                                {s
                                                                    .last_run_at
                                                                    .map(format_utc)
                                                                    .unwrap_or_else(|| "Not yet".into())}
                                                            </td>
                                                            <td>{format_utc(s.next_run_at)}</td>
                                                        </tr>
                                                    }
                                                })
                                                .collect_view()}
                                        </tbody>
                                    </table>
                                </section>
                            }
                                .into_any()
                        }
                        Err(AppError::Forbidden | AppError::Unauthenticated) => {
                            view! {
                                <p
                                    role="alert"
                                    class="mt-6 rounded-2xl border border-zinc-700 px-5 py-4 text-zinc-300"
                                >
                                    "This page is for Boptone operators. Sign in with an operator account to see it."
                                </p>
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
fn Troubled(
    job: TroubledJob,
    retry: ServerAction<RetryJob>,
    discard: ServerAction<DiscardJob>,
) -> impl IntoView {
    let status = if job.state == JobState::Dead {
        format!("Dead after {} attempts", job.attempts)
    } else {
        format!(
            "Retrying ({} of {}), next at {}",
            job.attempts,
            job.max_attempts,
            format_utc(job.run_at)
        )
    };
    view! {
        <li class="rounded-2xl border border-zinc-800 bg-zinc-900/60 p-4">
            <div class="flex flex-wrap items-start justify-between gap-3">
                <div class="min-w-0">
                    <p class="font-mono text-sm text-white">
                        {format!("#{} {}", job.id, job.kind)}
                    </p>
                    <p class="mt-1 text-sm text-zinc-400">{status}</p>
                    <p class="mt-2 break-words font-mono text-xs text-rose-200">
                        {job.last_error.unwrap_or_default()}
                    </p>
                </div>
                <div class="flex gap-2">
                    <ActionForm action=retry>
                        <input type="hidden" name="id" value=job.id />
                        <button type="submit" class="btn-secondary px-3 py-1.5 text-sm">
                            "Retry now"
                        </button>
                    </ActionForm>
                    <ActionForm action=discard>
                        <input type="hidden" name="id" value=job.id />
                        <button type="submit" class="btn-secondary px-3 py-1.5 text-sm">
                            "Discard"
                        </button>
                    </ActionForm>
                </div>
            </div>
        </li>
    }
}
