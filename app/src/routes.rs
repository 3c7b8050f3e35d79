//! The route table, the HTML shell and the root component.

use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, Meta, MetaTags, Title, provide_meta_context};
use leptos_router::{
    SsrMode,
    components::{ParentRoute, Route, Router, Routes},
    path,
};

use crate::{
    contexts::{live::provide_live, session::provide_session},
    layouts::app_layout::AppLayout,
    pages::{
        accounts::{
            account_page::AccountPage, forgot_password_page::ForgotPasswordPage,
            reset_password_page::ResetPasswordPage, sign_in_page::SignInPage,
            sign_up_page::SignUpPage, verify_email_page::VerifyEmailPage,
        },
        admin::{
            funnel_page::FunnelPage, jobs_page::JobsPage, reconciliation_page::ReconciliationPage,
        },
        artist::{
            dashboard_page::DashboardPage, earnings_page::EarningsPage,
            payout_page::ArtistPayoutPage, payouts_page::PayoutsPage, setup_page::ArtistSetupPage,
            signup_page::ArtistSignupPage, signup_return_page::ArtistSignupReturnPage,
        },
        dev::mailbox_page::MailboxPage,
        feed::feed_page::FeedPage,
        home::landing_page::LandingPage,
        music::{artist_page::ArtistPage, music_page::MusicPage},
        not_found_page::NotFoundPage,
        notifications::notifications_page::NotificationsPage,
        sandbox::{
            billing_page::SandboxBillingPage, checkout_page::SandboxCheckoutPage,
            connect_page::SandboxConnectPage,
        },
        shop::shop_page::ShopPage,
    },
};

/// The Leptos route of public profiles (`/@handle`), in axum's syntax: the server
/// leaves it out of the generated routes and mounts it as `/@{handle}` instead.
pub const PROFILE_ROUTE: &str = "/{profile}";

/// The HTML document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en" class="bg-zinc-950">
            <head>
                <meta charset="utf-8" />
                <meta
                    name="viewport"
                    content="width=device-width, initial-scale=1, viewport-fit=cover"
                />
                <meta name="theme-color" content="#09090b" />
                <link rel="manifest" href="/manifest.webmanifest" />
                <link rel="icon" href="/icons/favicon.svg" type="image/svg+xml" />
                <link rel="apple-touch-icon" href="/icons/apple-touch-icon.png" />
                <HashedStylesheet options=options.clone() id="leptos" />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body class="min-h-dvh bg-zinc-950 text-zinc-100 antialiased">
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_session();
    provide_live();
    Effect::new(|_| after_hydration());

    view! {
        <Title formatter=|title: String| {
            if title.is_empty() { "Boptone".to_owned() } else { format!("{title} · Boptone") }
        } />
        <Meta
            name="description"
            content="Boptone is where independent musicians run their business: post Bops, release music, sell merch and get paid, all from one profile."
        />
        <Router>
            <Routes fallback=NotFoundPage>
                <ParentRoute path=path!("") view=AppLayout>
                    <Route path=path!("") view=LandingPage />
                    <Route path=path!("feed") view=FeedPage />
                    <Route path=path!("music") view=MusicPage />
                    // Async: the artist's name and bio are in <head> for search engines and link previews.
                    <Route path=path!("artists/:handle") view=ArtistPage ssr=SsrMode::Async />
                    <Route path=path!("shop") view=ShopPage />
                    <Route path=path!("me") view=AccountPage />
                    <Route path=path!("notifications") view=NotificationsPage />
                    <Route path=path!("signup") view=SignUpPage />
                    <Route path=path!("signin") view=SignInPage />
                    <Route path=path!("forgot-password") view=ForgotPasswordPage />
                    <Route path=path!("reset-password") view=ResetPasswordPage />
                    <Route path=path!("verify-email") view=VerifyEmailPage />
                    <Route path=path!("dev/mailbox") view=MailboxPage />
                    <Route path=path!("admin/jobs") view=JobsPage />
                    <Route path=path!("admin/funnel") view=FunnelPage />
                    <Route path=path!("admin/reconciliation") view=ReconciliationPage />
                    <Route path=path!("artist/signup") view=ArtistSignupPage />
                    <Route path=path!("artist/signup/return") view=ArtistSignupReturnPage />
                    <Route path=path!("artist/setup") view=ArtistSetupPage />
                    <Route path=path!("artist/payout") view=ArtistPayoutPage />
                    <Route path=path!("dashboard") view=DashboardPage />
                    <Route path=path!("dashboard/earnings") view=EarningsPage />
                    <Route path=path!("dashboard/payouts") view=PayoutsPage />
                    <Route path=path!("sandbox/checkout/:id") view=SandboxCheckoutPage />
                    <Route path=path!("sandbox/connect/:id") view=SandboxConnectPage />
                    <Route path=path!("sandbox/billing/:id") view=SandboxBillingPage />
                    // `/@handle`: last, so every named page wins. The server registers it as
                    // `/@{handle}` only (see `PROFILE_ROUTE`), so root files stay files.
                    <Route path=path!(":profile") view=ArtistPage ssr=SsrMode::Async />
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// Browser-only start-up: mark the document hydrated (tests wait for it) and register
/// the service worker that makes the app installable and shows the offline page.
fn after_hydration() {
    #[cfg(feature = "hydrate")]
    {
        if let Some(root) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let _ = root.set_attribute("data-hydrated", "true");
        }
        if let Some(window) = web_sys::window() {
            let _ = window.navigator().service_worker().register("/sw.js");
        }
    }
}
