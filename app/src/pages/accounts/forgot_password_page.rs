use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::{
    api::{accounts::RequestPasswordReset, mailbox::mailbox_enabled},
    components::ui::{
        AuthCard, FormAlert, Notice, SubmitButton, TextField, field_error, form_error,
    },
};

/// Ask for a password reset link by email.
#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let action = ServerAction::<RequestPasswordReset>::new();
    let value = action.value();
    let sent = move || matches!(value.get(), Some(Ok(())));
    let mailbox = Resource::new(|| (), |_| mailbox_enabled());
    view! {
        <Title text="Reset your password" />
        <AuthCard
            title="Reset your password"
            subtitle="We'll email you a link to choose a new one."
        >
            <Show
                when=sent
                fallback=move || {
                    view! {
                        <ActionForm action=action attr:class="space-y-5" attr:novalidate="true">
                            <FormAlert message=form_error(value, &["email"]) />
                            <TextField
                                name="email"
                                label="Email"
                                kind="email"
                                autocomplete="email"
                                error=field_error(value, "email")
                            />
                            <SubmitButton
                                label="Send reset link"
                                pending_label="Sending…"
                                pending=action.pending()
                            />
                        </ActionForm>
                    }
                }
            >
                <Notice>
                    "If an account uses that email, a reset link is on its way. It works once, for one hour."
                </Notice>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        matches!(mailbox.await, Ok(true))
                            .then(|| {
                                view! {
                                    <p class="mt-4 text-sm text-zinc-400">
                                        "This server keeps email in its "
                                        <a href="/dev/mailbox" class="link">
                                            "mailbox"
                                        </a>"."
                                    </p>
                                }
                            })
                    })}
                </Suspense>
            </Show>
            <p class="mt-6 text-center text-sm text-zinc-400">
                "Remembered it? " <A href="/signin" attr:class="link">
                    "Sign in"
                </A>
            </p>
        </AuthCard>
    }
}
