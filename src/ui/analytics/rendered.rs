//! The report as rendered HTML, kept per computed report. Analysts under load ask for the same
//! range again and again; the data is already cached (`server::analytics`), but rendering its
//! table and year-long chart cost about 1 ms of CPU per request, five times the rest of the
//! page. A report's stamp changes with every computation (a write, or the cache's 5 s), so a
//! kept rendering never outlives its data. Hand-written: the page is built inside a reactive
//! render, where no HTTP cache layer can see which part is shared.
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

const KEPT: usize = 32;

fn kept() -> &'static Mutex<HashMap<String, Arc<str>>> {
    static KEPT_HTML: OnceLock<Mutex<HashMap<String, Arc<str>>>> = OnceLock::new();
    KEPT_HTML.get_or_init(Default::default)
}

pub fn get(key: &str) -> Option<Arc<str>> {
    kept()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(key)
        .cloned()
}

pub fn put(key: String, html: Arc<str>) {
    let mut kept = kept().lock().unwrap_or_else(|e| e.into_inner());
    if kept.len() >= KEPT {
        kept.clear();
    }
    kept.insert(key, html);
}
