//! What every response says about itself: its security headers and how long it may be kept.
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

/// A page's policy: only our own scripts (leptos's inline hydration script by this response's
/// nonce), our stylesheet and our wasm; no plugins, no `<base>`, no framing (the offer page's
/// one-click button must not be clickjacked). `dev` lets `cargo leptos watch`'s reload socket in.
pub fn page_csp(nonce: &str, dev: bool) -> String {
    let connect = if dev { "'self' ws: wss:" } else { "'self'" };
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src {connect}; object-src 'none'; \
         base-uri 'none'; frame-ancestors 'none'"
    )
}

/// The policy of the page being rendered, with the nonce leptos put on its scripts.
pub fn set_page_csp() {
    use leptos::prelude::use_context;
    let (Some(nonce), Some(res)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) else {
        return;
    };
    let dev = use_context::<crate::server::state::AppState>()
        .is_some_and(|s| s.leptos_options.env == leptos::config::Env::DEV);
    if let Ok(v) = HeaderValue::from_str(&page_csp(&nonce.to_string(), dev)) {
        res.insert_header(header::CONTENT_SECURITY_POLICY, v);
    }
}

/// Anything that is not one of our pages (JSON, files, CSV): nothing may run in it.
const OTHER_CSP: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";
/// The sandbox's stand-ins for Dodo's hosted pages style themselves inline.
const SANDBOX_CSP: &str =
    "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'";

/// How long a response may be kept. Bundle files are named by their content hash, so a
/// browser keeps them for good; pages and API answers carry private data (or an offer's
/// token) and are never stored.
fn cache_control(path: &str, hashed: bool) -> &'static str {
    if path.starts_with("/pkg/") {
        if hashed {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        }
    } else if path == "/favicon.svg" || path == "/robots.txt" {
        "public, max-age=86400"
    } else {
        "no-store"
    }
}

#[derive(Clone, Copy)]
pub struct Policy {
    /// `/pkg` file names carry their content hash (cargo-leptos `hash-files`).
    pub hashed_assets: bool,
    /// Served over https (APP_URL): browsers are told to keep to it.
    pub https: bool,
}

/// Headers every response carries; a header the handler set itself (a page's CSP with its
/// nonce) is kept. The offer page, whose URL holds the offer's token, sends no Referer to any
/// other site: `same-origin` rather than `no-referrer`, because its own accept and decline
/// forms are plain posts that go back to the page by their Referer (leptos's no-JavaScript
/// path and `guard::back_with`). Layered outside `same_origin`, so its refusals carry them too.
pub async fn security_headers(policy: Policy, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let csp = if path.starts_with(crate::server::sandbox::MOUNT) {
        SANDBOX_CSP
    } else {
        OTHER_CSP
    };
    set(h, header::CONTENT_SECURITY_POLICY, csp);
    set(h, header::X_FRAME_OPTIONS, "DENY");
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    let referrer = if path.starts_with("/offer/") {
        "same-origin"
    } else {
        "strict-origin-when-cross-origin"
    };
    set(h, header::REFERRER_POLICY, referrer);
    set(
        h,
        HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    );
    set(
        h,
        header::CACHE_CONTROL,
        cache_control(&path, policy.hashed_assets),
    );
    if path.starts_with("/pkg/") {
        // The same URL answers brotli, gzip or raw by Accept-Encoding (the precompressed
        // files), so a shared cache must keep them apart; ServeDir does not say so itself.
        set(h, header::VARY, "accept-encoding");
    }
    if policy.https {
        set(
            h,
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        );
    }
    res
}

fn set(h: &mut HeaderMap, name: HeaderName, value: &'static str) {
    h.entry(name).or_insert(HeaderValue::from_static(value));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_hashed_bundle_files_are_kept_for_good() {
        assert_eq!(
            cache_control("/pkg/upsell_dashboard-0a1b.wasm", true),
            "public, max-age=31536000, immutable"
        );
        assert_eq!(
            cache_control("/pkg/upsell_dashboard.wasm", false),
            "no-cache"
        );
        assert_eq!(cache_control("/analytics", true), "no-store");
        assert_eq!(cache_control("/offer/otk_1", true), "no-store");
        assert_eq!(cache_control("/favicon.svg", true), "public, max-age=86400");
    }

    #[test]
    fn a_page_runs_only_its_own_nonced_scripts() {
        let p = page_csp("abc", false);
        assert!(p.contains("script-src 'self' 'nonce-abc' 'wasm-unsafe-eval';"));
        assert!(!p.contains("unsafe-inline"));
        assert!(p.contains("frame-ancestors 'none'"));
        assert!(!p.contains("ws:"));
        assert!(page_csp("abc", true).contains("connect-src 'self' ws: wss:"));
    }
}
