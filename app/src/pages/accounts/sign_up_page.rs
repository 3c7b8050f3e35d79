use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_query_map};

use crate::{
    components::ui::{AuthCard, FormAlert, SubmitButton, TextField, field_error, form_error},
    contexts::session::use_session,
};

/// Create an account, as a fan or as an artist (`?as=artist` preselects artist).
#[component]
pub fn SignUpPage() -> impl IntoView {
    let action = use_session().sign_up;
    let value = action.value();
    let query = use_query_map();
    let as_artist = move || query.read().get("as").as_deref() == Some("artist");
    view! {
        <Title text="Create your account" />
        <AuthCard title="Create your account" subtitle="Free for fans. Artists set up their business next.">
            <ActionForm action=action attr:class="space-y-5" attr:novalidate="true">
                <FormAlert message=form_error(value, &["name", "email", "password", "role"]) />
                <fieldset class="space-y-2">
                    <legend class="text-sm font-medium text-zinc-200">"I'm joining as"</legend>
                    <div class="grid grid-cols-2 gap-3">
                        <label class="choice">
                            <input type="radio" name="role" value="fan" checked=move || !as_artist() class="sr-only peer" />
                            <span class="choice-body">"A fan"</span>
                        </label>
                        <label class="choice">
                            <input type="radio" name="role" value="artist" checked=as_artist class="sr-only peer" />
                            <span class="choice-body">"An artist"</span>
                        </label>
                    </div>
                    {move || field_error(value, "role").get().map(|m| view! { <p class="text-sm text-rose-300" role="alert">{m}</p> })}
                </fieldset>
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
