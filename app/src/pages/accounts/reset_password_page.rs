use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_query_map};

use crate::{
    api::accounts::ResetPassword,
    components::ui::{AuthCard, FormAlert, SubmitButton, TextField, field_error, form_error},
};

/// Choose a new password from an emailed link (`?token=…`).
#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let action = ServerAction::<ResetPassword>::new();
    let value = action.value();
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let token_error = field_error(value, "token");
    view! {
        <Title text="Choose a new password" />
        <AuthCard
            title="Choose a new password"
            subtitle="You'll sign in with it from now on, on every device."
        >
            <ActionForm action=action attr:class="space-y-5" attr:novalidate="true">
                <FormAlert message=form_error(value, &["password", "token"]) />
                {move || {
                    token_error
                        .get()
                        .map(|m| {
                            view! {
                                <div
                                    role="alert"
                                    class="rounded-xl border border-rose-500/40 bg-rose-500/10 px-4 py-3 text-sm text-rose-200"
                                >
                                    {m}
                                    " "
                                    <A href="/forgot-password" attr:class="link">
                                        "Send a new link"
                                    </A>
                                </div>
                            }
                        })
                }}
                <input type="hidden" name="token" value=token />
                <TextField
                    name="password"
                    label="New password"
                    kind="password"
                    autocomplete="new-password"
                    hint="At least 8 characters."
                    minlength=8
                    error=field_error(value, "password")
                />
                <SubmitButton
                    label="Save new password"
                    pending_label="Saving…"
                    pending=action.pending()
                />
            </ActionForm>
        </AuthCard>
    }
}
