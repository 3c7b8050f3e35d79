use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_query_map};

use crate::{
    components::ui::{AuthCard, FormAlert, SubmitButton, TextField, field_error, form_error},
    contexts::session::use_session,
};

/// Create a fan account. Artists start at `/artist/signup` with a plan
/// (`?as=artist` points them there).
#[component]
pub fn SignUpPage() -> impl IntoView {
    let action = use_session().sign_up;
    let value = action.value();
    let query = use_query_map();
    let as_artist = move || query.read().get("as").as_deref() == Some("artist");
    let artist_note = move || {
        let class = if as_artist() {
            "rounded-xl border border-fuchsia-500/40 bg-fuchsia-500/10 px-4 py-3 text-sm text-zinc-200"
        } else {
            "text-sm text-zinc-400"
        };
        view! {
            <p class=class>
                "Are you an artist? "
                <A href="/artist/signup" attr:class="link">"Start your artist business"</A>
                " with a plan instead."
            </p>
        }
    };
    view! {
        <Title text="Create your account" />
        <AuthCard title="Create your account" subtitle="Free for fans: follow artists, tip them, buy their music and merch.">
            <ActionForm action=action attr:class="space-y-5" attr:novalidate="true">
                {artist_note}
                <FormAlert message=form_error(value, &["name", "email", "password", "role"]) />
                <input type="hidden" name="role" value="fan" />
                <TextField name="name" label="Name" autocomplete="name" error=field_error(value, "name") />
                <TextField name="email" label="Email" kind="email" autocomplete="email" error=field_error(value, "email") />
                <TextField
                    name="password"
                    label="Password"
                    kind="password"
                    autocomplete="new-password"
                    hint="At least 8 characters."
                    minlength=8
                    error=field_error(value, "password")
                />
                <SubmitButton label="Create account" pending_label="Creating your account…" pending=action.pending() />
            </ActionForm>
            <p class="mt-6 text-center text-sm text-zinc-400">
                "Already have an account? " <A href="/signin" attr:class="link">"Sign in"</A>
            </p>
        </AuthCard>
    }
}
