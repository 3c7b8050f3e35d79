//! The browser entry point: hydrates the server-rendered [`boptone_app::App`].

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(boptone_app::App);
}
