use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_query_map};

use crate::{
    api::accounts::VerifyEmail,
    components::ui::{AuthCard, FormAlert, Notice, SubmitButton, form_error},
    contexts::session::use_session,
};

/// The emailed link (`?token=…`) lands here. Opening it changes nothing: the person
/// confirms with the button (link scanners and prefetchers only load the page).
#[component]
pub fn VerifyEmailPage() -> impl IntoView {
    let session = use_session();
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let action = ServerAction::<VerifyEmail>::new();
    let value = action.value();
    // The header and account page follow as soon as the browser is signed in.
    Effect::new(move |_| {
        if let Some(Ok(_)) = value.get() {
            session.user.refetch();
        }
    });
    view! {
        <Title text="Confirm your email" />
        <AuthCard title="Confirm your email">
            {move || match value.get() {
                Some(Ok(done)) => {
                    let next = if done.signed_in { "/me?welcome=1" } else { "/feed" };
                    view! {
                        <div class="space-y-5">
                            <Notice>
                                "Thanks, " {done.user.display_name.clone()} "! "
                                {done.user.email.clone()} " is confirmed."
                            </Notice>
                            <A href=next attr:class="btn-primary w-full">
                                "Continue to Boptone"
                            </A>
                        </div>
                    }
                        .into_any()
                }
                _ => {
                    view! {
                        <ActionForm action=action attr:class="space-y-5">
                            <p class="text-sm text-zinc-300">
                                "Confirm that this email address is yours to finish setting up your account."
                            </p>
                            <FormAlert message=form_error(value, &["token"]) />
                            {move || {
                                value
                                    .get()
                                    .and_then(|r| r.err())
                                    .and_then(|e| e.field_message("token").map(str::to_owned))
                                    .map(|m| {
                                        view! {
                                            <div class="space-y-3">
                                                <div
                                                    role="alert"
                                                    class="rounded-xl border border-rose-500/40 bg-rose-500/10 px-4 py-3 text-sm text-rose-200"
                                                >
                                                    {m}
                                                </div>
                                                <p class="text-sm text-zinc-400">
                                                    "You can send yourself a new link from your "
                                                    <A href="/me" attr:class="link">
                                                        "account page"
                                                    </A> "."
                                                </p>
                                            </div>
                                        }
                                    })
                            }}
                            <input type="hidden" name="token" value=token />
                            <SubmitButton
                                label="Confirm my email"
                                pending_label="Confirming…"
                                pending=action.pending()
                            />
                        </ActionForm>
                    }
                        .into_any()
                }
            }}
        </AuthCard>
    }
}
