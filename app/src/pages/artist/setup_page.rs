use boptone::onboarding::{GENRES, MAX_GENRES, MAX_LINKS, ProfileDraft};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::{
    api::onboarding::{ProfileFormData, SaveProfile, load_profile_draft},
    components::{
        gate::follow_gate,
        photo_upload::PhotoUpload,
        ui::{FormAlert, LoadError, Loading, Notice, SubmitButton, field_error, form_error},
    },
};

/// `/artist/setup`: the public profile (SPEC ONB-3). Saving it completes setup.
#[component]
pub fn ArtistSetupPage() -> impl IntoView {
    let draft = Resource::new(|| (), |_| load_profile_draft());
    let save = ServerAction::<SaveProfile>::new();
    follow_gate(save.value());
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(())) = save.value().get() {
            navigate("/artist/payout?from=setup", Default::default());
        }
    });
    let query = use_query_map();
    let welcome = move || query.read().get("welcome").is_some();
    view! {
        <Title text="Set up your profile" />
        <div class="mx-auto max-w-2xl px-4 py-10 sm:px-8">
            <Show when=welcome>
                <div class="mb-6">
                    <Notice>"Your plan is active. Welcome to Boptone!"</Notice>
                </div>
            </Show>
            <p class="text-sm font-semibold uppercase tracking-wider text-fuchsia-300">
                "Step 2 of 3"
            </p>
            <h1 class="mt-2 text-3xl font-bold tracking-tight text-white">"Set up your profile"</h1>
            <p class="mt-2 text-zinc-300">
                "This is what fans see at your Boptone link. You can change it any time."
            </p>
            <Suspense fallback=|| {
                view! { <Loading label="Loading your profile…" /> }
            }>
                {move || Suspend::new(async move {
                    match draft.await {
                        Ok(draft) => view! { <SetupForm draft save /> }.into_any(),
                        Err(err) => {
                            view! {
                                <div class="mt-8">
                                    <LoadError error=err />
                                </div>
                            }
                                .into_any()
                        }
                    }
                })}
            </Suspense>
        </div>
    }
}

#[component]
fn SetupForm(draft: ProfileDraft, save: ServerAction<SaveProfile>) -> impl IntoView {
    let value = save.value();
    let stage_name = RwSignal::new(draft.stage_name.clone());
    let handle = RwSignal::new(draft.handle.clone());
    let bio = RwSignal::new(draft.bio.clone());
    let location = RwSignal::new(draft.location.clone());
    let genres = RwSignal::new(draft.genres.clone());
    let mut initial_links = draft.links.clone();
    if initial_links.len() < 2 {
        initial_links.resize(2, String::new());
    }
    let links = RwSignal::new(initial_links);
    let photo_url = RwSignal::new(draft.photo_url.clone());

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        save.dispatch(SaveProfile {
            form: ProfileFormData {
                stage_name: stage_name.get_untracked(),
                handle: handle.get_untracked(),
                bio: bio.get_untracked(),
                location: location.get_untracked(),
                genres: genres.get_untracked(),
                links: links.get_untracked(),
            },
        });
    };
    let text_input = crate::components::ui::TEXT_INPUT;
    let invalid = move |field: &'static str| {
        move || {
            if field_error(value, field).get().is_some() {
                "true"
            } else {
                "false"
            }
        }
    };
    let error_line = move |field: &'static str| {
        move || {
            field_error(value, field).get().map(|m| {
                view! {
                    <p
                        id=format!("field-{field}-error")
                        class="text-sm font-medium text-rose-300"
                        role="alert"
                    >
                        {m}
                    </p>
                }
            })
        }
    };

    view! {
        <form on:submit=on_submit class="mt-8 space-y-7" novalidate>
            <PhotoUpload photo_url error=field_error(value, "photo") />

            <div class="space-y-1.5">
                <label for="field-stage_name" class="block text-sm font-medium text-zinc-200">
                    "Stage name"
                </label>
                <input
                    id="field-stage_name"
                    name="stage_name"
                    class=text_input
                    autocomplete="organization"
                    prop:value=move || stage_name.get()
                    on:input=move |ev| stage_name.set(event_target_value(&ev))
                    aria-invalid=invalid("stage_name")
                />
                {error_line("stage_name")}
            </div>

            <div class="space-y-1.5">
                <label for="field-handle" class="block text-sm font-medium text-zinc-200">
                    "Handle"
                </label>
                <div class="flex items-center rounded-xl border border-zinc-700 bg-zinc-900 focus-within:border-fuchsia-400">
                    <span class="pl-3.5 text-zinc-400" aria-hidden="true">
                        "boptone.app/@"
                    </span>
                    <input
                        id="field-handle"
                        name="handle"
                        autocapitalize="none"
                        spellcheck="false"
                        class="w-full rounded-xl bg-transparent py-2.5 pr-3.5 text-base text-zinc-50 focus:outline-none"
                        aria-describedby="field-handle-hint"
                        prop:value=move || handle.get()
                        on:input=move |ev| handle.set(event_target_value(&ev))
                        aria-invalid=invalid("handle")
                    />
                </div>
                <p id="field-handle-hint" class="text-sm text-zinc-400">
                    "Letters, digits and underscores; your link is /@"
                    {move || handle.get().trim().trim_start_matches('@').to_lowercase()}
                </p>
                {error_line("handle")}
            </div>

            <div class="space-y-1.5">
                <label for="field-bio" class="block text-sm font-medium text-zinc-200">
                    "Bio"
                </label>
                <textarea
                    id="field-bio"
                    name="bio"
                    rows="5"
                    class=text_input
                    placeholder="Who you are, what you make, where fans can catch you live."
                    prop:value=move || bio.get()
                    on:input=move |ev| bio.set(event_target_value(&ev))
                    aria-invalid=invalid("bio")
                ></textarea>
                <p class="text-sm text-zinc-400">
                    {move || format!("{} / 1000", bio.get().chars().count())}
                </p>
                {error_line("bio")}
            </div>

            <div class="space-y-1.5">
                <label for="field-location" class="block text-sm font-medium text-zinc-200">
                    "Location "
                    <span class="font-normal text-zinc-400">"(optional)"</span>
                </label>
                <input
                    id="field-location"
                    name="location"
                    class=text_input
                    autocomplete="address-level2"
                    placeholder="City, country"
                    prop:value=move || location.get()
                    on:input=move |ev| location.set(event_target_value(&ev))
                    aria-invalid=invalid("location")
                />
                {error_line("location")}
            </div>

            <fieldset class="space-y-2">
                <legend class="text-sm font-medium text-zinc-200">
                    "Genres "<span class="font-normal text-zinc-400">"(up to 3)"</span>
                </legend>
                <div class="flex flex-wrap gap-2">
                    {GENRES
                        .iter()
                        .map(|genre| {
                            let name = (*genre).to_owned();
                            let checked = {
                                let name = name.clone();
                                move || genres.with(|g| g.contains(&name))
                            };
                            let disabled = {
                                let checked = checked.clone();
                                move || !checked() && genres.with(Vec::len) >= MAX_GENRES
                            };
                            let toggle = {
                                let name = name.clone();
                                move |_| {
                                    genres
                                        .update(|g| {
                                            if let Some(i) = g.iter().position(|x| *x == name) {
                                                g.remove(i);
                                            } else if g.len() < MAX_GENRES {
                                                g.push(name.clone());
                                            }
                                        })
                                }
                            };
                            view! {
                                <label class="genre-chip">
                                    <input
                                        type="checkbox"
                                        class="peer sr-only"
                                        name="genres"
                                        value=name.clone()
                                        prop:checked=checked
                                        prop:disabled=disabled
                                        on:change=toggle
                                    />
                                    <span class="genre-chip-body">{name.clone()}</span>
                                </label>
                            }
                        })
                        .collect_view()}
                </div>
                {error_line("genres")}
            </fieldset>

            <fieldset class="space-y-2">
                <legend class="text-sm font-medium text-zinc-200">
                    "Links "
                    <span class="font-normal text-zinc-400">
                        "(optional: Instagram, TikTok, your site…)"
                    </span>
                </legend>
                {move || {
                    (0..links.with(Vec::len))
                        .map(|i| {
                            view! {
                                <input
                                    class=text_input
                                    type="url"
                                    inputmode="url"
                                    name="links"
                                    aria-label=format!("Link {}", i + 1)
                                    placeholder="https://instagram.com/yourname"
                                    prop:value=move || {
                                        links.with(|l| l.get(i).cloned().unwrap_or_default())
                                    }
                                    on:input=move |ev| {
                                        links
                                            .update(|l| {
                                                if let Some(x) = l.get_mut(i) {
                                                    *x = event_target_value(&ev);
                                                }
                                            })
                                    }
                                    aria-invalid=invalid("links")
                                />
                            }
                        })
                        .collect_view()
                }}
                <Show when=move || links.with(Vec::len) < MAX_LINKS>
                    <button
                        type="button"
                        class="btn-secondary px-3 py-1.5 text-sm"
                        on:click=move |_| links.update(|l| l.push(String::new()))
                    >
                        "Add another link"
                    </button>
                </Show>
                {error_line("links")}
            </fieldset>

            <FormAlert message=form_error(
                value,
                &["photo", "stage_name", "handle", "bio", "location", "genres", "links"],
            ) />
            <SubmitButton
                label="Save and continue"
                pending_label="Saving…"
                pending=save.pending()
            />
        </form>
    }
}
