#![recursion_limit = "256"]
//! The browser half: hydrates the server-rendered page.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Lazy: a page split off the main bundle (staff, employment, account) is fetched before it
    // hydrates, instead of hydrating against code the browser does not have yet.
    leptos::mount::hydrate_lazy(app::App);
}
