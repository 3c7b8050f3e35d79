use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_query_map};

use crate::{
    api::accounts::verify_email,
    components::ui::{AuthCard, Loading, Notice},
    contexts::session::use_session,
};

/// Confirms an email address from the emailed link (`?token=…`).
#[component]
pub fn VerifyEmailPage() -> impl IntoView {
    let session = use_session();
    let query = use_query_map();
    let result = Resource::new(
        move || query.read().get("token").unwrap_or_default(),
        verify_email,
    );
    // The header and account page show the verified state as soon as it changes.
    Effect::new(move |_| {
        if let Some(Ok(_)) = result.get() {
            session.user.refetch();
        }
    });
    view! {
        <Title text="Confirm your email" />
        <AuthCard title="Confirm your email">
            <Suspense fallback=|| view! { <Loading label="Confirming your email…" /> }>
                {move || Suspend::new(async move {
                    match result.await {
                        Ok(user) => view! {
                            <div class="space-y-5">
                                <Notice>"Thanks, " {user.display_name.clone()} "! " {user.email.clone()} " is confirmed."</Notice>
                                <A href="/feed" attr:class="btn-primary w-full">"Continue to Boptone"</A>
                            </div>
                        }
                            .into_any(),
                        Err(err) => view! {
                            <div class="space-y-5">
                                <div role="alert" class="rounded-xl border border-rose-500/40 bg-rose-500/10 px-4 py-3 text-sm text-rose-200">
                                    {err.field_message("token").map(str::to_owned).unwrap_or_else(|| err.to_string())}
                                </div>
                                <p class="text-sm text-zinc-400">"You can send yourself a new link from your account page."</p>
                                <A href="/me" attr:class="btn-secondary w-full">"Go to my account"</A>
                            </div>
                        }
                            .into_any(),
                    }
                })}
            </Suspense>
        </AuthCard>
    }
}
