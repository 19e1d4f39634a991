//! The sandbox follows Dodo's transport contract, and the official SDK reads it.
mod common;

use reqwest::StatusCode;
use serde_json::Value;

async fn get(app: &common::TestApp, path: &str, key: Option<&str>) -> (StatusCode, Value) {
    let mut r = common::client().get(format!("{}/sandbox/dodo{path}", app.base));
    if let Some(k) = key {
        r = r.bearer_auth(k);
    }
    let r = r.send().await.unwrap();
    (r.status(), r.json().await.unwrap())
}

#[tokio::test]
async fn transport_contract() {
    let app = common::sqlite().await;
    let (s, v) = get(&app, "/products", None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(v["code"], "UNAUTHORIZED");
    let (s, _) = get(&app, "/products", Some("wrong")).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);

    let key = Some("sandbox_key");
    let (s, v) = get(&app, "/products", key).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        v.as_object().unwrap().keys().collect::<Vec<_>>(),
        vec!["items"],
        "the only key is items"
    );
    assert_eq!(
        v["items"].as_array().unwrap().len(),
        10,
        "default page size"
    );
    let (_, p0) = get(&app, "/products?page_size=5&page_number=0", key).await;
    let (_, p1) = get(&app, "/products?page_size=5&page_number=1", key).await;
    assert_ne!(
        p0["items"][0]["product_id"], p1["items"][0]["product_id"],
        "zero-based pages differ"
    );
    let (_, far) = get(&app, "/products?page_size=100&page_number=9", key).await;
    assert!(far["items"].as_array().unwrap().is_empty());
    let (s, v) = get(&app, "/products?page_size=abc", key).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(v["message"].is_string());
    let (_, rec) = get(&app, "/products?recurring=true&page_size=100", key).await;
    assert!(rec["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["is_recurring"] == true));

    // List items are flat; the single product has a price object and no top-level currency.
    let (_, one) = get(&app, "/products/pdt_LpTemplatePack01", key).await;
    assert_eq!(one["price"]["type"], "one_time_price");
    assert_eq!(one["price"]["currency"], "USD");
    assert!(one.get("currency").is_none());
    let (s, v) = get(&app, "/products/pdt_nope", key).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(v["code"], "NOT_FOUND");

    let (_, pms) = get(&app, "/customers/cus_PriyaRaman0001/payment-methods", key).await;
    let pm = &pms["items"][0];
    assert_eq!(pm["payment_method"], "card");
    assert_eq!(
        pm["card"]["expiry_year"], "2029",
        "expiry values are strings"
    );
    let (_, by_email) = get(&app, "/customers?email=priya.raman@example.com", key).await;
    assert_eq!(by_email["items"].as_array().unwrap().len(), 1);
    let (s, _) = get(&app, "/customers/cus_nope/payment-methods", key).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn official_sdk_reads_the_sandbox() {
    let app = common::sqlite().await;
    let client = dodopayments::Client::new(
        dodopayments::ClientConfig::new(format!("{}/sandbox/dodo", app.base))
            .with_api_key("sandbox_key"),
    )
    .unwrap();
    let product = client
        .products()
        .retrieve()
        .id("pdt_ProMonthly06")
        .query(serde_json::json!({}))
        .await
        .unwrap();
    assert!(product.is_recurring);
    let page = client
        .products()
        .list()
        .query(serde_json::json!({"page_size": 100, "page_number": 0}))
        .await
        .unwrap();
    assert!(page.items.len() >= 12);
    let customer = client
        .customers()
        .retrieve()
        .customer_id("cus_JonasWeber0002")
        .await
        .unwrap();
    assert_eq!(customer.email, "jonas.weber@example.com");
    let err = client
        .customers()
        .retrieve()
        .customer_id("cus_missing")
        .await
        .unwrap_err();
    assert!(matches!(err, dodopayments::Error::Api { status: 404, .. }));
}

#[tokio::test]
async fn health_and_pages_render_without_javascript() {
    let app = common::sqlite().await;
    let r = reqwest::get(format!("{}/healthz", app.base)).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let m = app.merchant().await;
    common::settle(&m).await;
    let html = common::page_text(&m.http, format!("{}/rules", app.base)).await;
    assert!(
        html.contains("<tbody>"),
        "tables render with tbody for hydration"
    );
    assert!(html.contains("Template pack → copy course"));
    assert!(!html.contains("sandbox_key"), "no secret in the HTML");
    // The language cookie switches the server-rendered page.
    let zh = m
        .http
        .get(format!("{}/rules", app.base))
        .header("cookie", "lang=zh-CN")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(zh.contains("追加销售规则") && zh.contains("lang=\"zh-CN\""));
}

/// The sandbox's simulated purchase of a plan starts a subscription, as a purchase at Dodo
/// does: its payment carries `subscription_id`, next to what the customer already held.
#[tokio::test]
async fn simulated_purchase_of_a_plan_starts_a_subscription() {
    let app = common::sqlite().await;
    let subs = |v: Value| v["items"].as_array().unwrap().len();
    let before = subs(
        common::sandbox_get(
            &app,
            "/subscriptions?customer_id=cus_AikoTanaka0003&page_size=100",
        )
        .await,
    );
    let pay = common::sandbox_post(
        &app,
        "/_sandbox/purchases",
        serde_json::json!({ "customer_id": "cus_AikoTanaka0003", "product_id": "pdt_BasicMonthly05" }),
    )
    .await;
    let sid = pay["subscription_id"]
        .as_str()
        .expect("a subscription payment");
    let sub = common::sandbox_get(&app, &format!("/subscriptions/{sid}")).await;
    assert_eq!(sub["status"], "active");
    assert_eq!(sub["product_id"], "pdt_BasicMonthly05");
    let after = subs(
        common::sandbox_get(
            &app,
            "/subscriptions?customer_id=cus_AikoTanaka0003&page_size=100",
        )
        .await,
    );
    assert_eq!(after, before + 1);
    // A one-time product stays a one-time payment.
    let once = common::sandbox_post(
        &app,
        "/_sandbox/purchases",
        serde_json::json!({ "customer_id": "cus_AikoTanaka0003", "product_id": "pdt_LpTemplatePack01" }),
    )
    .await;
    assert_eq!(once["subscription_id"], Value::Null);
}

/// Faults at a rate strike some calls, not a counted run of them (the soak test's weather).
#[tokio::test]
async fn faults_at_a_rate_strike_some_calls() {
    let app = common::sqlite().await;
    let http = common::client();
    let faults = format!("{}/sandbox/dodo/_sandbox/faults", app.base);
    for bad in [0.0, 1.5, -0.2] {
        let r = http
            .post(&faults)
            .bearer_auth("sandbox_key")
            .json(&serde_json::json!({ "mode": "server_error", "rate": bad }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "rate {bad}");
        let v: Value = r.json().await.unwrap();
        assert!(v["message"].as_str().unwrap().contains("rate"), "{v}");
    }
    common::sandbox_post(
        &app,
        "/_sandbox/faults",
        serde_json::json!({ "mode": "server_error", "rate": 0.5 }),
    )
    .await;
    let (mut failed, mut charged) = (0, 0);
    for _ in 0..40 {
        let r = http
            .post(format!("{}/sandbox/dodo/checkouts", app.base))
            .bearer_auth("sandbox_key")
            .json(&serde_json::json!({
                "product_cart": [{ "product_id": "pdt_LpTemplatePack01", "quantity": 1 }],
                "customer": { "customer_id": "cus_PriyaRaman0001" },
                "payment_method_id": "pm_PriyaVisa4242", "confirm": true,
            }))
            .send()
            .await
            .unwrap();
        match r.status() {
            StatusCode::INTERNAL_SERVER_ERROR => failed += 1,
            s if s.is_success() => charged += 1,
            s => panic!("unexpected {s}"),
        }
    }
    // Both outcomes: the chance that 40 fair draws all agree is 2^-39.
    assert!(
        failed > 0 && charged > 0,
        "{failed} failed, {charged} charged"
    );
    assert_eq!(failed + charged, 40);
}
