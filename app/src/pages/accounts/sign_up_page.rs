use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_query_map};

use crate::{
    api::accounts::SignUp,
    components::ui::{AuthCard, FormAlert, SubmitButton, TextField, field_error, form_error},
};

/// Create a fan account. Artists start at `/artist/signup` with a plan
/// (`?as=artist` points them there). The form answers "check your inbox" whether or
/// not the address already has an account: the emailed link finishes the sign-up.
#[component]
pub fn SignUpPage() -> impl IntoView {
    // This page's own action: coming back to the page later shows the form again.
    let action = ServerAction::<SignUp>::new();
    let value = action.value();
    let query = use_query_map();
    let as_artist = move || query.read().get("as").as_deref() == Some("artist");
    // `?sent=1` is where a plain form post (before the app loads) lands.
    let sent_to = move || match value.get() {
        Some(Ok(sent)) => Some(Some(sent.email)),
        _ if query.read().get("sent").is_some() => Some(None),
        _ => None,
    };
    let artist_note = move || {
        let class = if as_artist() {
            "rounded-xl border border-fuchsia-500/40 bg-fuchsia-500/10 px-4 py-3 text-sm text-zinc-200"
        } else {
            "text-sm text-zinc-400"
        };
        view! {
            <p class=class>
                "Are you an artist? " <A href="/artist/signup" attr:class="link">
                    "Start your artist business"
                </A> " with a plan instead."
            </p>
        }
    };
    let form = move || {
        view! {
            <ActionForm action=action attr:class="space-y-5" attr:novalidate="true">
                {artist_note}
                <FormAlert message=form_error(value, &["name", "email", "password", "role"]) />
                <input type="hidden" name="role" value="fan" />
                <TextField
                    name="name"
                    label="Name"
                    autocomplete="name"
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
                <SubmitButton
                    label="Create account"
                    pending_label="Creating your account…"
                    pending=action.pending()
                />
            </ActionForm>
        }
    };
    view! {
        <Title text="Create your account" />
        <AuthCard
            title="Create your account"
            subtitle="Free for fans: follow artists, tip them, buy their music and merch."
        >
            {move || match sent_to() {
                Some(email) => view! { <CheckInbox email /> }.into_any(),
                None => form().into_any(),
            }}
            <p class="mt-6 text-center text-sm text-zinc-400">
                "Already have an account? " <A href="/signin" attr:class="link">
                    "Sign in"
                </A>
            </p>
        </AuthCard>
    }
}

/// What a sign-up answers, whoever owns the address.
#[component]
fn CheckInbox(email: Option<String>) -> impl IntoView {
    let to = email.unwrap_or_else(|| "your email address".to_owned());
    view! {
        <section aria-labelledby="check-inbox" class="space-y-4">
            <h2 id="check-inbox" class="text-lg font-semibold text-white">
                "Check your inbox"
            </h2>
            <p role="status" class="text-sm text-zinc-300">
                "We sent a link to "
                <strong class="text-white">{to}</strong>
                ". Open it to confirm your address and finish creating your account."
            </p>
            <p class="text-sm text-zinc-400">
                "Nothing after a few minutes? Look in your spam folder. If you already have an account, the email says how to sign in."
            </p>
            <p class="text-sm text-zinc-400">
                "You can also " <A href="/signin" attr:class="link">
                    "sign in"
                </A> " with your new password now and confirm your address later."
            </p>
        </section>
    }
}
