//! Form controls, alerts and small building blocks with accessible defaults.

use boptone::AppError;
use leptos::prelude::*;

/// A labelled input with its hint and its error, wired for screen readers.
#[component]
pub fn TextField(
    /// The form field name (the server function argument).
    name: &'static str,
    label: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional, into)] value: Option<String>,
    #[prop(default = true)] required: bool,
    #[prop(optional)] minlength: Option<u32>,
    /// The error message for this field, if the last submission had one.
    #[prop(into)]
    error: Signal<Option<String>>,
) -> impl IntoView {
    let id = format!("field-{name}");
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described_by = {
        let hint_id = hint_id.clone();
        let error_id = error_id.clone();
        move || {
            let mut ids = Vec::new();
            if hint.is_some() {
                ids.push(hint_id.clone());
            }
            if error.get().is_some() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <div class="space-y-1.5">
            <label for=id.clone() class="block text-sm font-medium text-zinc-200">
                {label}
            </label>
            <input
                id=id
                name=name
                type=kind
                value=value
                autocomplete=autocomplete
                required=required
                minlength=minlength
                aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                aria-describedby=described_by
                class="block w-full rounded-xl border border-zinc-700 bg-zinc-900 px-3.5 py-2.5 text-base text-zinc-50 placeholder-zinc-500 shadow-sm transition focus:border-fuchsia-400 focus:outline-none focus:ring-2 focus:ring-fuchsia-400/40 aria-[invalid=true]:border-rose-400"
            />
            {hint
                .map(|h| {
                    view! {
                        <p id=hint_id class="text-sm text-zinc-400">
                            {h}
                        </p>
                    }
                })}
            {move || {
                error
                    .get()
                    .map(|message| {
                        view! {
                            <p
                                id=error_id.clone()
                                class="text-sm font-medium text-rose-300"
                                role="alert"
                            >
                                {message}
                            </p>
                        }
                    })
            }}
        </div>
    }
}

/// An action's last result, as `ServerAction::value()` gives it.
pub trait ActionValue<T>:
    With<Value = Option<Result<T, AppError>>> + Clone + Send + Sync + 'static
{
}
impl<T, S> ActionValue<T> for S where
    S: With<Value = Option<Result<T, AppError>>> + Clone + Send + Sync + 'static
{
}

/// The error message of `field` from an action's last result.
pub fn field_error<T>(
    value: impl ActionValue<T>,
    field: impl AsRef<str> + Send + Sync + 'static,
) -> Signal<Option<String>> {
    Signal::derive(move || {
        value.with(|v| match v {
            Some(Err(err)) => err.field_message(field.as_ref()).map(str::to_owned),
            _ => None,
        })
    })
}

/// A message for the whole form: any error that is not about one of `fields`.
pub fn form_error<T>(
    value: impl ActionValue<T>,
    fields: &'static [&'static str],
) -> Signal<Option<String>> {
    Signal::derive(move || {
        value.with(|v| match v {
            Some(Err(AppError::Validation(errors))) => errors
                .iter()
                .find(|e| !fields.contains(&e.field.as_str()))
                .map(|e| e.message.clone()),
            Some(Err(err)) => Some(err.to_string()),
            _ => None,
        })
    })
}

/// An alert box for form-level errors, announced when it appears.
#[component]
pub fn FormAlert(#[prop(into)] message: Signal<Option<String>>) -> impl IntoView {
    move || {
        message
            .get()
            .map(|m| {
                view! {
                    <div
                        role="alert"
                        class="rounded-xl border border-rose-500/40 bg-rose-500/10 px-4 py-3 text-sm text-rose-200"
                    >
                        {m}
                    </div>
                }
            })
    }
}

/// A notice for good news (sent, saved, confirmed).
#[component]
pub fn Notice(children: Children) -> impl IntoView {
    view! {
        <div
            role="status"
            class="rounded-xl border border-emerald-500/40 bg-emerald-500/10 px-4 py-3 text-sm text-emerald-200"
        >
            {children()}
        </div>
    }
}

/// The primary submit button; shows progress while `pending`.
#[component]
pub fn SubmitButton(
    label: &'static str,
    pending_label: &'static str,
    #[prop(into)] pending: Signal<bool>,
) -> impl IntoView {
    view! {
        <button
            type="submit"
            class="btn-primary w-full"
            aria-busy=move || if pending.get() { "true" } else { "false" }
            disabled=move || pending.get()
        >
            {move || if pending.get() { pending_label } else { label }}
        </button>
    }
}

/// A centred card for the account forms.
#[component]
pub fn AuthCard(
    title: &'static str,
    #[prop(optional)] subtitle: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    view! {
        <div class="mx-auto w-full max-w-md px-4 py-10 sm:py-16">
            <div class="rounded-3xl border border-zinc-800 bg-zinc-900/60 p-6 shadow-2xl shadow-fuchsia-950/20 sm:p-8">
                <h1 class="text-2xl font-semibold tracking-tight text-white">{title}</h1>
                {subtitle.map(|s| view! { <p class="mt-1.5 text-sm text-zinc-400">{s}</p> })}
                <div class="mt-6">{children()}</div>
            </div>
        </div>
    }
}

/// A friendly empty state with one way forward.
#[component]
pub fn EmptyState(
    title: &'static str,
    body: &'static str,
    action_label: &'static str,
    action_href: &'static str,
) -> impl IntoView {
    view! {
        <div class="mx-auto max-w-md rounded-3xl border border-dashed border-zinc-700 px-6 py-12 text-center">
            <h2 class="text-lg font-semibold text-white">{title}</h2>
            <p class="mt-2 text-sm text-zinc-400">{body}</p>
            <a href=action_href class="btn-secondary mt-6 inline-flex">
                {action_label}
            </a>
        </div>
    }
}

/// A loading placeholder that says what is loading.
#[component]
pub fn Loading(label: &'static str) -> impl IntoView {
    view! {
        <div
            role="status"
            aria-live="polite"
            class="flex items-center gap-3 px-4 py-8 text-sm text-zinc-400"
        >
            <span class="h-4 w-4 animate-spin rounded-full border-2 border-zinc-600 border-t-fuchsia-400"></span>
            {label}
        </div>
    }
}

/// A failed load, in words a person can act on.
#[component]
pub fn LoadError(error: AppError) -> impl IntoView {
    view! {
        <div
            role="alert"
            class="mx-auto max-w-md rounded-2xl border border-rose-500/40 bg-rose-500/10 px-5 py-4 text-sm text-rose-200"
        >
            {error.to_string()}
        </div>
    }
}

/// The look of a text field or text area.
pub const TEXT_INPUT: &str = "block w-full rounded-xl border border-zinc-700 bg-zinc-900 px-3.5 py-2.5 text-base text-zinc-50 placeholder-zinc-500 focus:border-fuchsia-400 focus:outline-none focus:ring-2 focus:ring-fuchsia-400/40 aria-[invalid=true]:border-rose-400";

/// "Processing… 40%" and its bar, for an upload a job is working on.
#[component]
pub fn ProcessingProgress(percent: i64) -> impl IntoView {
    view! {
        <p class="text-sm text-amber-200" data-state="processing">
            {format!("Processing… {percent}%")}
        </p>
        <div
            class="mt-2 h-2 w-full overflow-hidden rounded-full bg-zinc-800"
            role="progressbar"
            aria-label="Processing progress"
            aria-valuemin="0"
            aria-valuemax="100"
            aria-valuenow=percent.to_string()
        >
            <div
                class="h-full rounded-full bg-amber-300 transition-all"
                style=format!("width: {percent}%")
            ></div>
        </div>
    }
}

/// Bumps `tick` two seconds after `busy` last read true (a list with something still
/// processing): one pending check at a time, dropped with the page.
pub fn poll_while(busy: impl Fn() -> bool + Send + Sync + 'static, tick: RwSignal<u32>) {
    // Thread-safe storage: the server may drop a page on another thread than the one
    // that rendered it, and a browser-only value dropped there panics.
    let pending = StoredValue::new(None::<leptos::prelude::TimeoutHandle>);
    let stop = move || {
        if let Some(handle) = pending.try_update_value(Option::take).flatten() {
            handle.clear();
        }
    };
    // In the browser only: the server never schedules a check.
    #[cfg(feature = "hydrate")]
    on_cleanup(stop);
    Effect::new(move |_| {
        let busy = busy();
        stop();
        if busy {
            let handle = set_timeout_with_handle(
                move || tick.update(|t| *t += 1),
                std::time::Duration::from_secs(2),
            );
            pending.set_value(handle.ok());
        }
    });
}
