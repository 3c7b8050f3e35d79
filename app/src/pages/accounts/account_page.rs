use boptone::accounts::{Role, SessionUser};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_query_map};

use crate::{
    api::{accounts::ResendVerification, mailbox::mailbox_enabled},
    components::ui::{AuthCard, FormAlert, LoadError, Loading, Notice, form_error},
    contexts::session::use_session,
};

/// "Me": the signed-in user's account, or the ways in for a visitor.
#[component]
pub fn AccountPage() -> impl IntoView {
    let session = use_session();
    // Created here, not inside the Suspend below, so server render and hydration agree.
    let mailbox = Resource::new(|| (), |_| mailbox_enabled());
    view! {
        <Title text="Me" />
        <Suspense fallback=|| {
            view! { <Loading label="Loading your account…" /> }
        }>
            {move || Suspend::new(async move {
                match session.user.await {
                    Ok(Some(user)) => view! { <Account user mailbox /> }.into_any(),
                    Ok(None) => {
                        view! {
                            <AuthCard
                                title="Your Boptone"
                                subtitle="Sign in to see your account, or create one in a minute."
                            >
                                <div class="flex flex-col gap-3">
                                    <A href="/signin?next=/me" attr:class="btn-primary">
                                        "Sign in"
                                    </A>
                                    <A href="/signup" attr:class="btn-secondary">
                                        "Create an account"
                                    </A>
                                </div>
                            </AuthCard>
                        }
                            .into_any()
                    }
                    Err(err) => {
                        view! {
                            <div class="px-4 py-8">
                                <LoadError error=err />
                            </div>
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

fn role_label(role: Role) -> &'static str {
    match role {
        Role::Fan => "Fan",
        Role::Artist => "Artist",
        Role::Label => "Label",
        Role::Admin => "Operator",
    }
}

#[component]
fn Account(user: SessionUser, mailbox: Resource<Result<bool, boptone::AppError>>) -> impl IntoView {
    let session = use_session();
    let query = use_query_map();
    let welcome = move || query.read().get("welcome").is_some();
    let resend = ServerAction::<ResendVerification>::new();
    let resent = move || matches!(resend.value().get(), Some(Ok(())));
    let verified = user.email_verified;
    let welcome_text = format!("Welcome to Boptone, {}!", user.display_name);
    view! {
        <div class="mx-auto max-w-2xl space-y-6 px-4 py-8 sm:px-8">
            {move || {
                let text = welcome_text.clone();
                welcome().then(|| view! { <Notice>{text}</Notice> })
            }} <section class="flex items-center gap-4">
                <span
                    class="grid h-16 w-16 place-items-center rounded-full bg-fuchsia-500/20 text-2xl font-bold text-fuchsia-200"
                    aria-hidden="true"
                >
                    {user
                        .display_name
                        .chars()
                        .next()
                        .map(|c| c.to_uppercase().to_string())
                        .unwrap_or_default()}
                </span>
                <div class="min-w-0">
                    <h1 class="truncate text-2xl font-bold text-white">
                        {user.display_name.clone()}
                    </h1>
                    <p class="text-zinc-400">
                        "@"{user.handle.clone()} " · " {role_label(user.role)}
                    </p>
                </div>
            </section>
            <section
                aria-labelledby="email-heading"
                class="rounded-2xl border border-zinc-800 bg-zinc-900/60 p-5"
            >
                <h2
                    id="email-heading"
                    class="text-sm font-semibold uppercase tracking-wider text-zinc-400"
                >
                    "Email"
                </h2>
                <p class="mt-2 flex flex-wrap items-center gap-2 text-white">
                    {user.email.clone()}
                    {if verified {
                        view! {
                            <span class="rounded-full bg-emerald-500/15 px-2.5 py-0.5 text-xs font-medium text-emerald-300">
                                "Verified"
                            </span>
                        }
                            .into_any()
                    } else {
                        view! {
                            <span class="rounded-full bg-amber-500/15 px-2.5 py-0.5 text-xs font-medium text-amber-300">
                                "Not verified"
                            </span>
                        }
                            .into_any()
                    }}
                </p>
                <Show when=move || !verified>
                    <p class="mt-3 text-sm text-zinc-300">
                        "Check your inbox for a link to confirm your email address."
                    </p>
                    <Suspense fallback=|| ()>
                        {move || Suspend::new(async move {
                            matches!(mailbox.await, Ok(true))
                                .then(|| {
                                    view! {
                                        <p class="mt-1 text-sm text-zinc-400">
                                            "This server keeps email in its "
                                            <a href="/dev/mailbox" class="link">
                                                "mailbox"
                                            </a>"."
                                        </p>
                                    }
                                })
                        })}
                    </Suspense>
                    <div class="mt-4 space-y-3">
                        <FormAlert message=form_error(resend.value(), &[]) />
                        <Show when=resent>
                            <Notice>"A new link is on its way."</Notice>
                        </Show>
                        <ActionForm action=resend>
                            <button
                                type="submit"
                                class="btn-secondary"
                                disabled=move || resend.pending().get()
                            >
                                "Send a new link"
                            </button>
                        </ActionForm>
                    </div>
                </Show>
            </section> <Following />
            {(user.role == Role::Admin)
                .then(|| {
                    view! {
                        <section
                            aria-labelledby="operator-heading"
                            class="rounded-2xl border border-zinc-800 bg-zinc-900/60 p-5"
                        >
                            <h2
                                id="operator-heading"
                                class="text-sm font-semibold uppercase tracking-wider text-zinc-400"
                            >
                                "Operator"
                            </h2>
                            <div class="mt-2 flex flex-wrap gap-4">
                                <a href="/admin/jobs" class="link">
                                    "Background jobs"
                                </a>
                                <a href="/admin/funnel" class="link">
                                    "Activation funnel"
                                </a>
                                <a href="/admin/reconciliation" class="link">
                                    "Reconciliation"
                                </a>
                                <a href="/admin/reports" class="link">
                                    "Reports"
                                </a>
                            </div>
                        </section>
                    }
                })}
            <section
                aria-labelledby="artist-heading"
                class="rounded-2xl border border-zinc-800 bg-zinc-900/60 p-5"
            >
                <h2
                    id="artist-heading"
                    class="text-sm font-semibold uppercase tracking-wider text-zinc-400"
                >
                    "Artist"
                </h2>
                {if matches!(user.role, Role::Artist | Role::Label) {
                    view! {
                        <a href="/dashboard" class="btn-primary mt-3 inline-flex">
                            "Open your dashboard"
                        </a>
                    }
                        .into_any()
                } else {
                    view! {
                        <p class="mt-2 text-sm text-zinc-300">
                            "Make music? Sell it, get tipped and get paid on Boptone."
                        </p>
                        <a href="/artist/signup" class="link mt-2 inline-block">
                            "Start as an artist"
                        </a>
                    }
                        .into_any()
                }}
            </section> <ActionForm action=session.sign_out>
                <button type="submit" class="btn-secondary w-full sm:w-auto">
                    "Sign out"
                </button>
            </ActionForm>
        </div>
    }
}

/// The artists this person follows (SPEC FAN-1), with a way to find more.
#[component]
fn Following() -> impl IntoView {
    let following = Resource::new(|| (), |_| crate::api::fans::load_following());
    view! {
        <section
            aria-labelledby="following-heading"
            class="rounded-2xl border border-zinc-800 bg-zinc-900/60 p-5"
        >
            <h2
                id="following-heading"
                class="text-sm font-semibold uppercase tracking-wider text-zinc-400"
            >
                "Following"
            </h2>
            <Suspense fallback=|| {
                view! { <Loading label="Loading who you follow…" /> }
            }>
                {move || Suspend::new(async move {
                    match following.await {
                        Ok(list) if list.is_empty() => {
                            view! {
                                <p class="mt-2 text-sm text-zinc-300">
                                    "You don't follow anyone yet. Follow artists from the "
                                    <a href="/feed" class="link">
                                        "feed"
                                    </a> " or their profiles to see their new Bops first."
                                </p>
                            }
                                .into_any()
                        }
                        Ok(list) => {
                            view! {
                                <ul class="mt-3 space-y-2" aria-label="Artists you follow">
                                    {list
                                        .into_iter()
                                        .map(|artist| {
                                            let initial = artist
                                                .name
                                                .chars()
                                                .next()
                                                .map(|c| c.to_uppercase().to_string())
                                                .unwrap_or_default();
                                            view! {
                                                <li>
                                                    <a
                                                        href=format!("/@{}", artist.handle)
                                                        class="flex items-center gap-3 rounded-xl px-2 py-1.5 hover:bg-zinc-800"
                                                    >
                                                        {match artist.photo_url {
                                                            Some(url) => {
                                                                view! {
                                                                    <img
                                                                        src=url
                                                                        alt=""
                                                                        class="h-9 w-9 rounded-full object-cover"
                                                                    />
                                                                }
                                                                    .into_any()
                                                            }
                                                            None => {
                                                                view! {
                                                                    <span
                                                                        class="grid h-9 w-9 place-items-center rounded-full bg-fuchsia-500/20 text-sm font-semibold text-fuchsia-200"
                                                                        aria-hidden="true"
                                                                    >
                                                                        {initial}
                                                                    </span>
                                                                }
                                                                    .into_any()
                                                            }
                                                        }}
                                                        <span class="font-medium text-white">{artist.name}</span>
                                                        <span class="text-sm text-zinc-400">
                                                            "@"{artist.handle.clone()}
                                                        </span>
                                                    </a>
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                            }
                                .into_any()
                        }
                        Err(err) => view! { <LoadError error=err /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
