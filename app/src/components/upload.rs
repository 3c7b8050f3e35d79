//! File uploads with progress: the file goes as the raw body of a `POST` (the upload
//! routes stream it to storage), through `XMLHttpRequest`, whose upload events give a
//! percentage `fetch` cannot. One [`Uploader`] per form: its progress bar, its message,
//! and the request in flight, which a cancel button or leaving the page aborts.

use leptos::prelude::*;

/// An upload form's state: the percent sent while an upload runs, the last message,
/// and the request in flight.
#[derive(Clone, Copy)]
pub struct Uploader {
    pub progress: RwSignal<Option<u32>>,
    pub error: RwSignal<Option<String>>,
    inflight: InflightStore,
}

/// The request in flight: browser-only (an `XMLHttpRequest` stays on its thread). The
/// server renders the form and never uploads; there it is thread-safe and always empty,
/// since it may drop a page on another thread than the one that rendered it.
#[cfg(feature = "hydrate")]
type InflightStore = StoredValue<Option<Inflight>, LocalStorage>;
#[cfg(not(feature = "hydrate"))]
type InflightStore = StoredValue<Option<Inflight>>;

#[derive(Clone)]
struct Inflight {
    #[cfg(feature = "hydrate")]
    xhr: web_sys::XmlHttpRequest,
}

impl Uploader {
    /// A new uploader. Leaving the page ends an upload in flight: nothing is stored
    /// behind the person's back, and its handlers never touch the page's disposed state.
    pub fn new() -> Self {
        let uploader = Self {
            progress: RwSignal::new(None),
            error: RwSignal::new(None),
            #[cfg(feature = "hydrate")]
            inflight: StoredValue::new_local(None),
            #[cfg(not(feature = "hydrate"))]
            inflight: StoredValue::new(None),
        };
        // In the browser only: nothing is ever in flight on the server.
        #[cfg(feature = "hydrate")]
        on_cleanup(move || {
            if let Some(upload) = uploader.inflight.try_update_value(Option::take).flatten() {
                uploader.progress.try_set(None);
                upload.abort();
            }
        });
        uploader
    }

    /// Whether an upload is running.
    pub fn busy(&self) -> bool {
        self.progress.get().is_some()
    }

    /// Ends the upload in flight, saying `message`.
    pub fn cancel(&self, message: &str) {
        let upload = self.inflight.with_value(Clone::clone);
        self.inflight.set_value(None);
        self.progress.set(None);
        if let Some(upload) = upload {
            upload.abort();
        }
        self.error.set(Some(message.to_owned()));
    }

    /// Sends `file` to `url` as the raw body. `done` gets the server's JSON answer of a
    /// 200; any other answer becomes the message: the first field error, the error's
    /// text, or `too_large` for a 413 the body limit gave before the route ran.
    #[cfg(feature = "hydrate")]
    pub fn send(
        &self,
        file: &web_sys::File,
        url: &str,
        too_large: &'static str,
        done: impl FnOnce(serde_json::Value) + 'static,
    ) {
        use wasm_bindgen::{JsCast, closure::Closure};

        let Ok(xhr) = web_sys::XmlHttpRequest::new() else {
            self.error
                .set(Some("Your browser can't upload files here.".into()));
            return;
        };
        if xhr.open("POST", url).is_err() {
            return;
        }
        let _ = xhr.set_request_header("Content-Type", &file.type_());
        self.error.set(None);
        self.progress.set(Some(0));
        let progress = self.progress;
        if let Ok(target) = xhr.upload() {
            let on_progress = Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(
                move |e: web_sys::ProgressEvent| {
                    if e.length_computable() && e.total() > 0.0 {
                        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                        let percent = ((e.loaded() / e.total()) * 100.0).floor() as u32;
                        // 100 only once the server has answered.
                        progress.try_set(Some(percent.min(99)));
                    }
                },
            );
            target.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
            on_progress.forget();
        }
        let answered = xhr.clone();
        let (inflight, error) = (self.inflight, self.error);
        let mut done = Some(done);
        let on_end = Closure::<dyn FnMut()>::new(move || {
            // After the page is gone, nothing to show.
            if inflight.try_set_value(None).is_some() {
                return;
            }
            let status = answered.status().unwrap_or(0);
            if status == 0 {
                // The connection dropped (a cancel has already cleared the progress and
                // said its own message).
                if progress.try_get_untracked().flatten().is_some() {
                    error.try_set(Some(
                        "The upload stopped. Check your connection and try again.".into(),
                    ));
                }
                progress.try_set(None);
                return;
            }
            progress.try_set(None);
            let body = answered.response_text().ok().flatten().unwrap_or_default();
            let json: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
            if status == 200 {
                if let Some(done) = done.take() {
                    done(json);
                }
                return;
            }
            let message = if status == 413 {
                too_large
            } else {
                json["detail"]["Validation"][0]["message"]
                    .as_str()
                    .or(json["error"].as_str())
                    .unwrap_or("The upload failed. Check your connection and try again.")
            };
            error.try_set(Some(message.to_owned()));
        });
        xhr.set_onloadend(Some(on_end.as_ref().unchecked_ref()));
        on_end.forget();
        self.inflight.set_value(Some(Inflight { xhr: xhr.clone() }));
        let _ = xhr.send_with_opt_blob(Some(file));
    }
}

impl Default for Uploader {
    fn default() -> Self {
        Self::new()
    }
}

impl Inflight {
    fn abort(&self) {
        #[cfg(feature = "hydrate")]
        let _ = self.xhr.abort();
    }
}

/// The first file chosen in `input`, if any.
#[cfg(feature = "hydrate")]
pub fn chosen_file(input: NodeRef<leptos::html::Input>) -> Option<web_sys::File> {
    input
        .get_untracked()
        .and_then(|input| input.files())
        .and_then(|files| files.get(0))
}

/// `path?name=value…`, the values encoded.
#[cfg(feature = "hydrate")]
pub fn url_with(path: &str, params: &[(&str, &str)]) -> String {
    let Ok(query) = web_sys::UrlSearchParams::new() else {
        return path.to_owned();
    };
    for (name, value) in params {
        query.append(name, value);
    }
    format!("{path}?{}", String::from(query.to_string()))
}

/// The progress of an upload while it runs ("Uploading… 42%" and a bar), with a
/// cancel button when `on_cancel` is given.
#[component]
pub fn UploadProgress(
    uploader: Uploader,
    #[prop(optional, into)] on_cancel: Option<Callback<()>>,
) -> impl IntoView {
    move || {
        uploader.progress.get().map(|p| {
            view! {
                <div class="space-y-2">
                    <p class="text-sm text-zinc-300" aria-live="polite">
                        {format!("Uploading… {p}%")}
                    </p>
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
                    {on_cancel
                        .map(|cancel| {
                            view! {
                                <button
                                    type="button"
                                    class="btn-secondary"
                                    on:click=move |_| cancel.run(())
                                >
                                    "Cancel upload"
                                </button>
                            }
                        })}
                </div>
            }
        })
    }
}

/// The uploader's last message (a refusal, a dropped connection, a cancel).
#[component]
pub fn UploadMessage(uploader: Uploader) -> impl IntoView {
    move || {
        uploader.error.get().map(|m| {
            view! {
                <p class="text-sm font-medium text-rose-300" role="alert">
                    {m}
                </p>
            }
        })
    }
}
