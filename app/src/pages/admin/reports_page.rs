//! The operators' review of reported Bops and comments: keep or remove each.

use boptone::moderation::{Decision, Reported, Subject};
use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::moderation::{DecideReport, load_reports},
    components::ui::{EmptyState, FormAlert, LoadError, Loading, form_error},
};

#[component]
pub fn ReportsPage() -> impl IntoView {
    let decide = ServerAction::<DecideReport>::new();
    let reports = Resource::new(move || decide.version().get(), |_| load_reports());
    view! {
        <Title text="Reports" />
        <div class="mx-auto max-w-3xl px-4 py-8 sm:px-8">
            <h1 class="text-2xl font-bold text-white">"Reports"</h1>
            <p class="mt-1 text-sm text-zinc-400">
                "Bops and comments people flagged. Removing takes it down everywhere; keeping closes its reports."
            </p>
            <div class="mt-4">
                <FormAlert message=form_error(decide.value(), &[]) />
            </div>
            <Transition fallback=|| {
                view! { <Loading label="Loading reports…" /> }
            }>
                {move || Suspend::new(async move {
                    match reports.await {
                        Ok(list) if list.is_empty() => {
                            view! {
                                <div class="mt-6">
                                    <EmptyState
                                        title="Nothing to review"
                                        body="When someone reports a Bop or a comment, it waits here."
                                        action_label="Back to the feed"
                                        action_href="/feed"
                                    />
                                </div>
                            }
                                .into_any()
                        }
                        Ok(list) => {
                            view! {
                                <ul class="mt-6 space-y-4" aria-label="Reported">
                                    {list
                                        .into_iter()
                                        .map(|r| view! { <ReportedItem item=r decide /> })
                                        .collect_view()}
                                </ul>
                            }
                                .into_any()
                        }
                        Err(err) => view! { <LoadError error=err /> }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

#[component]
fn ReportedItem(item: Reported, decide: ServerAction<DecideReport>) -> impl IntoView {
    let what = match item.subject {
        Subject::Bop => "Bop",
        Subject::Comment => "Comment",
    };
    let reasons = item
        .reasons
        .iter()
        .map(|r| r.label())
        .collect::<Vec<_>>()
        .join(", ");
    let (subject, id) = (item.subject, item.subject_id);
    let text = if item.text.is_empty() {
        "(no text)".to_owned()
    } else {
        item.text.clone()
    };
    view! {
        <li class="rounded-2xl border border-zinc-800 bg-zinc-900/60 p-5" data-testid="reported">
            <p class="text-sm text-zinc-400">
                {format!(
                    "{what} by @{} · {} report{} · {reasons}",
                    item.author_handle,
                    item.reports,
                    if item.reports == 1 { "" } else { "s" },
                )}
            </p>
            <p class="mt-2 whitespace-pre-line text-white">{text}</p>
            <a href=item.link.clone() class="link mt-2 inline-block text-sm">
                "See it"
            </a>
            <div class="mt-4 flex gap-3">
                <button
                    type="button"
                    class="btn-primary"
                    disabled=move || decide.pending().get()
                    on:click=move |_| {
                        decide
                            .dispatch(DecideReport {
                                subject: subject.as_str().into(),
                                id,
                                decision: Decision::Remove.as_str().into(),
                            });
                    }
                >
                    {format!("Remove {}", what.to_lowercase())}
                </button>
                <button
                    type="button"
                    class="btn-secondary"
                    disabled=move || decide.pending().get()
                    on:click=move |_| {
                        decide
                            .dispatch(DecideReport {
                                subject: subject.as_str().into(),
                                id,
                                decision: Decision::Keep.as_str().into(),
                            });
                    }
                >
                    "Keep it"
                </button>
            </div>
        </li>
    }
}
