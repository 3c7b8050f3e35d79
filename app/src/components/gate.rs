//! Leaving the page: full navigations (to the payment provider, or to a page that must
//! see a new session cookie), and the gate's redirect to the step an artist must finish.

use boptone::AppError;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use super::ui::ActionValue;

/// Sends the browser to `url` with a full page load.
pub fn go(url: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(window) = web_sys::window() {
        let _ = window.location().assign(url);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = url;
}

/// Where the gate sends the artist for `err`, if it is a gate refusal.
pub fn gate_path(err: &AppError) -> Option<&'static str> {
    match err {
        AppError::Gate { step } => Some(step.path()),
        _ => None,
    }
}

/// When the last result of `value` is a gate refusal, goes to the step it names (ONB-6:
/// the UI sends the artist to the first incomplete step).
pub fn follow_gate<T: 'static>(value: impl ActionValue<T>) {
    let navigate = use_navigate();
    Effect::new(move |_| {
        let target = value.with(|v| match v {
            Some(Err(err)) => gate_path(err),
            _ => None,
        });
        if let Some(path) = target {
            navigate(&format!("{path}?from=gate"), Default::default());
        }
    });
}
