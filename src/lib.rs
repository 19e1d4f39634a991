#![recursion_limit = "256"]
//! Upsell Dashboard: one crate, two builds. `ssr` is the server (axum + sqlx + the Dodo SDK);
//! `hydrate` is the browser bundle. Dependencies point one way: ui → api → server → domain.
pub mod api;
pub mod app;
pub mod domain;
#[cfg(feature = "ssr")]
pub mod server;
pub mod ui;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
    ui::pending::watch_forms();
    ui::countdown::tick();
    ui::pending::mark_hydrated();
}
