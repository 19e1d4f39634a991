//! How responses are served: security headers (a page's CSP names the nonce its scripts
//! carry), caching, compression of pages, and the bundle's precompressed files.
mod common;

use reqwest::header::HeaderMap;
use reqwest::StatusCode;

fn value(h: &HeaderMap, name: &str) -> String {
    h.get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// Every response refuses framing and sniffing; the offer page (its URL holds the token) sends
/// no Referer to other sites, the other pages only their origin. Nothing private is stored.
#[tokio::test]
async fn responses_carry_security_headers() {
    let app = common::sqlite().await;
    let get = |path: &str| common::client().get(format!("{}{path}", app.base)).send();
    for path in [
        "/healthz",
        "/login",
        "/offer/otk_0123456789abcdef0123456789abcdef",
        "/api/v1/offers/otk_0123456789abcdef0123456789abcdef",
    ] {
        let r = get(path).await.unwrap();
        let h = r.headers();
        assert_eq!(value(h, "x-frame-options"), "DENY", "{path}");
        assert!(
            value(h, "content-security-policy").contains("frame-ancestors 'none'"),
            "{path}"
        );
        assert_eq!(value(h, "x-content-type-options"), "nosniff", "{path}");
        assert!(!value(h, "permissions-policy").is_empty(), "{path}");
        let referrer = if path.starts_with("/offer/") {
            "same-origin"
        } else {
            "strict-origin-when-cross-origin"
        };
        assert_eq!(value(h, "referrer-policy"), referrer, "{path}");
        assert_eq!(value(h, "cache-control"), "no-store", "{path}");
        assert!(
            value(h, "strict-transport-security").is_empty(),
            "no HSTS over plain http"
        );
    }
    // A refusal made before any page or server function runs carries them too.
    let refused = common::client()
        .post(format!("{}/api/rules/save", app.base))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(value(refused.headers(), "x-frame-options"), "DENY");
}

/// A page may run only the scripts it was rendered with: the CSP's nonce is fresh per
/// response and is the one on the page's inline hydration script; nothing inline runs without it.
#[tokio::test]
async fn a_page_csp_allows_only_its_own_nonced_scripts() {
    let app = common::sqlite().await;
    let mut nonces = Vec::new();
    for _ in 0..2 {
        let r = common::client()
            .get(format!("{}/login", app.base))
            .send()
            .await
            .unwrap();
        let csp = value(r.headers(), "content-security-policy");
        let html = r.text().await.unwrap();
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        assert!(csp.contains("'wasm-unsafe-eval'"), "{csp}");
        let nonce = csp
            .split("'nonce-")
            .nth(1)
            .and_then(|rest| rest.split('\'').next())
            .unwrap_or_else(|| panic!("no nonce in {csp}"))
            .to_string();
        assert!(nonce.len() >= 16, "{nonce}");
        // Every script on the page carries it.
        let scripts = html.matches("<script").count();
        assert!(scripts > 0, "the page has its hydration script");
        assert_eq!(
            html.matches(&format!("nonce=\"{nonce}\"")).count(),
            scripts,
            "{html}"
        );
        nonces.push(nonce);
    }
    assert_ne!(nonces[0], nonces[1], "a nonce is used once");
}

/// Pages and API answers are compressed as the browser asks (brotli first), never when it
/// does not.
#[tokio::test]
async fn pages_are_compressed_as_the_browser_asks() {
    let app = common::sqlite().await;
    let client = common::client();
    let get = |enc: Option<&str>| {
        let mut r = client.get(format!("{}/login", app.base));
        if let Some(e) = enc {
            r = r.header("accept-encoding", e);
        }
        r.send()
    };
    let plain = get(None).await.unwrap();
    assert_eq!(value(plain.headers(), "content-encoding"), "");
    let plain = plain.bytes().await.unwrap();
    let br = get(Some("br, gzip")).await.unwrap();
    assert_eq!(value(br.headers(), "content-encoding"), "br");
    let br = br.bytes().await.unwrap();
    assert!(
        br.len() * 2 < plain.len(),
        "{} of {} bytes",
        br.len(),
        plain.len()
    );
    let gz = get(Some("gzip")).await.unwrap();
    assert_eq!(value(gz.headers(), "content-encoding"), "gzip");
    assert_eq!(
        &gz.bytes().await.unwrap()[..2],
        &[0x1f, 0x8b],
        "a gzip stream"
    );
}

/// The bundle is served from the files compressed at build time, chosen by Accept-Encoding,
/// and, its names carrying their content hash, cached for good.
#[tokio::test]
async fn bundle_files_are_precompressed_and_immutable() {
    let site = std::env::temp_dir().join(format!("upsell_site_{}", std::process::id()));
    let pkg = site.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    let name = "upsell_dashboard.0a1b2c.wasm";
    std::fs::write(pkg.join(name), b"\0asm raw bytes, the original").unwrap();
    // Stand-ins: the server must pick the file, not compress anything itself.
    std::fs::write(pkg.join(format!("{name}.br")), b"brotli file").unwrap();
    std::fs::write(pkg.join(format!("{name}.gz")), b"gzip file").unwrap();
    let app = common::sqlite_site(&site, true).await;
    let client = common::client();
    let get = |enc: &'static str| {
        client
            .get(format!("{}/pkg/{name}", app.base))
            .header("accept-encoding", enc)
            .send()
    };
    for (enc, encoding, body) in [
        ("br, gzip", "br", &b"brotli file"[..]),
        ("gzip", "gzip", &b"gzip file"[..]),
        ("identity", "", &b"\0asm raw bytes, the original"[..]),
    ] {
        let r = get(enc).await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{enc}");
        let h = r.headers().clone();
        assert_eq!(value(&h, "content-encoding"), encoding, "{enc}");
        assert_eq!(value(&h, "content-type"), "application/wasm", "{enc}");
        assert_eq!(
            value(&h, "cache-control"),
            "public, max-age=31536000, immutable"
        );
        assert!(
            value(&h, "vary").to_lowercase().contains("accept-encoding"),
            "{enc}: {h:?}"
        );
        assert_eq!(&r.bytes().await.unwrap()[..], body, "{enc}");
    }
    let missing = client
        .get(format!("{}/pkg/upsell_dashboard.ffff.wasm", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let _ = std::fs::remove_dir_all(&site);
}

/// `/metrics` answers only its token's bearer, names routes by template (never a token from a
/// path), and counts offers by state, webhook deliveries by outcome and Dodo calls.
#[tokio::test]
async fn metrics_need_their_token_and_never_name_a_token() {
    let app = common::sqlite().await;
    let m = app.merchant().await;
    common::settle(&m).await;
    let token = common::purchase(&app, "cus_PriyaRaman0001", "pdt_LpTemplatePack01")
        .await
        .expect("an offer");
    common::client()
        .get(format!("{}/offer/{token}", app.base))
        .send()
        .await
        .unwrap();
    let (s, _) = common::deliver(
        &app,
        "whsec_MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTI=",
        "msg_forged",
        chrono::Utc::now().timestamp(),
        "{}",
    )
    .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let client = common::client();
    let url = format!("{}/metrics", app.base);
    let r = client.get(&url).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = client.get(&url).bearer_auth("not-it").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = client
        .get(&url)
        .bearer_auth(common::METRICS_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let text = r.text().await.unwrap();
    assert!(!text.contains(&token), "no offer token in the metrics");
    for want in [
        "http_request_duration_seconds_count{method=\"GET\",route=\"/offer/{token}\",status=\"200\"}",
        "webhook_deliveries_total{outcome=\"applied\"",
        "webhook_deliveries_total{outcome=\"rejected\",reason=\"bad_signature_or_time\"}",
        "offers{state=\"pending\"}",
        "dodo_call_duration_seconds_count{operation=\"GET /products\",outcome=\"ok\"}",
    ] {
        assert!(text.contains(want), "{want} missing from\n{text}");
    }
}
