//! `/dashboard/music`: the artist's tracks (upload with progress, what became of each)
//! and releases; `/dashboard/music/releases/new` and `/…/{id}`: a release's editor
//! (tracks in order, titles, codes, credits, artwork) and publishing it.

use boptone::{
    AppError,
    music::{
        ArtistRelease, ArtistTrack, Credit, MAX_AUDIO_BYTES, ReleaseEdit, ReleaseForm, ReleaseKind,
        TrackEntry, TrackState,
    },
    onboarding::GENRES,
    time::{clock, format_day, iso_day},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{
    components::A,
    hooks::{use_navigate, use_params_map},
};

use crate::{
    api::music::{PublishRelease, SaveRelease, load_my_release, load_my_releases, load_my_tracks},
    components::{
        ui::{
            FormAlert, LoadError, Loading, Notice, ProcessingProgress, TEXT_INPUT, field_error,
            form_error, poll_while,
        },
        upload::{UploadMessage, UploadProgress, Uploader},
    },
};

/// The artist's music: upload a track, the tracks and what became of them, the
/// releases. While a track is processing the list refreshes itself.
#[component]
pub fn MusicDashboardPage() -> impl IntoView {
    let tick = RwSignal::new(0u32);
    let tracks = Resource::new(move || tick.get(), |_| load_my_tracks());
    let releases = Resource::new(|| (), |()| load_my_releases());
    poll_while(
        move || {
            tracks
                .get()
                .and_then(Result::ok)
                .is_some_and(|t| t.iter().any(|t| t.state == TrackState::Processing))
        },
        tick,
    );
    view! {
        <Title text="Music" />
        <div class="mx-auto max-w-4xl px-4 py-8 sm:px-8">
            <p class="text-sm text-zinc-400">
                <A href="/dashboard" attr:class="link">
                    "Dashboard"
                </A>
                " / Music"
            </p>
            <div class="mt-1 flex flex-wrap items-center justify-between gap-4">
                <h1 class="text-3xl font-bold tracking-tight text-white">"Music"</h1>
                <A href="/dashboard/music/releases/new" attr:class="btn-primary">
                    "New release"
                </A>
            </div>
            <UploadTrack on_uploaded=move || tick.update(|t| *t += 1) />
            <section class="mt-10" aria-labelledby="tracks-heading">
                <h2 id="tracks-heading" class="text-xl font-semibold text-white">
                    "Tracks"
                </h2>
                <Transition fallback=|| {
                    view! { <Loading label="Loading your tracks…" /> }
                }>
                    {move || Suspend::new(async move {
                        match tracks.await {
                            Ok(list) if list.is_empty() => {
                                view! {
                                    <p class="mt-3 text-zinc-400">
                                        "No tracks yet. Upload one above, then put it on a release."
                                    </p>
                                }
                                    .into_any()
                            }
                            Ok(list) => {
                                view! {
                                    <ul
                                        class="mt-4 divide-y divide-zinc-800 rounded-2xl border border-zinc-800"
                                        aria-label="Your tracks"
                                    >
                                        {list
                                            .into_iter()
                                            .map(|track| view! { <TrackRow track /> })
                                            .collect_view()}
                                    </ul>
                                }
                                    .into_any()
                            }
                            Err(err) => view! { <LoadError error=err /> }.into_any(),
                        }
                    })}
                </Transition>
            </section>
            <section class="mt-10" aria-labelledby="releases-heading">
                <h2 id="releases-heading" class="text-xl font-semibold text-white">
                    "Releases"
                </h2>
                <Transition fallback=|| {
                    view! { <Loading label="Loading your releases…" /> }
                }>
                    {move || Suspend::new(async move {
                        match releases.await {
                            Ok(list) if list.is_empty() => {
                                view! {
                                    <p class="mt-3 text-zinc-400">
                                        "No releases yet. A single, an EP or an album gathers your tracks for fans to play."
                                    </p>
                                }
                                    .into_any()
                            }
                            Ok(list) => {
                                view! {
                                    <ul
                                        class="mt-4 grid gap-4 sm:grid-cols-2"
                                        aria-label="Your releases"
                                    >
                                        {list
                                            .into_iter()
                                            .map(|release| view! { <ReleaseCard release /> })
                                            .collect_view()}
                                    </ul>
                                }
                                    .into_any()
                            }
                            Err(err) => view! { <LoadError error=err /> }.into_any(),
                        }
                    })}
                </Transition>
            </section>
        </div>
    }
}

/// Uploading a track: a title and the file, with progress and a cancel button.
#[component]
fn UploadTrack(#[prop(into)] on_uploaded: Callback<()>) -> AnyView {
    let title = RwSignal::new(String::new());
    let uploader = Uploader::new();
    let chosen = NodeRef::<leptos::html::Input>::new();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        #[cfg(feature = "hydrate")]
        {
            use crate::components::upload::{chosen_file, url_with};
            let Some(file) = chosen_file(chosen) else {
                uploader
                    .error
                    .set(Some("Choose an audio file to upload.".into()));
                return;
            };
            #[allow(clippy::cast_precision_loss)]
            if file.size() > MAX_AUDIO_BYTES as f64 {
                uploader.error.set(Some(format!(
                    "That file is too big. Choose one under {} MB.",
                    MAX_AUDIO_BYTES / 1024 / 1024
                )));
                return;
            }
            let url = url_with("/uploads/tracks", &[("title", &title.get_untracked())]);
            uploader.send(&file, &url, "That file is too big.", move |_| {
                title.set(String::new());
                if let Some(input) = chosen.get_untracked() {
                    input.set_value("");
                }
                on_uploaded.run(());
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (chosen, on_uploaded);
    };
    let on_cancel = Callback::new(move |()| uploader.cancel("Upload canceled. Nothing was saved."));
    view! {
        <section
            class="mt-8 rounded-2xl border border-zinc-800 bg-zinc-900/60 p-5"
            aria-labelledby="upload-heading"
        >
            <h2 id="upload-heading" class="text-lg font-semibold text-white">
                "Upload a track"
            </h2>
            <form class="mt-4 grid gap-4 sm:grid-cols-2" on:submit=on_submit>
                <div class="space-y-2">
                    <label for="field-track-title" class="block text-sm font-medium text-zinc-200">
                        "Title"
                    </label>
                    <input
                        id="field-track-title"
                        name="title"
                        required
                        maxlength="200"
                        class=TEXT_INPUT
                        on:input=move |ev| title.set(event_target_value(&ev))
                        prop:value=move || title.get()
                    />
                </div>
                <div class="space-y-2">
                    <label for="field-audio" class="block text-sm font-medium text-zinc-200">
                        "Audio file"
                    </label>
                    <input
                        id="field-audio"
                        node_ref=chosen
                        name="audio"
                        type="file"
                        required
                        accept="audio/*,.wav,.flac,.mp3,.m4a,.aac,.ogg,.opus,.aiff"
                        aria-describedby="field-audio-hint"
                        class="block w-full text-sm text-zinc-300 file:mr-4 file:rounded-xl file:border-0 file:bg-zinc-800 file:px-4 file:py-2 file:font-medium file:text-zinc-100 hover:file:bg-zinc-700"
                    />
                    <p id="field-audio-hint" class="text-sm text-zinc-400">
                        {format!(
                            "WAV, FLAC, MP3, AAC/M4A or OGG, up to {} MB. Lossless is best: we make the streaming copy.",
                            MAX_AUDIO_BYTES / 1024 / 1024,
                        )}
                    </p>
                </div>
                <div class="space-y-3 sm:col-span-2">
                    <UploadProgress uploader on_cancel />
                    <UploadMessage uploader />
                    <button type="submit" class="btn-primary" disabled=move || uploader.busy()>
                        "Upload track"
                    </button>
                </div>
            </form>
        </section>
    }
    .into_any()
}

#[component]
fn TrackRow(track: ArtistTrack) -> AnyView {
    let status = match track.state {
        TrackState::Processing => {
            view! { <ProcessingProgress percent=track.progress /> }.into_any()
        }
        TrackState::Ready => {
            let length = track.duration_ms.map(clock).unwrap_or_default();
            let place = if track.release_id.is_some() {
                "On a release"
            } else {
                "Not on a release yet"
            };
            view! {
                <p class="text-sm text-emerald-300" data-state="ready">
                    {format!("Ready · {length} · {place}")}
                </p>
            }
            .into_any()
        }
        TrackState::Failed => view! {
            <p class="text-sm text-rose-300" data-state="failed">
                {format!("Couldn't be processed. {}", track.failure.clone().unwrap_or_default())}
            </p>
        }
        .into_any(),
    };
    view! {
        <li class="px-4 py-3" data-testid="track">
            <p class="font-medium text-white">{track.title}</p>
            <div class="mt-1">{status}</div>
        </li>
    }
    .into_any()
}

/// Where a release stands, in words: a draft, out, or coming on its day.
fn release_status(published: bool, release_at: i64, today: i64) -> String {
    match (published, release_at <= today) {
        (false, _) => "Draft".into(),
        (true, true) => format!("Out since {}", format_day(release_at)),
        (true, false) => format!("Pre-release: out on {}", format_day(release_at)),
    }
}

#[component]
fn ReleaseCard(release: ArtistRelease) -> AnyView {
    let today = today_ms();
    let status = release_status(release.published, release.release_at, today);
    let tracks = if release.tracks == 1 {
        "1 track".to_owned()
    } else {
        format!("{} tracks", release.tracks)
    };
    let handle_link = format!("/dashboard/music/releases/{}", release.id);
    view! {
        <li
            class="flex gap-4 rounded-2xl border border-zinc-800 bg-zinc-900/60 p-4"
            data-testid="release"
        >
            <Artwork url=release.artwork_url.clone() class="h-20 w-20" />
            <div class="min-w-0 flex-1">
                <p class="truncate font-semibold text-white">{release.title.clone()}</p>
                <p class="text-sm text-zinc-400">
                    {format!("{} · {tracks}", release.kind.label())}
                </p>
                <p class="text-sm text-zinc-300">{status}</p>
                <A href=handle_link attr:class="link mt-1 inline-block text-sm">
                    "Edit"
                </A>
            </div>
        </li>
    }
    .into_any()
}

/// A release's artwork, or a placeholder square.
#[component]
fn Artwork(url: Option<String>, class: &'static str) -> impl IntoView {
    match url {
        Some(src) => view! { <img src=src alt="Artwork" class=format!("{class} shrink-0 rounded-xl object-cover") /> }
        .into_any(),
        None => view! {
            <span
                aria-hidden="true"
                class=format!(
                    "{class} grid shrink-0 place-items-center rounded-xl border border-dashed border-zinc-600 text-2xl text-zinc-500",
                )
            >
                "♪"
            </span>
        }
        .into_any(),
    }
}

/// Today's first millisecond (UTC): what "out" is measured against on the page.
fn today_ms() -> i64 {
    #[cfg(feature = "hydrate")]
    let now = js_sys::Date::now() as i64;
    #[cfg(not(feature = "hydrate"))]
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(0))
        .unwrap_or(0);
    now - now.rem_euclid(boptone::time::DAY)
}

/// `/dashboard/music/releases/new`: a new release.
#[component]
pub fn NewReleasePage() -> impl IntoView {
    let tracks = Resource::new(|| (), |()| load_my_tracks());
    view! {
        <Title text="New release" />
        <EditorFrame crumb="New release">
            <Suspense fallback=|| {
                view! { <Loading label="Loading your tracks…" /> }
            }>
                {move || Suspend::new(async move {
                    match tracks.await {
                        Ok(tracks) => {
                            let blank = ReleaseEdit {
                                id: 0,
                                form: ReleaseForm {
                                    kind: ReleaseKind::Single.as_str().into(),
                                    title: String::new(),
                                    genre: String::new(),
                                    upc: String::new(),
                                    release_date: iso_day(today_ms()),
                                    tracks: vec![],
                                },
                                handle: String::new(),
                                slug: String::new(),
                                artwork_url: None,
                                published: false,
                            };
                            view! { <ReleaseEditor release=blank tracks /> }.into_any()
                        }
                        Err(err) => view! { <LoadError error=err /> }.into_any(),
                    }
                })}
            </Suspense>
        </EditorFrame>
    }
}

/// `/dashboard/music/releases/{id}`: one of the artist's releases.
#[component]
pub fn EditReleasePage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let data = Resource::new(id, |id| async move {
        Ok::<_, AppError>((load_my_release(id).await?, load_my_tracks().await?))
    });
    view! {
        <Title text="Edit release" />
        <EditorFrame crumb="Release">
            <Suspense fallback=|| {
                view! { <Loading label="Loading the release…" /> }
            }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok((release, tracks)) => {
                            view! { <ReleaseEditor release tracks /> }.into_any()
                        }
                        Err(err) => view! { <LoadError error=err /> }.into_any(),
                    }
                })}
            </Suspense>
        </EditorFrame>
    }
}

#[component]
fn EditorFrame(crumb: &'static str, children: Children) -> impl IntoView {
    view! {
        <div class="mx-auto max-w-3xl px-4 py-8 sm:px-8">
            <p class="text-sm text-zinc-400">
                <A href="/dashboard" attr:class="link">
                    "Dashboard"
                </A>
                " / "
                <A href="/dashboard/music" attr:class="link">
                    "Music"
                </A>
                {format!(" / {crumb}")}
            </p>
            {children()}
        </div>
    }
}

/// One track's place on the release being edited.
#[derive(Clone, Copy)]
struct Row {
    track_id: i64,
    title: RwSignal<String>,
    isrc: RwSignal<String>,
    credits: RwSignal<Vec<CreditRow>>,
}

#[derive(Clone, Copy)]
struct CreditRow {
    key: u32,
    role: RwSignal<String>,
    name: RwSignal<String>,
}

impl Row {
    fn new(entry: &TrackEntry, keys: &mut u32) -> Self {
        Self {
            track_id: entry.track_id,
            title: RwSignal::new(entry.title.clone()),
            isrc: RwSignal::new(entry.isrc.clone()),
            credits: RwSignal::new(
                entry
                    .credits
                    .iter()
                    .map(|c| {
                        *keys += 1;
                        CreditRow {
                            key: *keys,
                            role: RwSignal::new(c.role.clone()),
                            name: RwSignal::new(c.name.clone()),
                        }
                    })
                    .collect(),
            ),
        }
    }

    fn entry(&self) -> TrackEntry {
        TrackEntry {
            track_id: self.track_id,
            title: self.title.get_untracked(),
            isrc: self.isrc.get_untracked(),
            credits: self
                .credits
                .get_untracked()
                .iter()
                .map(|c| Credit {
                    role: c.role.get_untracked(),
                    name: c.name.get_untracked(),
                })
                .collect(),
        }
    }
}

/// The release form: kind, title, genre, day, barcode; its tracks in order with their
/// titles, ISRCs and credits; then (once saved) its artwork and publishing.
#[component]
fn ReleaseEditor(release: ReleaseEdit, tracks: Vec<ArtistTrack>) -> AnyView {
    let id = (release.id > 0).then_some(release.id);
    let form = release.form.clone();
    let kind = RwSignal::new(form.kind.clone());
    let title = RwSignal::new(form.title.clone());
    let genre = RwSignal::new(form.genre.clone());
    let upc = RwSignal::new(form.upc.clone());
    let day = RwSignal::new(form.release_date.clone());
    let keys = StoredValue::new(0u32);
    // Rows and credits added later are owned by the editor, not by the part of the page
    // that drew the button (redrawn, and disposed, as rows come and go).
    let owner = Owner::current().unwrap_or_default();
    let add_owner = owner.clone();
    let rows = RwSignal::new(
        form.tracks
            .iter()
            .map(|e| {
                let mut k = keys.get_value();
                let row = Row::new(e, &mut k);
                keys.set_value(k);
                row
            })
            .collect::<Vec<_>>(),
    );
    // Tracks that may go on it: processed, and on no other release.
    let available: Vec<ArtistTrack> = tracks
        .into_iter()
        .filter(|t| t.state == TrackState::Ready && (t.release_id.is_none() || t.release_id == id))
        .collect();
    let titles: std::collections::HashMap<i64, String> =
        available.iter().map(|t| (t.id, t.title.clone())).collect();
    let save = ServerAction::<SaveRelease>::new();
    let value = save.value();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(saved)) = value.get()
            && id.is_none()
        {
            navigate(
                &format!("/dashboard/music/releases/{saved}?saved=1"),
                Default::default(),
            );
        }
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        save.dispatch(SaveRelease {
            id,
            form: ReleaseForm {
                kind: kind.get_untracked(),
                title: title.get_untracked(),
                genre: genre.get_untracked(),
                upc: upc.get_untracked(),
                release_date: day.get_untracked(),
                tracks: rows.get_untracked().iter().map(Row::entry).collect(),
            },
        });
    };
    let position = move |track_id: i64| {
        rows.with(|r| r.iter().position(|row| row.track_id == track_id))
            .unwrap_or(0)
    };
    let row_error = move |track_id: i64, suffix: &'static str| {
        Signal::derive(move || {
            let field = if suffix.is_empty() {
                format!("tracks.{}", position(track_id))
            } else {
                format!("tracks.{}.{suffix}", position(track_id))
            };
            value.with(|v| match v {
                Some(Err(err)) => err.field_message(&field).map(str::to_owned),
                _ => None,
            })
        })
    };
    let move_row = move |track_id: i64, by: isize| {
        rows.update(|r| {
            if let Some(at) = r.iter().position(|row| row.track_id == track_id) {
                let to = at.saturating_add_signed(by);
                if to < r.len() {
                    r.swap(at, to);
                }
            }
        });
    };
    // Saved here, or just created and opened here (`?saved=1`).
    let query = leptos_router::hooks::use_query_map();
    let saved_notice = move || {
        id.is_some()
            && (value.with(|v| matches!(v, Some(Ok(_))))
                || query.with(|q| q.get("saved").is_some()) && value.with(Option::is_none))
    };
    let heading = if id.is_some() {
        format!("Edit “{}”", release.form.title)
    } else {
        "New release".to_owned()
    };
    let text_field = move |field_id: &'static str,
                           label: &'static str,
                           signal: RwSignal<String>,
                           hint: Option<&'static str>| {
        let error = field_error(value, field_id);
        view! {
            <div class="space-y-2">
                <label
                    for=format!("field-{field_id}")
                    class="block text-sm font-medium text-zinc-200"
                >
                    {label}
                </label>
                <input
                    id=format!("field-{field_id}")
                    class=TEXT_INPUT
                    list=(field_id == "genre").then_some("genre-list")
                    aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                    on:input=move |ev| signal.set(event_target_value(&ev))
                    prop:value=move || signal.get()
                />
                {hint.map(|h| view! { <p class="text-sm text-zinc-400">{h}</p> })}
                {move || {
                    error
                        .get()
                        .map(|m| {
                            view! {
                                <p class="text-sm font-medium text-rose-300" role="alert">
                                    {m}
                                </p>
                            }
                        })
                }}
            </div>
        }
    };
    // Field messages show beside their fields; this says there are some, or what else
    // went wrong.
    let form_alert = Signal::derive(move || {
        value.with(|v| match v {
            Some(Err(AppError::Validation(_))) => {
                Some("Some fields need a look: each says what below it.".to_owned())
            }
            Some(Err(err)) => Some(err.to_string()),
            _ => None,
        })
    });
    let date_error = field_error(value, "release_date");
    let tracks_error = field_error(value, "tracks");
    let kind_error = field_error(value, "kind");
    view! {
        <h1 class="mt-1 text-3xl font-bold tracking-tight text-white">{heading}</h1>
        <Show when=saved_notice>
            <div class="mt-4">
                <Notice>"Saved."</Notice>
            </div>
        </Show>
        <form class="mt-6 space-y-8" on:submit=on_submit novalidate>
            <fieldset class="space-y-2">
                <legend class="text-sm font-medium text-zinc-200">"Kind"</legend>
                <div class="flex flex-wrap gap-3">
                    {[ReleaseKind::Single, ReleaseKind::Ep, ReleaseKind::Album]
                        .into_iter()
                        .map(|k| {
                            view! {
                                <label class="flex items-center gap-2 rounded-xl border border-zinc-700 px-3 py-2 text-zinc-100">
                                    <input
                                        type="radio"
                                        name="kind"
                                        value=k.as_str()
                                        prop:checked=move || kind.get() == k.as_str()
                                        on:change=move |_| kind.set(k.as_str().into())
                                    />
                                    {k.label()}
                                </label>
                            }
                        })
                        .collect_view()}
                </div>
                {move || {
                    kind_error
                        .get()
                        .map(|m| {
                            view! {
                                <p class="text-sm font-medium text-rose-300" role="alert">
                                    {m}
                                </p>
                            }
                        })
                }}
            </fieldset>
            <div class="grid gap-4 sm:grid-cols-2">
                {text_field("title", "Title", title, None)}
                {text_field("genre", "Genre", genre, None)}
                <datalist id="genre-list">
                    {GENRES.iter().map(|g| view! { <option value=*g></option> }).collect_view()}
                </datalist> <div class="space-y-2">
                    <label for="field-release_date" class="block text-sm font-medium text-zinc-200">
                        "Release day"
                    </label>
                    <input
                        id="field-release_date"
                        type="date"
                        class=TEXT_INPUT
                        aria-describedby="field-release_date-hint"
                        on:input=move |ev| day.set(event_target_value(&ev))
                        prop:value=move || day.get()
                    />
                    <p id="field-release_date-hint" class="text-sm text-zinc-400">
                        "A day ahead makes a pre-release: fans see it now and play it on the day."
                    </p>
                    {move || {
                        date_error
                            .get()
                            .map(|m| {
                                view! {
                                    <p class="text-sm font-medium text-rose-300" role="alert">
                                        {m}
                                    </p>
                                }
                            })
                    }}
                </div>
                {text_field(
                    "upc",
                    "UPC or EAN (optional)",
                    upc,
                    Some("The barcode from your distributor, 12 or 13 digits."),
                )}
            </div>
            <section class="space-y-4" aria-labelledby="release-tracks-heading">
                <h2 id="release-tracks-heading" class="text-lg font-semibold text-white">
                    "Tracks, in order"
                </h2>
                {move || {
                    tracks_error
                        .get()
                        .map(|m| {
                            view! {
                                <p class="text-sm font-medium text-rose-300" role="alert">
                                    {m}
                                </p>
                            }
                        })
                }}
                <ol class="space-y-4" aria-label="Tracks on this release">
                    <For each=move || rows.get() key=|row| row.track_id let:row>
                        <TrackEditor
                            row
                            number=Signal::derive(move || position(row.track_id) + 1)
                            count=Signal::derive(move || rows.with(Vec::len))
                            title_error=row_error(row.track_id, "title")
                            isrc_error=row_error(row.track_id, "isrc")
                            credits_error=row_error(row.track_id, "credits")
                            row_error=row_error(row.track_id, "")
                            keys
                            owner=owner.clone()
                            on_move=Callback::new(move |by: isize| move_row(row.track_id, by))
                            on_remove=Callback::new(move |()| {
                                rows.update(|r| r.retain(|x| x.track_id != row.track_id))
                            })
                        />
                    </For>
                </ol>
                <AddTracks
                    available=available.clone()
                    titles=titles.clone()
                    rows
                    keys
                    owner=add_owner
                />
            </section>
            <FormAlert message=form_alert />
            <button type="submit" class="btn-primary" disabled=move || save.pending().get()>
                {move || {
                    if save.pending().get() {
                        "Saving…"
                    } else if id.is_some() {
                        "Save changes"
                    } else {
                        "Save draft"
                    }
                }}
            </button>
        </form>
        {id.map(|id| view! { <AfterSave id release=release.clone() /> })}
    }
    .into_any()
}

/// One track on the release being edited: its number, title, ISRC and credits, and
/// buttons to move it or take it off.
#[component]
#[allow(clippy::too_many_arguments)]
fn TrackEditor(
    row: Row,
    number: Signal<usize>,
    count: Signal<usize>,
    title_error: Signal<Option<String>>,
    isrc_error: Signal<Option<String>>,
    credits_error: Signal<Option<String>>,
    row_error: Signal<Option<String>>,
    keys: StoredValue<u32>,
    owner: Owner,
    on_move: Callback<isize>,
    on_remove: Callback<()>,
) -> AnyView {
    let id = row.track_id;
    let is_last = move || number.get() >= count.get();
    let message = |error: Signal<Option<String>>| {
        move || {
            error.get().map(|m| {
                view! {
                    <p class="text-sm font-medium text-rose-300" role="alert">
                        {m}
                    </p>
                }
            })
        }
    };
    let add_credit = move |_| {
        keys.update_value(|k| *k += 1);
        let key = keys.get_value();
        let credit = owner.with(|| CreditRow {
            key,
            role: RwSignal::new(String::new()),
            name: RwSignal::new(String::new()),
        });
        row.credits.update(|c| c.push(credit));
    };
    view! {
        <li
            class="rounded-2xl border border-zinc-800 bg-zinc-900/60 p-4"
            data-testid="release-track"
        >
            <div class="flex flex-wrap items-center justify-between gap-2">
                <p class="text-sm font-semibold text-fuchsia-300">
                    {move || format!("Track {}", number.get())}
                </p>
                <div class="flex gap-2">
                    <button
                        type="button"
                        class="btn-secondary px-3 py-1 text-sm"
                        aria-label=move || format!("Move track {} up", number.get())
                        disabled=move || number.get() <= 1
                        on:click=move |_| on_move.run(-1)
                    >
                        "↑"
                    </button>
                    <button
                        type="button"
                        class="btn-secondary px-3 py-1 text-sm"
                        aria-label=move || format!("Move track {} down", number.get())
                        disabled=is_last
                        on:click=move |_| on_move.run(1)
                    >
                        "↓"
                    </button>
                    <button
                        type="button"
                        class="btn-secondary px-3 py-1 text-sm"
                        aria-label=move || format!("Take track {} off", number.get())
                        on:click=move |_| on_remove.run(())
                    >
                        "Remove"
                    </button>
                </div>
            </div>
            {message(row_error)}
            <div class="mt-3 grid gap-3 sm:grid-cols-2">
                <div class="space-y-1">
                    <label for=format!("track-{id}-title") class="block text-sm text-zinc-300">
                        {move || format!("Track {} title", number.get())}
                    </label>
                    <input
                        id=format!("track-{id}-title")
                        class=TEXT_INPUT
                        aria-invalid=move || {
                            if title_error.get().is_some() { "true" } else { "false" }
                        }
                        on:input=move |ev| row.title.set(event_target_value(&ev))
                        prop:value=move || row.title.get()
                    />
                    {message(title_error)}
                </div>
                <div class="space-y-1">
                    <label for=format!("track-{id}-isrc") class="block text-sm text-zinc-300">
                        {move || format!("Track {} ISRC (optional)", number.get())}
                    </label>
                    <input
                        id=format!("track-{id}-isrc")
                        class=TEXT_INPUT
                        placeholder="US-RC1-76-07839"
                        autocapitalize="characters"
                        aria-invalid=move || {
                            if isrc_error.get().is_some() { "true" } else { "false" }
                        }
                        on:input=move |ev| row.isrc.set(event_target_value(&ev))
                        prop:value=move || row.isrc.get()
                    />
                    {message(isrc_error)}
                </div>
            </div>
            <div class="mt-3 space-y-2">
                <p class="text-sm text-zinc-300">"Credits"</p>
                <For each=move || row.credits.get() key=|c| c.key let:credit>
                    <div class="flex flex-wrap gap-2">
                        <input
                            class=format!("{TEXT_INPUT} sm:w-40")
                            placeholder="Role (Producer)"
                            aria-label="Role"
                            on:input=move |ev| credit.role.set(event_target_value(&ev))
                            prop:value=move || credit.role.get()
                        />
                        <input
                            class=format!("{TEXT_INPUT} min-w-0 flex-1")
                            placeholder="Name"
                            aria-label="Name"
                            on:input=move |ev| credit.name.set(event_target_value(&ev))
                            prop:value=move || credit.name.get()
                        />
                        <button
                            type="button"
                            class="btn-secondary px-3 py-1 text-sm"
                            on:click=move |_| {
                                row.credits.update(|c| c.retain(|x| x.key != credit.key))
                            }
                        >
                            "Remove credit"
                        </button>
                    </div>
                </For>
                {message(credits_error)}
                <button type="button" class="link text-sm" on:click=add_credit>
                    "Add a credit"
                </button>
            </div>
        </li>
    }
    .into_any()
}

/// The artist's processed tracks not on the release yet, each with an Add button.
#[component]
fn AddTracks(
    available: Vec<ArtistTrack>,
    titles: std::collections::HashMap<i64, String>,
    rows: RwSignal<Vec<Row>>,
    keys: StoredValue<u32>,
    owner: Owner,
) -> AnyView {
    let titles = StoredValue::new(titles);
    let left = move || {
        let on = rows.with(|r| r.iter().map(|row| row.track_id).collect::<Vec<_>>());
        available
            .iter()
            .filter(|t| !on.contains(&t.id))
            .cloned()
            .collect::<Vec<_>>()
    };
    view! {
        <div class="rounded-2xl border border-dashed border-zinc-700 p-4">
            <p class="text-sm font-medium text-zinc-200">"Add tracks"</p>
            {move || {
                let left = left();
                if left.is_empty() {
                    view! {
                        <p class="mt-2 text-sm text-zinc-400">
                            "Every processed track you have is on a release. Upload more on the Music page."
                        </p>
                    }
                        .into_any()
                } else {
                    view! {
                        <ul class="mt-2 space-y-2">
                            {left
                                .into_iter()
                                .map(|t| {
                                    let id = t.id;
                                    let owner = owner.clone();
                                    let label = format!("Add “{}”", t.title);
                                    view! {
                                        <li class="flex items-center justify-between gap-3">
                                            <span class="text-zinc-100">
                                                {t.title.clone()}
                                                <span class="ml-2 text-sm text-zinc-400">
                                                    {t.duration_ms.map(clock).unwrap_or_default()}
                                                </span>
                                            </span>
                                            <button
                                                type="button"
                                                class="btn-secondary px-3 py-1 text-sm"
                                                aria-label=label
                                                on:click=move |_| {
                                                    let title = titles
                                                        .with_value(|t| t.get(&id).cloned())
                                                        .unwrap_or_default();
                                                    let mut k = keys.get_value();
                                                    let row = owner
                                                        .with(|| Row::new(
                                                            &TrackEntry {
                                                                track_id: id,
                                                                title,
                                                                isrc: String::new(),
                                                                credits: vec![],
                                                            },
                                                            &mut k,
                                                        ));
                                                    keys.set_value(k);
                                                    rows.update(|r| r.push(row));
                                                }
                                            >
                                                "Add"
                                            </button>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                        .into_any()
                }
            }}
        </div>
    }
    .into_any()
}

/// A saved release's artwork and publishing.
#[component]
fn AfterSave(id: i64, release: ReleaseEdit) -> AnyView {
    let artwork = RwSignal::new(release.artwork_url.clone());
    let uploader = Uploader::new();
    let on_change = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            let input: web_sys::HtmlInputElement = event_target(&ev);
            let Some(file) = input.files().and_then(|files| files.get(0)) else {
                return;
            };
            let url = format!("/uploads/artwork?release={id}");
            uploader.send(
                &file,
                &url,
                "That image is too large. Choose one under 8 MB.",
                move |json| {
                    if let Some(url) = json["artwork_url"].as_str() {
                        artwork.set(Some(url.to_owned()));
                    }
                },
            );
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, id, uploader);
    };
    let publish = ServerAction::<PublishRelease>::new();
    let published = RwSignal::new(release.published);
    Effect::new(move |_| {
        if let Some(Ok(())) = publish.value().get() {
            published.set(true);
        }
    });
    let publish_error = form_error(publish.value(), &[]);
    let page = format!("/@{}/releases/{}", release.handle, release.slug);
    view! {
        <section class="mt-10 space-y-4" aria-labelledby="artwork-heading">
            <h2 id="artwork-heading" class="text-lg font-semibold text-white">
                "Artwork"
            </h2>
            <div class="flex flex-col gap-4 sm:flex-row sm:items-center">
                {move || view! { <Artwork url=artwork.get() class="h-32 w-32" /> }}
                <div class="space-y-2">
                    <label for="field-artwork" class="block text-sm font-medium text-zinc-200">
                        "Artwork image"
                    </label>
                    <input
                        id="field-artwork"
                        type="file"
                        accept="image/jpeg,image/png,image/webp"
                        on:change=on_change
                        aria-describedby="field-artwork-hint"
                        class="block w-full text-sm text-zinc-300 file:mr-4 file:rounded-xl file:border-0 file:bg-zinc-800 file:px-4 file:py-2 file:font-medium file:text-zinc-100 hover:file:bg-zinc-700"
                    />
                    <p id="field-artwork-hint" class="text-sm text-zinc-400">
                        "Square works best, at least 1,200 pixels a side. JPEG, PNG or WebP, up to 8 MB."
                    </p>
                    <UploadProgress uploader />
                    <UploadMessage uploader />
                </div>
            </div>
        </section>
        <section class="mt-10 space-y-3" aria-labelledby="publish-heading">
            <h2 id="publish-heading" class="text-lg font-semibold text-white">
                "Publish"
            </h2>
            <Show
                when=move || published.get()
                fallback=move || {
                    view! {
                        <p class="text-zinc-300">
                            "Save your changes first. Publishing shows the release on your profile and tells your followers."
                        </p>
                        <FormAlert message=publish_error />
                        <button
                            type="button"
                            class="btn-primary"
                            disabled=move || publish.pending().get()
                            on:click=move |_| {
                                publish.dispatch(PublishRelease { id });
                            }
                        >
                            {move || {
                                if publish.pending().get() {
                                    "Publishing…"
                                } else {
                                    "Publish release"
                                }
                            }}
                        </button>
                    }
                }
            >
                <Notice>"Published. Fans can find it on your profile."</Notice>
                <div class="flex flex-wrap gap-3">
                    <a href=page.clone() class="btn-secondary">
                        "View the release page"
                    </a>
                    <A href="/dashboard/bops/new" attr:class="btn-primary">
                        "Post a Bop about it"
                    </A>
                    <A href="/dashboard/music" attr:class="btn-secondary">
                        "Back to Music"
                    </A>
                </div>
            </Show>
        </section>
    }
    .into_any()
}
