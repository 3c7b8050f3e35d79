use leptos::prelude::*;
use leptos_meta::Title;

struct Pillar {
    title: &'static str,
    body: &'static str,
}

const FOR_ARTISTS: [Pillar; 6] = [
    Pillar {
        title: "Bops",
        body: "Vertical videos that turn a scroll into a fan, with tips straight from the feed at 0% platform fee.",
    },
    Pillar {
        title: "Music",
        body: "Release singles, EPs and albums, stream them to fans and see every play counted.",
    },
    Pillar {
        title: "BopShop",
        body: "Sell merch and digital goods from your own profile, with orders and payouts handled.",
    },
    Pillar {
        title: "One earnings view",
        body: "Tips, sales, streams and memberships in one ledger, with every dollar broken down.",
    },
    Pillar {
        title: "Toney",
        body: "An assistant that reads your numbers and proposes the next move, ready to approve.",
    },
    Pillar {
        title: "Automations",
        body: "Thank new supporters, follow up on carts and schedule drops without lifting a finger.",
    },
];

/// The front door for visitors: what Boptone offers artists and fans. (A signed-in fan
/// is sent to the feed before this renders: `fans_start_at_the_feed` in the server.)
#[component]
pub fn LandingPage() -> impl IntoView {
    view! {
        <Title text="Run your music business in one place" />
        <section class="relative overflow-hidden px-5 pb-16 pt-12 sm:px-10 sm:pt-20">
            <div class="pointer-events-none absolute inset-0 -z-10 bg-[radial-gradient(60rem_30rem_at_20%_-10%,rgba(217,70,239,0.25),transparent),radial-gradient(40rem_30rem_at_90%_10%,rgba(139,92,246,0.25),transparent)]"></div>
            <p class="text-sm font-semibold uppercase tracking-widest text-fuchsia-300">
                "For independent musicians"
            </p>
            <h1 class="mt-4 max-w-3xl text-4xl font-extrabold leading-tight tracking-tight text-white sm:text-6xl">
                "Your music. Your fans. "
                <span class="bg-gradient-to-r from-fuchsia-300 to-violet-400 bg-clip-text text-transparent">
                    "Your business."
                </span>
            </h1>
            <p class="mt-5 max-w-2xl text-lg text-zinc-300">
                "Boptone is the operating system for an independent artist: post Bops, release music, open a shop, take tips and see every dollar you earn, all from one profile."
            </p>
            <div class="mt-8 flex flex-col gap-3 sm:flex-row">
                <a href="/artist/signup" class="btn-primary px-6 py-3 text-base">
                    "Start as an artist"
                </a>
                <a href="/signup" class="btn-secondary px-6 py-3 text-base">
                    "Join as a fan"
                </a>
            </div>
            <p class="mt-4 text-sm text-zinc-400">
                "Already on Boptone? " <a href="/signin" class="link">
                    "Sign in"
                </a>
            </p>
        </section>

        <section aria-labelledby="artists-heading" class="px-5 py-12 sm:px-10">
            <h2 id="artists-heading" class="text-2xl font-bold text-white">
                "Everything an artist needs to earn"
            </h2>
            <ul class="mt-6 grid gap-4 sm:grid-cols-2 xl:grid-cols-3">
                {FOR_ARTISTS
                    .iter()
                    .map(|p| {
                        view! {
                            <li class="rounded-2xl border border-zinc-800 bg-zinc-900/60 p-5">
                                <h3 class="font-semibold text-white">{p.title}</h3>
                                <p class="mt-2 text-sm text-zinc-400">{p.body}</p>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>

        <section aria-labelledby="fans-heading" class="px-5 py-12 sm:px-10">
            <div class="rounded-3xl border border-zinc-800 bg-gradient-to-br from-violet-950/60 to-zinc-900 p-6 sm:p-10">
                <h2 id="fans-heading" class="text-2xl font-bold text-white">
                    "For fans: back the artists you love"
                </h2>
                <p class="mt-3 max-w-2xl text-zinc-300">
                    "Follow artists before everyone else does, watch their Bops, play their releases and buy straight from them. More of what you spend reaches the artist."
                </p>
                <div class="mt-6 flex flex-col gap-3 sm:flex-row">
                    <a href="/music" class="btn-secondary">
                        "Discover artists"
                    </a>
                    <a href="/signup" class="btn-primary">
                        "Create a fan account"
                    </a>
                </div>
            </div>
        </section>
    }
}
