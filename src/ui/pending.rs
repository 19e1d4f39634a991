//! The browser side of every server-rendered screen. Screens post plain forms (they work
//! without JavaScript too); once the wasm is loaded, a form on its way shows that it is busy
//! and cannot be sent twice, and its button says what is happening ("Saving…").
use leptos::ev;
use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;
use leptos::web_sys::{Element, HtmlElement, HtmlFormElement};

pub fn watch_forms() {
    // The handles are dropped: a dropped handle leaves its listener in place, for the page's life.
    let _ = window_event_listener(ev::submit, |ev| {
        let Some(form) = ev
            .target()
            .and_then(|t| t.dyn_into::<HtmlFormElement>().ok())
        else {
            return;
        };
        if form.has_attribute("aria-busy") {
            // A second click while the first post is on its way.
            ev.prevent_default();
            return;
        }
        if ev.default_prevented() {
            return;
        }
        let _ = form.set_attribute("aria-busy", "true");
        if form.method() == "get" {
            omit_empty(&form);
        }
        if let Some(button) = ev
            .submitter()
            .and_then(|b| b.dyn_into::<HtmlElement>().ok())
        {
            if let Some(label) = button.get_attribute("data-pending") {
                let _ = button.set_attribute("data-label", &button.inner_text());
                button.set_inner_text(&label);
            }
        }
    });
    // Back/forward may restore a page from the cache as it was left: busy.
    let _ = window_event_listener(ev::pageshow, |_| {
        each("form[aria-busy]", |e| {
            let _ = e.remove_attribute("aria-busy");
        });
        each("[data-omitted]", |e| {
            let _ = e.remove_attribute("data-omitted");
            let _ = e.remove_attribute("disabled");
        });
        each("[data-label]", |e| {
            e.set_text_content(e.get_attribute("data-label").as_deref());
            let _ = e.remove_attribute("data-label");
        });
    });
}

fn each(selector: &str, f: impl Fn(&Element)) {
    if let Ok(list) = document().query_selector_all(selector) {
        for i in 0..list.length() {
            if let Some(e) = list.item(i).and_then(|n| n.dyn_into::<Element>().ok()) {
                f(&e);
            }
        }
    }
}

/// Marks the page as hydrated for people and tests: after the islands (which hydrate in the
/// same turn, right after this module starts).
pub fn mark_hydrated() {
    set_timeout(
        || {
            if let Some(body) = document().body() {
                let _ = body.set_attribute("data-hydrated", "true");
            }
        },
        std::time::Duration::ZERO,
    );
}

/// A search or filter form (GET) leaves its empty fields out of the URL, so the address holds
/// only what is set (`?currency=USD`, not `?kind=&trigger=&currency=USD`). Disabled controls
/// are not sent; `pageshow` enables them again.
fn omit_empty(form: &HtmlFormElement) {
    let controls = form.elements();
    for i in 0..controls.length() {
        let Some(el) = controls.item(i) else { continue };
        let named = el.get_attribute("name").is_some_and(|n| !n.is_empty());
        let value = js_sys::Reflect::get(&el, &"value".into())
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default();
        if named && value.is_empty() && !el.has_attribute("disabled") {
            let _ = el.set_attribute("data-omitted", "");
            let _ = el.set_attribute("disabled", "");
        }
    }
}
