use boptone::{AppError, onboarding::Dashboard};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::{
    api::onboarding::{BillingPortal, RecordShare, SetKickIn, load_dashboard},
    components::{
        gate::{follow_gate, go},
        local_time::LocalDay,
        ui::{FormAlert, LoadError, Loading, form_error},
    },
};

/// `/dashboard`: the artist's home (SPEC ONB-5, ONB-7): what is done, what is next on
/// the way to the first dollar, the profile link and QR code, the plan.
#[component]
pub fn DashboardPage() -> impl IntoView {
    let kick_in = ServerAction::<SetKickIn>::new();
    let share = ServerAction::<RecordShare>::new();
    let billing = ServerAction::<BillingPortal>::new();
    follow_gate(kick_in.value());
    follow_gate(billing.value());
    let data = Resource::new(
        move || (kick_in.version().get(), share.version().get()),
        |_| load_dashboard(),
    );
    Effect::new(move |_| {
        if let Some(Ok(url)) = billing.value().get() {
            go(&url);
        }
    });
    view! {
        <Title text="Dashboard" />
        <div class="mx-auto max-w-5xl px-4 py-8 sm:px-8">
            <Transition fallback=|| {
                view! { <Loading label="Loading your dashboard…" /> }
            }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(d) => view! { <DashboardBody d kick_in share billing /> }.into_any(),
                        Err(AppError::Gate { .. }) => {
                            view! {
                                <section class="mx-auto max-w-xl rounded-3xl border border-zinc-800 bg-zinc-900/60 p-6 text-center">
                                    <h1 class="text-2xl font-bold text-white">
                                        "Your artist dashboard"
                                    </h1>
                                    <p class="mt-2 text-zinc-300">
                                        "Choose a plan to set up your artist profile and start earning."
                                    </p>
                                    <A
                                        href="/artist/signup"
                                        attr:class="btn-primary mt-6 inline-flex"
                                    >
                                        "Become an artist"
                                    </A>
                                </section>
                            }
                                .into_any()
                        }
                        Err(AppError::Unauthenticated) => {
                            view! {
                                <section class="mx-auto max-w-xl text-center">
                                    <h1 class="text-2xl font-bold text-white">
                                        "Sign in to see your dashboard"
                                    </h1>
                                    <A
                                        href="/signin?next=/dashboard"
                                        attr:class="btn-primary mt-6 inline-flex"
                                    >
                                        "Sign in"
                                    </A>
                                </section>
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
fn DashboardBody(
    d: Dashboard,
    kick_in: ServerAction<SetKickIn>,
    share: ServerAction<RecordShare>,
    billing: ServerAction<BillingPortal>,
) -> impl IntoView {
    let status = d.status.clone();
    let done = d.checklist.iter().filter(|i| i.done).count();
    let total = d.checklist.len();
    let next = d.next_step.map(|step| {
        view! {
            <section class="mt-6 flex flex-col gap-4 rounded-3xl border border-fuchsia-500/40 bg-fuchsia-500/10 p-5 sm:flex-row sm:items-center sm:justify-between">
                <div>
                    <h2 class="font-semibold text-white">"Next: "{step_title(step)}</h2>
                    <p class="text-sm text-zinc-300">{step.message()}</p>
                </div>
                <a href=step.path() class="btn-primary shrink-0">
                    "Continue"
                </a>
            </section>
        }
    });
    let qr_download = format!(
        "data:image/svg+xml;charset=utf-8,{}",
        encode_data(&d.qr_svg)
    );
    let profile_url = d.profile_url.clone();
    let copied = RwSignal::new(false);
    let copy = {
        let url = profile_url.clone();
        move |_| {
            copy_text(&url);
            copied.set(true);
            share.dispatch(RecordShare {});
        }
    };
    let tips_on = status.tips_enabled;
    let first_dollar = view! {
        <section
            aria-labelledby="goal-heading"
            class="rounded-3xl border border-zinc-800 bg-gradient-to-br from-fuchsia-500/15 to-violet-600/10 p-6"
        >
            <h2 id="goal-heading" class="text-lg font-semibold text-white">
                "Goal: your first dollar"
            </h2>
            <p class="mt-1 text-sm text-zinc-300">
                {if status.first_dollar {
                    "Done! Your first fan paid you. Keep the momentum: share your profile again."
                } else if d.next_step.is_none() && status.tips_enabled {
                    "You're ready. Share your link: most first tips come within a day of posting it."
                } else {
                    "Finish the checklist and turn on Kick In; your first tip or sale lands here."
                }}
            </p>
        </section>
    }
    .into_any();
    let header = view! {
        <header class="flex flex-wrap items-end justify-between gap-4">
            <div>
                <p class="text-sm text-zinc-400">"Your dashboard"</p>
                <h1 class="text-3xl font-bold tracking-tight text-white">
                    {status.stage_name.clone()}
                </h1>
            </div>
            <div class="flex flex-wrap gap-2">
                <a href="/dashboard/music" class="btn-secondary">
                    "Music"
                </a>
                <a href="/dashboard/earnings" class="btn-secondary">
                    "Earnings"
                </a>
                <a href=format!("/@{}", status.handle) class="btn-secondary">
                    "View your profile"
                </a>
            </div>
        </header>
    }
    .into_any();
    let checklist = view! {
        <section
            aria-labelledby="checklist-heading"
            class="rounded-3xl border border-zinc-800 bg-zinc-900/60 p-6 lg:col-span-3"
        >
            <div class="flex items-baseline justify-between">
                <h2 id="checklist-heading" class="text-lg font-semibold text-white">
                    "Your first dollar"
                </h2>
                <p class="text-sm text-zinc-400">{format!("{done} of {total} done")}</p>
            </div>
            <div
                class="mt-3 h-2 overflow-hidden rounded-full bg-zinc-800"
                role="progressbar"
                aria-label="Setup progress"
                aria-valuemin="0"
                aria-valuemax=total.to_string()
                aria-valuenow=done.to_string()
            >
                <div
                    class="h-full rounded-full bg-fuchsia-400"
                    style=format!("width: {}%", done * 100 / total.max(1))
                ></div>
            </div>
            <ol class="mt-5 space-y-3">
                {d
                    .checklist
                    .iter()
                    .enumerate()
                    .map(|(i, item)| {
                        let state = if item.done { "Done" } else { "To do" };
                        view! {
                            <li
                                class="flex items-start gap-3"
                                data-step=item.key.clone()
                                data-done=item.done.to_string()
                            >
                                {if item.done {
                                    view! {
                                        <span
                                            class="mt-0.5 grid h-6 w-6 shrink-0 place-items-center rounded-full bg-emerald-500 text-sm font-bold text-zinc-950"
                                            aria-hidden="true"
                                        >
                                            "✓"
                                        </span>
                                    }
                                        .into_any()
                                } else {
                                    view! {
                                        <span
                                            class="mt-0.5 grid h-6 w-6 shrink-0 place-items-center rounded-full border border-zinc-600 text-xs text-zinc-400"
                                            aria-hidden="true"
                                        >
                                            {i + 1}
                                        </span>
                                    }
                                        .into_any()
                                }}
                                <div class="min-w-0 flex-1">
                                    <p class="font-medium text-white">
                                        {item.title.clone()}
                                        <span class="sr-only">{format!(" ({state})")}</span>
                                    </p>
                                    <p class="text-sm text-zinc-400">{item.detail.clone()}</p>
                                </div>
                                {(!item.done)
                                    .then(|| {
                                        view! {
                                            <a href=item.href.clone() class="link shrink-0 text-sm">
                                                "Start"
                                            </a>
                                        }
                                    })}
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
        </section>
    }
    .into_any();
    let kick_in_card = view! {
        <section
            id="kick-in"
            aria-labelledby="kick-in-heading"
            class="rounded-3xl border border-zinc-800 bg-zinc-900/60 p-6"
        >
            <h2 id="kick-in-heading" class="text-lg font-semibold text-white">
                "Kick In tips"
            </h2>
            <p class="mt-1 text-sm text-zinc-300">
                {if tips_on {
                    "On: fans can tip you from your profile."
                } else {
                    "Off: let fans tip you from your profile. Boptone takes no fee."
                }}
            </p>
            <div class="mt-4 space-y-3">
                <FormAlert message=form_error(kick_in.value(), &[]) />
                <button
                    type="button"
                    class=if tips_on { "btn-secondary" } else { "btn-primary" }
                    disabled=move || kick_in.pending().get()
                    on:click=move |_| {
                        kick_in.dispatch(SetKickIn { enabled: !tips_on });
                    }
                >
                    {if tips_on { "Turn off Kick In" } else { "Turn on Kick In" }}
                </button>
            </div>
        </section>
    }
    .into_any();
    let share_card = view! {
        <section
            id="share"
            aria-labelledby="share-heading"
            class="rounded-3xl border border-zinc-800 bg-zinc-900/60 p-6"
        >
            <h2 id="share-heading" class="text-lg font-semibold text-white">
                "Share your profile"
            </h2>
            <div class="mt-4 flex flex-col items-center gap-4 sm:flex-row lg:flex-col xl:flex-row">
                <div
                    class="w-40 shrink-0 overflow-hidden rounded-xl bg-white p-1 [&>svg]:block [&>svg]:h-auto [&>svg]:w-full"
                    role="img"
                    aria-label="QR code for your profile link"
                    inner_html=d.qr_svg.clone()
                ></div>
                <div class="min-w-0 space-y-3">
                    <p class="break-all text-sm text-zinc-200">{profile_url.clone()}</p>
                    <div class="flex flex-wrap gap-2">
                        <button
                            type="button"
                            class="btn-secondary px-3 py-1.5 text-sm"
                            on:click=copy
                        >
                            {move || if copied.get() { "Copied!" } else { "Copy link" }}
                        </button>
                        <a
                            href=qr_download
                            download="boptone-profile-qr.svg"
                            class="btn-secondary px-3 py-1.5 text-sm"
                            on:click=move |_| {
                                share.dispatch(RecordShare {});
                            }
                        >
                            "Download QR"
                        </a>
                    </div>
                </div>
            </div>
        </section>
    }
    .into_any();
    let plan_card = view! {
        <section
            id="plan"
            aria-labelledby="plan-heading"
            class="rounded-3xl border border-zinc-800 bg-zinc-900/60 p-6"
        >
            <h2 id="plan-heading" class="text-lg font-semibold text-white">
                "Your plan"
            </h2>
            <p class="mt-1 text-zinc-200">
                <span class="font-semibold">{d.plan_name.clone()}</span>
                " · "
                {d.plan_price.clone()}
            </p>
            <p class="mt-1 text-sm text-zinc-400">
                "Status: "<span data-testid="plan-status">{d.plan_status.clone()}</span>
                {status
                    .renews_at
                    .map(|t| {
                        let word = if status.cancel_at_period_end {
                            " · ends "
                        } else {
                            " · renews "
                        };
                        view! {
                            {word}
                            <LocalDay ms=t />
                        }
                    })}
            </p>
            <div class="mt-4 space-y-3">
                <FormAlert message=form_error(billing.value(), &[]) />
                <ActionForm action=billing>
                    <button
                        type="submit"
                        class="btn-secondary"
                        disabled=move || billing.pending().get()
                    >
                        "Manage billing"
                    </button>
                </ActionForm>
            </div>
        </section>
    }
    .into_any();
    let quick_start = view! {
        <nav aria-label="Quick start" class="mt-6">
            <h2 class="text-sm font-medium uppercase tracking-wide text-zinc-400">"Quick start"</h2>
            <ul class="mt-3 grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-5">
                {QUICK_STARTS
                    .iter()
                    .map(|(href, title, detail)| {
                        view! {
                            <li>
                                <a
                                    href=*href
                                    class="block h-full rounded-2xl border border-zinc-800 bg-zinc-900/60 p-4 transition hover:border-fuchsia-400 focus-visible:border-fuchsia-400"
                                >
                                    <span class="block font-medium text-white">{*title}</span>
                                    <span class="mt-1 block text-sm text-zinc-400">{*detail}</span>
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </nav>
    }
    .into_any();
    view! {
        {header}
        {next}
        {quick_start}
        <div class="mt-8 grid gap-6 lg:grid-cols-5">
            {checklist}
            <div class="space-y-6 lg:col-span-2">
                {first_dollar} {kick_in_card} {share_card} {plan_card}
            </div>
        </div>
    }
}

/// The dashboard's quick starts: where an artist goes to earn, in a tap.
const QUICK_STARTS: [(&str, &str, &str); 7] = [
    (
        "/dashboard/bops/new",
        "Post a Bop",
        "A short video fans can tip you from.",
    ),
    (
        "/dashboard/music",
        "Release music",
        "Upload tracks and put out a single, EP or album.",
    ),
    (
        "#share",
        "Share your link",
        "Post it or show the QR code at a gig.",
    ),
    (
        "#kick-in",
        "Kick In tips",
        "Let fans tip you, with no Boptone fee.",
    ),
    (
        "/dashboard/earnings",
        "Earnings",
        "Every dollar, and where it came from.",
    ),
    (
        "/dashboard/payouts",
        "Payouts",
        "Get paid now, or on a schedule.",
    ),
    (
        "/artist/setup",
        "Edit your profile",
        "Photo, bio, genres and links.",
    ),
];

fn step_title(step: boptone::onboarding::OnboardingStep) -> &'static str {
    use boptone::onboarding::OnboardingStep;
    match step {
        OnboardingStep::Plan => "choose your plan",
        OnboardingStep::Profile => "set up your profile",
        OnboardingStep::Payouts => "set up payouts",
    }
}

/// Percent-encodes an SVG for a `data:` URL.
fn encode_data(svg: &str) -> String {
    svg.chars()
        .map(|c| match c {
            'A'..='Z'
            | 'a'..='z'
            | '0'..='9'
            | '-'
            | '_'
            | '.'
            | '~'
            | ' '
            | '='
            | ':'
            | '/'
            | ','
            | ';' => c.to_string(),
            other => {
                let mut buf = [0u8; 4];
                other
                    .encode_utf8(&mut buf)
                    .bytes()
                    .map(|b| format!("%{b:02X}"))
                    .collect()
            }
        })
        .collect::<String>()
        .replace(' ', "%20")
}

fn copy_text(text: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(window) = web_sys::window() {
        let _ = window.navigator().clipboard().write_text(text);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = text;
}
