//! Dates in the viewer's time zone (SPEC quality bar). The server and the hydrating
//! browser render the UTC text, so both agree; then an effect, which runs only in the
//! browser, swaps in the viewer's own, with the time zone's offset on that date.

use boptone::time::{format_day, format_local, format_local_day, format_utc, iso_day};
use leptos::prelude::*;

/// The viewer's offset from UTC on the date of `ms`, in minutes (ahead is positive).
#[cfg(feature = "hydrate")]
fn viewer_offset(ms: i64) -> i64 {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    // `getTimezoneOffset` counts minutes behind UTC.
    -(date.get_timezone_offset() as i64)
}

/// Text computed from the viewer's offset once the page runs in the browser.
fn localised(ms: i64, utc: String, local: fn(i64, i64) -> String) -> RwSignal<String> {
    let text = RwSignal::new(utc);
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        text.set(local(ms, viewer_offset(ms)));
        #[cfg(not(feature = "hydrate"))]
        let _ = (local, ms);
    });
    text
}

/// "25 Nov 2026", the viewer's calendar day of `ms`.
#[component]
pub fn LocalDay(ms: i64) -> impl IntoView {
    let text = localised(ms, format_day(ms), format_local_day);
    view! { <time datetime=iso_day(ms)>{move || text.get()}</time> }
}

/// "25 Nov 2026, 04:10", the viewer's date and time of `ms`.
#[component]
pub fn LocalMoment(ms: i64) -> impl IntoView {
    let text = localised(ms, format_utc(ms), format_local);
    view! { <time datetime=iso_day(ms)>{move || text.get()}</time> }
}
