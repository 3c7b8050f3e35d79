//! A profile photo picker that uploads at once, with a progress bar. The server checks
//! the file by its content and resizes it; this only saves a pointless upload of a file
//! that is obviously too large.

#[cfg(feature = "hydrate")]
use boptone::artists::PHOTO_MAX_BYTES;
use leptos::prelude::*;

/// Picks and uploads a photo; `photo_url` holds the stored photo's URL.
#[component]
pub fn PhotoUpload(
    photo_url: RwSignal<Option<String>>,
    /// The save action's message about the photo, if any.
    #[prop(into)]
    error: Signal<Option<String>>,
) -> impl IntoView {
    let progress = RwSignal::new(None::<u32>);
    let upload_error = RwSignal::new(None::<String>);
    let message = move || upload_error.get().or_else(|| error.get());
    let on_change = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        upload(ev, photo_url, progress, upload_error);
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, photo_url, progress, upload_error);
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
                {move || {
                    progress
                        .get()
                        .map(|p| {
                            view! {
                                <div
                                    class="h-2 w-full overflow-hidden rounded-full bg-zinc-800"
                                    role="progressbar"
                                    aria-label="Upload progress"
                                    aria-valuemin="0"
                                    aria-valuemax="100"
                                    aria-valuenow=p.to_string()
                                >
                                    <div
                                        class="h-full rounded-full bg-fuchsia-400 transition-all"
                                        style=format!("width: {p}%")
                                    ></div>
                                </div>
                            }
                        })
                }}
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
}

#[cfg(feature = "hydrate")]
fn upload(
    ev: leptos::ev::Event,
    photo_url: RwSignal<Option<String>>,
    progress: RwSignal<Option<u32>>,
    upload_error: RwSignal<Option<String>>,
) {
    use wasm_bindgen::{JsCast, closure::Closure};

    let input: web_sys::HtmlInputElement = event_target(&ev);
    let Some(file) = input.files().and_then(|files| files.get(0)) else {
        return;
    };
    upload_error.set(None);
    #[allow(clippy::cast_precision_loss)]
    if file.size() > PHOTO_MAX_BYTES as f64 {
        upload_error.set(Some(
            "That photo is too large. Choose one under 8 MB.".into(),
        ));
        return;
    }
    let Ok(xhr) = web_sys::XmlHttpRequest::new() else {
        upload_error.set(Some("Your browser can't upload files here.".into()));
        return;
    };
    if xhr.open("POST", "/uploads/profile-photo").is_err() {
        return;
    }
    let _ = xhr.set_request_header("Content-Type", &file.type_());
    progress.set(Some(0));
    if let Ok(target) = xhr.upload() {
        let on_progress =
            Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |e: web_sys::ProgressEvent| {
                if e.length_computable() && e.total() > 0.0 {
                    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                    let percent = ((e.loaded() / e.total()) * 100.0).round() as u32;
                    progress.set(Some(percent.min(100)));
                }
            });
        target.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
        on_progress.forget();
    }
    let done = xhr.clone();
    let on_load = Closure::<dyn FnMut()>::new(move || {
        progress.set(None);
        let status = done.status().unwrap_or(0);
        let body = done.response_text().ok().flatten().unwrap_or_default();
        let json: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
        match (status, json["photo_url"].as_str(), json["error"].as_str()) {
            (200, Some(url), _) => photo_url.set(Some(url.to_owned())),
            (413, _, _) => upload_error.set(Some(
                "That photo is too large. Choose one under 8 MB.".into(),
            )),
            (_, _, Some(message)) => {
                let field = json["detail"]["Validation"][0]["message"]
                    .as_str()
                    .unwrap_or(message);
                upload_error.set(Some(field.to_owned()));
            }
            _ => upload_error.set(Some(
                "The upload failed. Check your connection and try again.".into(),
            )),
        }
    });
    xhr.set_onloadend(Some(on_load.as_ref().unchecked_ref()));
    on_load.forget();
    let _ = xhr.send_with_opt_blob(Some(&file));
}
