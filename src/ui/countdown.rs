//! The offer's countdown, ticking in the browser: the server renders the minutes left (and
//! refuses an accept once the offer has expired, whatever the page says); once the wasm is
//! loaded, every `[data-countdown]` shows its label and the minutes and seconds left, measured against the server's
//! clock (`data-now`), so a wrong clock on the customer's device does not move it.
use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;
use leptos::web_sys::Element;
use std::time::Duration;

pub fn tick() {
    let loaded = js_sys::Date::now() as i64;
    let update = move || {
        let Ok(list) = document().query_selector_all("[data-countdown]") else {
            return;
        };
        for i in 0..list.length() {
            let Some(e) = list.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else {
                continue;
            };
            let num = |k: &str| e.get_attribute(k).and_then(|v| v.parse::<i64>().ok());
            let (Some(expires), Some(server_now)) = (num("data-expires-at"), num("data-now"))
            else {
                continue;
            };
            let now = server_now + (js_sys::Date::now() as i64 - loaded);
            let text = match left(expires - now) {
                Some(t) => format!("{} {t}", e.get_attribute("data-label").unwrap_or_default()),
                None => e.get_attribute("data-expired").unwrap_or_default(),
            };
            e.set_text_content(Some(&text));
        }
    };
    update();
    let _ = set_interval_with_handle(update, Duration::from_secs(1));
}

/// "4:05", "1:02:09"; `None` once nothing is left.
fn left(ms: i64) -> Option<String> {
    if ms <= 0 {
        return None;
    }
    let s = (ms + 999) / 1000;
    let (h, m, s) = (s / 3600, s / 60 % 60, s % 60);
    Some(if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    })
}
