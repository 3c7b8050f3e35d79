//! The Bop video player: HLS through hls.js where the browser has Media Source
//! Extensions (checked with `Hls.isSupported()` first: Chromium claims native HLS and
//! then fails on fMP4 segments), the browser's own HLS otherwise (Safari), and the
//! poster alone when neither works. hls.js is loaded once, the first time a player
//! needs it, from `/vendor/` (copied from npm into the site at build time).
//!
//! The first Bop of a page starts faster: it plays its progressive MP4, named in the
//! server-rendered HTML with `autoplay muted`, so the browser fetches and plays it while
//! the page is parsed, before any script or WebAssembly has arrived.

use leptos::{html, prelude::*};

/// hls.js, served from the site.
pub const HLS_SCRIPT: &str = "/vendor/hls.light.min.js";

/// A Bop's video. `active` plays it (muted per `muted`) and lets it buffer ahead;
/// inactive, it stays paused with only its first segment loaded. `played` is told the
/// seconds actually played, as they accumulate (seeking does not count). With
/// `fast_start` (a progressive MP4), the video plays that file from the HTML on and
/// hls.js is not used.
#[component]
pub fn BopVideo(
    src: String,
    fast_start: Option<String>,
    poster: String,
    label: String,
    #[prop(into)] active: Signal<bool>,
    muted: RwSignal<bool>,
    #[prop(into)] played: Callback<f64>,
) -> impl IntoView {
    let video = NodeRef::<html::Video>::new();
    let paused = RwSignal::new(false);
    #[cfg(feature = "hydrate")]
    {
        let attached = StoredValue::new_local(None::<hls::Attached>);
        let src = src.clone();
        let progressive = fast_start.is_some();
        Effect::new(move |_| {
            if let Some(el) = video.get()
                && !progressive
                && attached.with_value(Option::is_none)
            {
                attached.set_value(Some(hls::attach(&el, &src, active.get_untracked())));
            }
        });
        Effect::new(move |_| {
            let on = active.get();
            let Some(el) = video.get() else { return };
            attached.with_value(|a| {
                if let Some(a) = a {
                    a.set_buffer(on);
                }
            });
            if on {
                paused.set(false);
                hls::play(&el, muted);
            } else {
                let _ = el.pause();
            }
        });
        on_cleanup(move || {
            if let Some(Some(a)) = attached.try_update_value(Option::take) {
                a.destroy();
            }
        });
    }
    let last_time = StoredValue::new(0.0_f64);
    let on_time = move |_| {
        let Some(el) = video.get_untracked() else {
            return;
        };
        let now = el.current_time();
        let step = now - last_time.get_value();
        last_time.set_value(now);
        // Playing moves a few tenths of a second between updates; a seek jumps.
        if step > 0.0 && step < 1.0 {
            played.run(step);
        }
    };
    let toggle = move |_| {
        let Some(el) = video.get_untracked() else {
            return;
        };
        if el.paused() {
            paused.set(false);
            #[cfg(feature = "hydrate")]
            hls::play(&el, muted);
        } else {
            paused.set(true);
            let _ = el.pause();
        }
    };
    view! {
        <video
            node_ref=video
            class="h-full w-full bg-black object-cover md:object-contain"
            poster=poster
            aria-label=label
            src=fast_start.clone()
            autoplay=fast_start.is_some()
            muted=true
            playsinline
            loop
            preload="auto"
            disablepictureinpicture
            prop:muted=move || muted.get()
            prop:autoplay=move || active.get()
            on:timeupdate=on_time
            on:click=toggle
            data-src=src
        ></video>
        <Show when=move || paused.get() && active.get()>
            <div class="pointer-events-none absolute inset-0 grid place-items-center">
                <span class="rounded-full bg-black/50 px-4 py-2 text-sm font-semibold text-white">
                    "Paused"
                </span>
            </div>
        </Show>
    }
}

#[cfg(feature = "hydrate")]
mod hls {
    use wasm_bindgen::{JsCast, JsValue, closure::Closure, prelude::wasm_bindgen};
    use web_sys::HtmlVideoElement;

    #[wasm_bindgen]
    extern "C" {
        /// hls.js's player (`window.Hls`).
        type Hls;

        #[wasm_bindgen(constructor, catch)]
        fn new(config: &JsValue) -> Result<Hls, JsValue>;

        #[wasm_bindgen(static_method_of = Hls, js_name = isSupported, catch)]
        fn is_supported() -> Result<bool, JsValue>;

        #[wasm_bindgen(method, js_name = loadSource)]
        fn load_source(this: &Hls, url: &str);

        #[wasm_bindgen(method, js_name = attachMedia)]
        fn attach_media(this: &Hls, media: &HtmlVideoElement);

        #[wasm_bindgen(method, getter)]
        fn config(this: &Hls) -> JsValue;

        #[wasm_bindgen(method)]
        fn destroy(this: &Hls);
    }

    /// Seconds buffered ahead: a little for a Bop waiting its turn (its first segment
    /// is ready when it comes up), more for the one playing.
    const AHEAD_WAITING: f64 = 2.0;
    const AHEAD_PLAYING: f64 = 20.0;

    /// A player attached to a video element, once hls.js (when used) is loaded.
    pub struct Attached {
        hls: std::rc::Rc<std::cell::RefCell<Option<Hls>>>,
        /// Set when the slide is gone before hls.js loaded: nothing is attached then.
        gone: std::rc::Rc<std::cell::Cell<bool>>,
    }

    impl Attached {
        pub fn set_buffer(&self, playing: bool) {
            if let Some(hls) = self.hls.borrow().as_ref() {
                set_ahead(hls, playing);
            }
        }

        pub fn destroy(self) {
            self.gone.set(true);
            if let Some(hls) = self.hls.borrow_mut().take() {
                hls.destroy();
            }
        }
    }

    fn set_ahead(hls: &Hls, playing: bool) {
        let ahead = if playing {
            AHEAD_PLAYING
        } else {
            AHEAD_WAITING
        };
        let config = hls.config();
        let _ = js_sys::Reflect::set(&config, &"maxBufferLength".into(), &ahead.into());
        let _ = js_sys::Reflect::set(&config, &"maxMaxBufferLength".into(), &(ahead * 2.0).into());
    }

    fn hls_loaded() -> bool {
        web_sys::window()
            .and_then(|w| js_sys::Reflect::get(&w, &"Hls".into()).ok())
            .is_some_and(|v| !v.is_undefined())
    }

    /// Runs `then` once hls.js is loaded (adding its script to the page the first time).
    fn with_hls(then: impl FnOnce() + 'static) {
        if hls_loaded() {
            then();
            return;
        }
        let Some(document) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        // The tag an earlier player added, else one added now.
        let selector = format!("script[src=\"{}\"]", super::HLS_SCRIPT);
        let script = match document.query_selector(&selector).ok().flatten() {
            Some(existing) => existing,
            None => {
                let Ok(script) = document.create_element("script") else {
                    return;
                };
                let _ = script.set_attribute("src", super::HLS_SCRIPT);
                if let Some(head) = document.head() {
                    let _ = head.append_child(&script);
                }
                script
            }
        };
        // Loaded, or failed to load (then the browser's own HLS is tried): once.
        let then = std::rc::Rc::new(std::cell::Cell::new(Some(then)));
        for event in ["load", "error"] {
            let then = then.clone();
            let done = Closure::<dyn FnMut()>::new(move || {
                if let Some(then) = then.take() {
                    then();
                }
            });
            let _ = script.add_event_listener_with_callback(event, done.as_ref().unchecked_ref());
            done.forget();
        }
    }

    /// Starts playing. The browser refuses sound without a tap first (after a reload
    /// with sound on, say): then it plays muted. Any other refusal (a newer load) only
    /// means it waits, so it is not an error.
    pub fn play(video: &HtmlVideoElement, muted: leptos::prelude::RwSignal<bool>) {
        use leptos::prelude::*;
        let Ok(promise) = video.play() else { return };
        let retry = video.clone();
        let refused = Closure::once(move |err: JsValue| {
            let name = js_sys::Reflect::get(&err, &"name".into())
                .ok()
                .and_then(|n| n.as_string());
            if name.as_deref() == Some("NotAllowedError") && !retry.muted() {
                muted.set(true);
                retry.set_muted(true);
                let _ = retry.play();
            }
        });
        let _ = promise.catch(&refused);
        refused.forget();
    }

    /// Plays `src` in `video`: through hls.js where supported, else the browser's own
    /// HLS.
    pub fn attach(video: &HtmlVideoElement, src: &str, playing: bool) -> Attached {
        let slot = std::rc::Rc::new(std::cell::RefCell::new(None));
        let gone = std::rc::Rc::new(std::cell::Cell::new(false));
        let attached = Attached {
            hls: slot.clone(),
            gone: gone.clone(),
        };
        let video = video.clone();
        let src = src.to_owned();
        with_hls(move || {
            if gone.get() {
                return;
            }
            if Hls::is_supported().unwrap_or(false) {
                let config = js_sys::Object::new();
                let _ = js_sys::Reflect::set(&config, &"capLevelToPlayerSize".into(), &true.into());
                let _ = js_sys::Reflect::set(&config, &"startLevel".into(), &(-1).into());
                // fMP4 segments need no transmuxing worker (and the CSP allows none).
                let _ = js_sys::Reflect::set(&config, &"enableWorker".into(), &false.into());
                if let Ok(hls) = Hls::new(&config) {
                    set_ahead(&hls, playing);
                    hls.load_source(&src);
                    hls.attach_media(&video);
                    *slot.borrow_mut() = Some(hls);
                    return;
                }
            }
            if !video
                .can_play_type("application/vnd.apple.mpegurl")
                .is_empty()
            {
                video.set_src(&src);
            }
        });
        attached
    }
}
