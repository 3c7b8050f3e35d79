use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_query_map};

use crate::{
    components::ui::{
        AuthCard, FormAlert, Notice, SubmitButton, TextField, field_error, form_error,
    },
    contexts::session::use_session,
};

/// Sign in with email and password. `?next=/path` returns there afterwards.
#[component]
pub fn SignInPage() -> impl IntoView {
    let action = use_session().sign_in;
    let value = action.value();
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    let was_reset = move || query.read().get("reset").as_deref() == Some("done");
    view! {
        <Title text="Sign in" />
        <AuthCard title="Welcome back" subtitle="Sign in to your Boptone account.">
            <div class="space-y-5">
                <Show when=was_reset>
                    <Notice>"Your password was changed. Sign in with your new password."</Notice>
                </Show>
                <ActionForm action=action attr:class="space-y-5" attr:novalidate="true">
                    <FormAlert message=form_error(value, &["email", "password"]) />
                    <input type="hidden" name="next" value=next />
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
                        autocomplete="current-password"
                        error=field_error(value, "password")
                    />
                    <div class="flex justify-end">
                        <A href="/forgot-password" attr:class="link text-sm">
                            "Forgot your password?"
                        </A>
                    </div>
                    <SubmitButton
                        label="Sign in"
                        pending_label="Signing in…"
                        pending=action.pending()
                    />
                </ActionForm>
            </div>
            <p class="mt-6 text-center text-sm text-zinc-400">
                "New to Boptone? " <A href="/signup" attr:class="link">
                    "Create an account"
                </A>
            </p>
        </AuthCard>
    }
}
