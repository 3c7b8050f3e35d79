//! A profile photo picker that uploads at once, with a progress bar. The server checks
//! the file by its content and resizes it; this only saves a pointless upload of a file
//! that is obviously too large.

#[cfg(feature = "hydrate")]
use boptone::artists::PHOTO_MAX_BYTES;
use leptos::prelude::*;

use super::upload::{UploadProgress, Uploader};

/// What a photo over the cap is refused with.
#[cfg(feature = "hydrate")]
const TOO_LARGE: &str = "That photo is too large. Choose one under 8 MB.";

/// Picks and uploads a photo; `photo_url` holds the stored photo's URL.
#[component]
pub fn PhotoUpload(
    photo_url: RwSignal<Option<String>>,
    /// The save action's message about the photo, if any.
    #[prop(into)]
    error: Signal<Option<String>>,
) -> impl IntoView {
    let uploader = Uploader::new();
    let message = move || uploader.error.get().or_else(|| error.get());
    let on_change = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            let input: web_sys::HtmlInputElement = event_target(&ev);
            let Some(file) = input.files().and_then(|files| files.get(0)) else {
                return;
            };
            #[allow(clippy::cast_precision_loss)]
            if file.size() > PHOTO_MAX_BYTES as f64 {
                uploader.error.set(Some(TOO_LARGE.into()));
                return;
            }
            uploader.send(&file, "/uploads/profile-photo", TOO_LARGE, move |json| {
                match json["photo_url"].as_str() {
                    Some(url) => photo_url.set(Some(url.to_owned())),
                    None => uploader.error.set(Some(
                        "The upload failed. Check your connection and try again.".into(),
                    )),
                }
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, photo_url, uploader);
    };
    view! {
        <div class="flex flex-col gap-4 sm:flex-row sm:items-center">
            {move || match photo_url.get() {
                Some(src) => {
                    view! {
                        <img
                            src=src
                            alt="Your profile photo"
                            width="112"
                            height="112"
                            class="h-28 w-28 shrink-0 rounded-2xl object-cover"
                        />
                    }
                        .into_any()
                }
                None => {
                    view! {
                        <span
                            aria-hidden="true"
                            class="grid h-28 w-28 shrink-0 place-items-center rounded-2xl border border-dashed border-zinc-600 text-3xl text-zinc-500"
                        >
                            "+"
                        </span>
                    }
                        .into_any()
                }
            }} <div class="min-w-0 flex-1 space-y-2">
                <label for="field-photo" class="block text-sm font-medium text-zinc-200">
                    "Profile photo"
                </label>
                <input
                    id="field-photo"
                    name="photo"
                    type="file"
                    accept="image/jpeg,image/png,image/webp"
                    on:change=on_change
                    aria-describedby="field-photo-hint"
                    aria-invalid=move || if message().is_some() { "true" } else { "false" }
                    class="block w-full text-sm text-zinc-300 file:mr-4 file:rounded-xl file:border-0 file:bg-zinc-800 file:px-4 file:py-2 file:font-medium file:text-zinc-100 hover:file:bg-zinc-700"
                />
                <p id="field-photo-hint" class="text-sm text-zinc-400">
                    "JPEG, PNG or WebP, up to 8 MB. We crop it to a square."
                </p>
                <UploadProgress uploader />
                {move || {
                    message()
                        .map(|m| {
                            view! {
                                <p class="text-sm font-medium text-rose-300" role="alert">
                                    {m}
                                </p>
                            }
                        })
                }}
            </div>
        </div>
    }
    .into_any()
}
