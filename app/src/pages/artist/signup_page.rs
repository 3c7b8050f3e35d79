use boptone::{
    money::format_price,
    payments::{PLANS, Tier},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_query_map};

use crate::{
    api::onboarding::{
        AbandonArtistSignup, ResumeArtistSignup, SignupContext, StartArtistSignup,
        load_signup_context,
    },
    components::{
        gate::go,
        ui::{
            FormAlert, LoadError, Loading, Notice, SubmitButton, TextField, field_error, form_error,
        },
    },
};

/// `/artist/signup`: pick a plan, then pay for it. The account and the artist profile
/// are made once the checkout completes (SPEC ONB-2).
#[component]
pub fn ArtistSignupPage() -> impl IntoView {
    let context = Resource::new(|| (), |_| load_signup_context());
    let start = ServerAction::<StartArtistSignup>::new();
    let resume = ServerAction::<ResumeArtistSignup>::new();
    let abandon = ServerAction::<AbandonArtistSignup>::new();
    // A hydrated page leaves for the checkout itself (it may be another site).
    Effect::new(move |_| {
        if let Some(Ok(url)) = start.value().get() {
            go(&url);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(url)) = resume.value().get() {
            go(&url);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = abandon.value().get() {
            context.refetch();
        }
    });
    let query = use_query_map();
    let canceled = move || query.read().get("canceled").is_some();
    let from_gate = move || query.read().get("from").as_deref() == Some("gate");

    view! {
        <Title text="Start your artist business" />
        <div class="mx-auto max-w-5xl px-4 py-10 sm:px-8">
            <header class="max-w-2xl">
                <p class="text-sm font-semibold uppercase tracking-wider text-fuchsia-300">
                    "For artists"
                </p>
                <h1 class="mt-2 text-3xl font-bold tracking-tight text-white sm:text-4xl">
                    "Run your music business from one place"
                </h1>
                <p class="mt-3 text-zinc-300">
                    "Pick a plan, set up your profile and payouts, and fans can start paying you today. Cancel any time."
                </p>
            </header>
            <Show when=canceled>
                <div class="mt-6">
                    <Notice>
                        "Checkout canceled. Nothing was charged; choose a plan when you're ready."
                    </Notice>
                </div>
            </Show>
            <Show when=from_gate>
                <div class="mt-6">
                    <Notice>"Choose a plan to start earning on Boptone."</Notice>
                </div>
            </Show>
            <Suspense fallback=|| {
                view! { <Loading label="Loading plans…" /> }
            }>
                {move || Suspend::new(async move {
                    match context.await {
                        Ok(ctx) => view! { <SignupBody ctx start resume abandon /> }.into_any(),
                        Err(err) => {
                            view! {
                                <div class="mt-8">
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
fn SignupBody(
    ctx: SignupContext,
    start: ServerAction<StartArtistSignup>,
    resume: ServerAction<ResumeArtistSignup>,
    abandon: ServerAction<AbandonArtistSignup>,
) -> impl IntoView {
    let query = use_query_map();
    let initial = query
        .read_untracked()
        .get("plan")
        .and_then(|p| Tier::parse(&p).ok())
        .unwrap_or(Tier::Pro);
    let value = start.value();
    if ctx.has_plan {
        return view! {
            <section class="mt-8 max-w-xl rounded-3xl border border-zinc-800 bg-zinc-900/60 p-6">
                <h2 class="text-xl font-semibold text-white">"You already have a plan"</h2>
                <p class="mt-2 text-zinc-300">
                    "Your dashboard shows your plan and what to do next."
                </p>
                <A href="/dashboard" attr:class="btn-primary mt-5 inline-flex">
                    "Go to your dashboard"
                </A>
            </section>
        }
        .into_any();
    }
    let pending = ctx.pending.clone().map(|p| {
        let plan = p.tier.plan().name;
        view! {
            <section
                aria-labelledby="pending-heading"
                class="mt-8 rounded-3xl border border-fuchsia-500/40 bg-fuchsia-500/10 p-6"
            >
                <h2 id="pending-heading" class="text-lg font-semibold text-white">
                    "Finish your "
                    {plan}
                    " checkout"
                </h2>
                <p class="mt-1 text-sm text-zinc-300">
                    "You started signing up as "{p.email.clone()}". Nothing has been charged yet."
                </p>
                <FormAlert message=form_error(resume.value(), &[]) />
                <div class="mt-4 flex flex-wrap gap-3">
                    <ActionForm action=resume>
                        <button
                            type="submit"
                            class="btn-primary"
                            disabled=move || resume.pending().get()
                        >
                            "Continue to checkout"
                        </button>
                    </ActionForm>
                    <ActionForm action=abandon>
                        <button type="submit" class="btn-secondary">
                            "Start over"
                        </button>
                    </ActionForm>
                </div>
            </section>
        }
    });
    let signed_in = ctx.signed_in_as.clone();
    view! {
        {pending}
        <ActionForm action=start attr:class="mt-8 space-y-8" attr:novalidate="true">
            <fieldset>
                <legend class="text-lg font-semibold text-white">"1. Choose your plan"</legend>
                <div class="mt-4 grid gap-4 md:grid-cols-3">
                    {PLANS
                        .iter()
                        .map(|plan| {
                            let id = format!("plan-{}", plan.tier.as_str());
                            let label_for = id.clone();
                            view! {
                                <label class="plan-card" for=label_for>
                                    <input
                                        type="radio"
                                        id=id
                                        name="tier"
                                        value=plan.tier.as_str()
                                        checked=plan.tier == initial
                                        class="peer sr-only"
                                    />
                                    <span class="plan-card-body">
                                        <span class="flex items-baseline justify-between gap-2">
                                            <span class="text-lg font-semibold text-white">
                                                {plan.name}
                                            </span>
                                            <span class="text-white">
                                                <span class="text-2xl font-bold">
                                                    {format_price(plan.monthly_cents, plan.currency)}
                                                </span>
                                                <span class="text-sm text-zinc-400">"/month"</span>
                                            </span>
                                        </span>
                                        <span class="mt-1 block text-sm text-zinc-400">
                                            {plan.tagline}
                                        </span>
                                        <ul class="mt-4 space-y-2 text-sm text-zinc-200">
                                            {plan
                                                .features
                                                .iter()
                                                .map(|f| {
                                                    view! {
                                                        <li class="flex gap-2">
                                                            <span aria-hidden="true" class="text-fuchsia-300">
                                                                "✓"
                                                            </span>
                                                            {*f}
                                                        </li>
                                                    }
                                                })
                                                .collect_view()}
                                        </ul>
                                    </span>
                                </label>
                            }
                        })
                        .collect_view()}
                </div>
                {move || {
                    field_error(value, "tier")
                        .get()
                        .map(|m| {
                            view! {
                                <p class="mt-2 text-sm text-rose-300" role="alert">
                                    {m}
                                </p>
                            }
                        })
                }}
            </fieldset>

            <fieldset class="max-w-md space-y-5">
                <legend class="text-lg font-semibold text-white">"2. Your account"</legend>
                {match signed_in {
                    Some((name, email)) => {
                        view! {
                            <p class="text-sm text-zinc-300">
                                "You're signed in as "<strong class="text-white">{name}</strong>" ("
                                {email}"). Your artist profile joins this account."
                            </p>
                        }
                            .into_any()
                    }
                    None => {
                        view! {
                            <div class="space-y-5">
                                <TextField
                                    name="name"
                                    label="Artist or band name"
                                    autocomplete="organization"
                                    error=field_error(value, "name")
                                />
                                <TextField
                                    name="email"
                                    label="Email"
                                    kind="email"
                                    autocomplete="email"
                                    error=field_error(value, "email")
                                />
                                <TextField
                                    name="password"
                                    label="Password"
                                    kind="password"
                                    autocomplete="new-password"
                                    hint="At least 8 characters."
                                    minlength=8
                                    error=field_error(value, "password")
                                />
                                <p class="text-sm text-zinc-400">
                                    "Already on Boptone? "
                                    <A href="/signin?next=/artist/signup" attr:class="link">
                                        "Sign in"
                                    </A>" first."
                                </p>
                            </div>
                        }
                            .into_any()
                    }
                }}
                <FormAlert message=form_error(value, &["tier", "name", "email", "password"]) />
                <SubmitButton
                    label="Continue to payment"
                    pending_label="Opening checkout…"
                    pending=start.pending()
                />
                <p class="text-xs text-zinc-400">
                    "You pay on a secure checkout page. Your plan renews monthly until you cancel."
                </p>
            </fieldset>
        </ActionForm>
    }
    .into_any()
}
