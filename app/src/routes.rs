//! The route table, the HTML shell and the root component.

use leptos::{lazy, prelude::*};
use leptos_meta::{HashedStylesheet, Meta, MetaTags, Title, provide_meta_context};
use leptos_router::{
    Lazy, LazyRoute, SsrMode,
    components::{ParentRoute, Route, Router, Routes},
    path,
};

use crate::{
    components::player_bar::PlayerBar,
    contexts::{live::provide_live, player::provide_player, session::provide_session},
    layouts::app_layout::AppLayout,
    pages::{
        accounts::{
            account_page::AccountPage, forgot_password_page::ForgotPasswordPage,
            reset_password_page::ResetPasswordPage, sign_in_page::SignInPage,
            sign_up_page::SignUpPage, verify_email_page::VerifyEmailPage,
        },
        admin::{
            funnel_page::FunnelPage, jobs_page::JobsPage, reconciliation_page::ReconciliationPage,
            reports_page::ReportsPage,
        },
        artist::{
            bops_page::{BopsPage, NewBopPage},
            dashboard_page::DashboardPage,
            earnings_page::EarningsPage,
            music_page::{EditReleasePage, MusicDashboardPage, NewReleasePage},
            payout_page::ArtistPayoutPage,
            payouts_page::PayoutsPage,
            setup_page::ArtistSetupPage,
            signup_page::ArtistSignupPage,
            signup_return_page::ArtistSignupReturnPage,
        },
        dev::mailbox_page::MailboxPage,
        feed::feed_page::{BopPage, FeedPage},
        home::landing_page::LandingPage,
        music::{artist_page::ArtistPage, music_page::MusicPage, release_page::ReleasePage},
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
    provide_player();
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
                    <Route path=path!("") view={Lazy::<LandingRoute>::new()} />
                    // Async: the first Bop's <video> is in the document as it is parsed (not
                    // in a streamed template moved by a script later), so it starts at once.
                    <Route path=path!("feed") view={Lazy::<FeedRoute>::new()} ssr=SsrMode::Async />
                    // Async: a shared Bop's Open Graph tags are in <head> for link previews.
                    <Route
                        path=path!("bops/:id")
                        view={Lazy::<BopRoute>::new()}
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("music") view={Lazy::<MusicRoute>::new()} />
                    // Async: the artist's name and bio are in <head> for search engines and link previews.
                    <Route
                        path=path!("artists/:handle")
                        view={Lazy::<ArtistRoute>::new()}
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("shop") view={Lazy::<ShopRoute>::new()} />
                    <Route path=path!("me") view={Lazy::<AccountRoute>::new()} />
                    <Route path=path!("notifications") view={Lazy::<NotificationsRoute>::new()} />
                    <Route path=path!("signup") view={Lazy::<SignUpRoute>::new()} />
                    <Route path=path!("signin") view={Lazy::<SignInRoute>::new()} />
                    <Route
                        path=path!("forgot-password")
                        view={Lazy::<ForgotPasswordRoute>::new()}
                    />
                    <Route path=path!("reset-password") view={Lazy::<ResetPasswordRoute>::new()} />
                    <Route path=path!("verify-email") view={Lazy::<VerifyEmailRoute>::new()} />
                    <Route path=path!("dev/mailbox") view={Lazy::<MailboxRoute>::new()} />
                    <Route path=path!("admin/jobs") view={Lazy::<JobsRoute>::new()} />
                    <Route path=path!("admin/funnel") view={Lazy::<FunnelRoute>::new()} />
                    <Route path=path!("admin/reports") view={Lazy::<ReportsRoute>::new()} />
                    <Route
                        path=path!("admin/reconciliation")
                        view={Lazy::<ReconciliationRoute>::new()}
                    />
                    <Route path=path!("artist/signup") view={Lazy::<ArtistSignupRoute>::new()} />
                    <Route
                        path=path!("artist/signup/return")
                        view={Lazy::<ArtistSignupReturnRoute>::new()}
                    />
                    <Route path=path!("artist/setup") view={Lazy::<ArtistSetupRoute>::new()} />
                    <Route path=path!("artist/payout") view={Lazy::<ArtistPayoutRoute>::new()} />
                    <Route path=path!("dashboard") view={Lazy::<DashboardRoute>::new()} />
                    <Route path=path!("dashboard/earnings") view={Lazy::<EarningsRoute>::new()} />
                    <Route path=path!("dashboard/payouts") view={Lazy::<PayoutsRoute>::new()} />
                    <Route path=path!("dashboard/bops") view={Lazy::<BopsRoute>::new()} />
                    <Route path=path!("dashboard/bops/new") view={Lazy::<NewBopRoute>::new()} />
                    <Route
                        path=path!("dashboard/music")
                        view={Lazy::<MusicDashboardRoute>::new()}
                    />
                    <Route
                        path=path!("dashboard/music/releases/new")
                        view={Lazy::<NewReleaseRoute>::new()}
                    />
                    <Route
                        path=path!("dashboard/music/releases/:id")
                        view={Lazy::<EditReleaseRoute>::new()}
                    />
                    <Route
                        path=path!("sandbox/checkout/:id")
                        view={Lazy::<SandboxCheckoutRoute>::new()}
                    />
                    <Route
                        path=path!("sandbox/connect/:id")
                        view={Lazy::<SandboxConnectRoute>::new()}
                    />
                    <Route
                        path=path!("sandbox/billing/:id")
                        view={Lazy::<SandboxBillingRoute>::new()}
                    />
                    // Async: a release's Open Graph tags and JSON-LD are in <head>.
                    <Route
                        path=path!(":profile/releases/:slug")
                        view={Lazy::<ReleaseRoute>::new()}
                        ssr=SsrMode::Async
                    />
                    // `/@handle`: last, so every named page wins. The server registers it as
                    // `/@{handle}` only (see `PROFILE_ROUTE`), so root files stay files.
                    <Route
                        path=path!(":profile")
                        view={Lazy::<ArtistRoute>::new()}
                        ssr=SsrMode::Async
                    />
                </ParentRoute>
            </Routes>
            // Above the routes: moving between pages never stops the music.
            <PlayerBar />
        </Router>
    }
}

/// The pages, in groups whose code the browser fetches together, the first time one of
/// the group's pages is shown (`cargo leptos build --split` puts each group in its own
/// WebAssembly file; the server names the current page's files in `<head>` so they
/// load alongside the shared one). A page a new visitor lands on (the start page, the
/// feed) is a group of its own, so it brings no one else's code; pages used together
/// share a group, so moving between them fetches nothing.
///
/// `Group in load_fn / preload_fn { Route => Page, … }` makes the group's lazy loader
/// (`load_fn`, with `preload_fn` made by `#[lazy]`) and one route type per page.
macro_rules! page_groups {
    ($(
        $(#[$doc:meta])*
        $group:ident in $load:ident / $preload:ident {
            $($route:ident => $page:ident),+ $(,)?
        }
    )+) => {$(
        $(#[$doc])*
        // Named after the route types, which all end in `Route`.
        #[allow(clippy::enum_variant_names)]
        #[derive(Clone, Copy)]
        enum $group {
            $($route),+
        }

        #[lazy]
        fn $load(page: $group) -> AnyView {
            match page {
                $($group::$route => view! { <$page /> }.into_any(),)+
            }
        }

        $(
            struct $route;

            impl LazyRoute for $route {
                fn data() -> Self {
                    $route
                }

                async fn view(_: Self) -> AnyView {
                    $load($group::$route).await
                }

                async fn preload() {
                    #[cfg(target_arch = "wasm32")]
                    $preload().await;
                }
            }
        )+
    )+};
}

page_groups! {
    /// Where most visitors arrive.
    HomePages in home_pages / __preload_home_pages {
        LandingRoute => LandingPage,
    }
    /// The feed, the fan's home once signed in, and a shared Bop.
    FeedPages in feed_pages / __preload_feed_pages {
        FeedRoute => FeedPage,
        BopRoute => BopPage,
    }
    /// What a fan browses: music, profiles, the shop, their account and notifications.
    FanPages in fan_pages / __preload_fan_pages {
        MusicRoute => MusicPage,
        ArtistRoute => ArtistPage,
        ReleaseRoute => ReleasePage,
        ShopRoute => ShopPage,
        AccountRoute => AccountPage,
        NotificationsRoute => NotificationsPage,
    }
    /// Signing up and in.
    AccountPages in account_pages / __preload_account_pages {
        SignUpRoute => SignUpPage,
        SignInRoute => SignInPage,
        ForgotPasswordRoute => ForgotPasswordPage,
        ResetPasswordRoute => ResetPasswordPage,
        VerifyEmailRoute => VerifyEmailPage,
    }
    /// The artist's side: becoming an artist, setting up, the dashboard.
    ArtistPages in artist_pages / __preload_artist_pages {
        ArtistSignupRoute => ArtistSignupPage,
        ArtistSignupReturnRoute => ArtistSignupReturnPage,
        ArtistSetupRoute => ArtistSetupPage,
        ArtistPayoutRoute => ArtistPayoutPage,
        DashboardRoute => DashboardPage,
        EarningsRoute => EarningsPage,
        PayoutsRoute => PayoutsPage,
        BopsRoute => BopsPage,
        NewBopRoute => NewBopPage,
        MusicDashboardRoute => MusicDashboardPage,
        NewReleaseRoute => NewReleasePage,
        EditReleaseRoute => EditReleasePage,
    }
    /// Operators' pages and the local mailbox.
    OperatorPages in operator_pages / __preload_operator_pages {
        MailboxRoute => MailboxPage,
        JobsRoute => JobsPage,
        FunnelRoute => FunnelPage,
        ReportsRoute => ReportsPage,
        ReconciliationRoute => ReconciliationPage,
    }
    /// The sandbox payment provider's hosted pages.
    SandboxPages in sandbox_pages / __preload_sandbox_pages {
        SandboxCheckoutRoute => SandboxCheckoutPage,
        SandboxConnectRoute => SandboxConnectPage,
        SandboxBillingRoute => SandboxBillingPage,
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
