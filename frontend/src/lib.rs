//! The browser entry point: hydrates the server-rendered [`boptone_app::App`], loading
//! the code of the current page's group first (pages are split into groups: see
//! the route table in `boptone-app`).

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_lazy(boptone_app::App);
}
