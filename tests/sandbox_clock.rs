//! The sandbox's subscription lifecycle over real HTTP: checkouts that start subscriptions,
//! PATCH, the clock and what it does (renewals, scheduled changes, cancellations, credits),
//! payment-method updates, the customer portal and the prorated preview's credit line.
mod common;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::time::Duration;

const PRIYA: &str = "cus_PriyaRaman0001";
const PRIYA_SUB: &str = "sub_PriyaBasic0001";
const JONAS_SUB: &str = "sub_JonasPro0003";
const BASIC: &str = "pdt_BasicMonthly05";
const PRO: &str = "pdt_ProMonthly06";
const DAY_MS: i64 = 86_400_000;

async fn call(
    app: &common::TestApp,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut r = common::client()
        .request(method, format!("{}/sandbox/dodo{path}", app.base))
        .bearer_auth("sandbox_key");
    if let Some(b) = body {
        r = r.json(&b);
    }
    let r = r.send().await.unwrap();
    let status = r.status();
    let text = r.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn patch(app: &common::TestApp, sid: &str, body: Value) -> (StatusCode, Value) {
    call(
        app,
        Method::PATCH,
        &format!("/subscriptions/{sid}"),
        Some(body),
    )
    .await
}

async fn sub(app: &common::TestApp, sid: &str) -> Value {
    common::sandbox_get(app, &format!("/subscriptions/{sid}")).await
}

async fn advance(app: &common::TestApp, days: i64) -> Vec<Value> {
    let v = common::sandbox_post(app, "/_sandbox/clock/advance", json!({ "days": days })).await;
    v["events"].as_array().unwrap().clone()
}

fn ms(v: &Value) -> i64 {
    chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap())
        .unwrap()
        .timestamp_millis()
}

/// Events of the summary about one subscription, as their types in order.
fn kinds(events: &[Value], sid: &str) -> Vec<String> {
    events
        .iter()
        .filter(|e| e["subscription_id"] == sid)
        .map(|e| e["type"].as_str().unwrap().to_string())
        .collect()
}

async fn webhooks(app: &common::TestApp, kind: &str, needle: &str) -> i64 {
    common::count(
        app,
        &format!(
            "SELECT COUNT(*) FROM webhook_events WHERE event_type = '{kind}' AND body LIKE '%{needle}%'"
        ),
    )
    .await
}

async fn wait_webhook(app: &common::TestApp, kind: &str, needle: &str) {
    for _ in 0..200 {
        if webhooks(app, kind, needle).await > 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("no {kind} webhook about {needle}");
}

fn one_click(customer: &str, method: &str, product: &str, quantity: i64) -> Value {
    json!({
        "product_cart": [{ "product_id": product, "quantity": quantity }],
        "customer": { "customer_id": customer }, "payment_method_id": method, "confirm": true
    })
}

on_both_backends!(recurring_checkout_starts_a_second_subscription);

/// On both backends: the app receives and stores the new subscription's webhooks.
async fn recurring_checkout_starts_a_second_subscription(app: &common::TestApp) {
    let co = common::sandbox_post(
        app,
        "/checkouts",
        one_click(PRIYA, "pm_PriyaVisa4242", PRO, 2),
    )
    .await;
    assert!(co["checkout_url"].is_null());
    let pid = co["payment_id"].as_str().unwrap();
    let payment = common::sandbox_get(app, &format!("/payments/{pid}")).await;
    assert_eq!(payment["status"], "succeeded");
    assert_eq!(payment["total_amount"], 16000, "price × quantity");
    let sid = payment["subscription_id"]
        .as_str()
        .expect("first payment carries subscription_id")
        .to_string();

    let s = sub(app, &sid).await;
    assert_eq!(s["status"], "active");
    assert_eq!(s["product_id"], PRO);
    assert_eq!(s["quantity"], 2);
    assert_eq!(s["payment_method_id"], "pm_PriyaVisa4242");
    assert_eq!(s["cancel_at_next_billing_date"], false);
    assert_eq!(
        ms(&s["next_billing_date"]) - ms(&s["previous_billing_date"]),
        30 * DAY_MS
    );

    // The Basic subscription she already had is untouched: she now holds two and pays both.
    let basic = sub(app, PRIYA_SUB).await;
    assert_eq!(
        (basic["status"].as_str(), basic["product_id"].as_str()),
        (Some("active"), Some(BASIC))
    );
    let mine = common::sandbox_get(
        app,
        &format!("/subscriptions?customer_id={PRIYA}&status=active"),
    )
    .await;
    let ids: Vec<&str> = mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["subscription_id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&PRIYA_SUB) && ids.contains(&sid.as_str()),
        "{ids:?}"
    );

    let session = common::sandbox_get(
        app,
        &format!("/checkouts/{}", co["session_id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(session["subscription_id"], sid.as_str());
    assert_eq!(session["payment_status"], "succeeded");
    let by_sub = common::sandbox_get(app, &format!("/payments?subscription_id={sid}")).await;
    assert_eq!(by_sub["items"].as_array().unwrap().len(), 1);

    wait_webhook(app, "subscription.active", &sid).await;
    wait_webhook(app, "payment.succeeded", &sid).await;

    // A declined first charge: payment.failed, and the subscription never becomes active.
    common::sandbox_post(
        app,
        "/_sandbox/faults",
        json!({ "mode": "decline", "code": "INSUFFICIENT_FUNDS", "remaining": 1 }),
    )
    .await;
    let co = common::sandbox_post(
        app,
        "/checkouts",
        one_click("cus_JonasWeber0002", "pm_JonasMc5454", BASIC, 1),
    )
    .await;
    let failed = common::sandbox_get(
        app,
        &format!("/payments/{}", co["payment_id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(failed["status"], "failed");
    let fsid = failed["subscription_id"].as_str().unwrap().to_string();
    assert_eq!(sub(app, &fsid).await["status"], "failed");
    wait_webhook(app, "payment.failed", &fsid).await;
    wait_webhook(app, "subscription.failed", &fsid).await;
    assert_eq!(webhooks(app, "subscription.active", &fsid).await, 0);
}

#[tokio::test]
async fn hosted_checkout_of_a_plan_starts_a_subscription() {
    let app = common::sqlite().await;
    let co = common::sandbox_post(
        &app,
        "/checkouts",
        json!({ "product_cart": [{ "product_id": PRO, "quantity": 1 }], "customer": { "customer_id": PRIYA },
                "return_url": "https://shop.example/thanks" }),
    )
    .await;
    let url = co["checkout_url"].as_str().unwrap().to_string();
    let page = common::page_text(&common::client(), &url).await;
    assert!(page.contains("hosted-pay"), "the page offers to pay");
    let no_redirect = common::http()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = no_redirect.post(format!("{url}/pay")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    assert!(
        location.starts_with("https://shop.example/thanks?subscription_id=sub_"),
        "{location}"
    );
    assert!(location.contains("status=succeeded"), "{location}");
    let session = common::sandbox_get(
        &app,
        &format!("/checkouts/{}", co["session_id"].as_str().unwrap()),
    )
    .await;
    let sid = session["subscription_id"].as_str().unwrap();
    assert!(location.contains(sid));
    assert_eq!(sub(&app, sid).await["status"], "active");
    let payment = common::sandbox_get(
        &app,
        &format!("/payments/{}", session["payment_id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(payment["subscription_id"], sid);
    wait_webhook(&app, "subscription.active", sid).await;
    // A session is paid once.
    let again = no_redirect.post(format!("{url}/pay")).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn clock_renews_and_charges_the_right_amount() {
    let app = common::sqlite().await;
    let before = ms(&common::sandbox_get(&app, "/_sandbox/clock").await["now"]);
    let jonas = sub(&app, JONAS_SUB).await;
    let due = ms(&jonas["next_billing_date"]);
    let events = advance(&app, 21).await;
    let now = ms(&common::sandbox_get(&app, "/_sandbox/clock").await["now"]);
    assert!(now - before >= 21 * DAY_MS && now - before < 21 * DAY_MS + 60_000);

    assert_eq!(
        kinds(&events, JONAS_SUB),
        ["payment.succeeded", "subscription.renewed"]
    );
    let charge = events
        .iter()
        .find(|e| e["subscription_id"] == JONAS_SUB && e["type"] == "payment.succeeded")
        .unwrap();
    assert_eq!(charge["amount"], 8000);
    let pid = charge["payment_id"].as_str().unwrap();
    let payment = common::sandbox_get(&app, &format!("/payments/{pid}")).await;
    assert_eq!(
        (
            payment["total_amount"].as_i64(),
            payment["subscription_id"].as_str()
        ),
        (Some(8000), Some(JONAS_SUB))
    );
    assert_eq!(payment["payment_method_id"], "pm_JonasMc5454");
    assert_eq!(
        ms(&payment["created_at"]),
        due,
        "charged at the billing date (sandbox time)"
    );
    let renewed = sub(&app, JONAS_SUB).await;
    assert_eq!(ms(&renewed["previous_billing_date"]), due);
    assert_eq!(ms(&renewed["next_billing_date"]), due + 30 * DAY_MS);
    let listed = common::sandbox_get(&app, &format!("/payments?subscription_id={JONAS_SUB}")).await;
    assert_eq!(listed["items"][0]["payment_id"], pid);
    wait_webhook(&app, "subscription.renewed", JONAS_SUB).await;
    wait_webhook(&app, "payment.succeeded", pid).await;

    // Cards that cannot be charged put their subscriptions on hold.
    for (sid, code) in [
        ("sub_MarcoBasic0005", "EXPIRED_CARD"),
        ("sub_LeaTeam0006", "MANDATE_REQUIRED"),
    ] {
        assert_eq!(
            kinds(&events, sid),
            ["payment.failed", "subscription.on_hold"],
            "{sid}"
        );
        let failed = events
            .iter()
            .find(|e| e["subscription_id"] == sid && e["type"] == "payment.failed")
            .unwrap();
        assert_eq!(failed["error_code"], code);
        assert_eq!(sub(&app, sid).await["status"], "on_hold");
    }
    wait_webhook(&app, "subscription.on_hold", "sub_MarcoBasic0005").await;

    // Several periods in one advance; the decline fault applies to renewals too.
    let events = advance(&app, 61).await;
    assert_eq!(
        kinds(&events, JONAS_SUB),
        [
            "payment.succeeded",
            "subscription.renewed",
            "payment.succeeded",
            "subscription.renewed"
        ]
    );
    common::sandbox_post(
        &app,
        "/_sandbox/faults",
        json!({ "mode": "decline", "code": "INSUFFICIENT_FUNDS" }),
    )
    .await;
    let events = advance(&app, 30).await;
    common::sandbox_post(&app, "/_sandbox/faults", json!({ "mode": "none" })).await;
    assert_eq!(
        kinds(&events, JONAS_SUB),
        ["payment.failed", "subscription.on_hold"]
    );
    assert_eq!(sub(&app, JONAS_SUB).await["status"], "on_hold");
}

#[tokio::test]
async fn scheduled_downgrade_takes_effect_at_renewal() {
    let app = common::sqlite().await;
    common::sandbox_post(
        &app,
        &format!("/subscriptions/{JONAS_SUB}/change-plan"),
        json!({ "product_id": BASIC, "quantity": 1, "proration_billing_mode": "difference_immediately", "effective_at": "next_billing_date" }),
    )
    .await;
    assert_eq!(
        sub(&app, JONAS_SUB).await["scheduled_change"]["product_id"],
        BASIC
    );
    let events = advance(&app, 21).await;
    assert_eq!(
        kinds(&events, JONAS_SUB),
        [
            "subscription.plan_changed",
            "payment.succeeded",
            "subscription.renewed"
        ]
    );
    let charge = events
        .iter()
        .find(|e| e["type"] == "payment.succeeded" && e["subscription_id"] == JONAS_SUB)
        .unwrap();
    assert_eq!(charge["amount"], 3000, "charged at the new plan's price");
    let s = sub(&app, JONAS_SUB).await;
    assert_eq!(s["product_id"], BASIC);
    assert!(s["scheduled_change"].is_null());
    wait_webhook(&app, "subscription.plan_changed", JONAS_SUB).await;
}

#[tokio::test]
async fn downgrade_credit_is_used_before_the_card() {
    let app = common::sqlite().await;
    // Pro (8000) → Basic (3000) at once under difference_immediately: 5000 of credit.
    let r = common::sandbox_post(
        &app,
        &format!("/subscriptions/{JONAS_SUB}/change-plan"),
        json!({ "product_id": BASIC, "quantity": 1, "proration_billing_mode": "difference_immediately" }),
    )
    .await;
    assert!(r["payment_id"].is_null(), "a downgrade charges nothing");
    let events = advance(&app, 21).await;
    assert_eq!(
        kinds(&events, JONAS_SUB),
        ["subscription.renewed"],
        "first renewal paid by credit"
    );
    let renewed = events
        .iter()
        .find(|e| e["subscription_id"] == JONAS_SUB)
        .unwrap();
    assert_eq!(
        (renewed["amount"].as_i64(), renewed["credit_used"].as_i64()),
        (Some(0), Some(3000))
    );
    let events = advance(&app, 30).await;
    let charge = events
        .iter()
        .find(|e| e["type"] == "payment.succeeded" && e["subscription_id"] == JONAS_SUB)
        .unwrap();
    assert_eq!(
        charge["amount"], 1000,
        "the last 2000 of credit, then the card"
    );
    let events = advance(&app, 30).await;
    let charge = events
        .iter()
        .find(|e| e["type"] == "payment.succeeded" && e["subscription_id"] == JONAS_SUB)
        .unwrap();
    assert_eq!(charge["amount"], 3000, "credit used up");
}

#[tokio::test]
async fn cancel_at_next_billing_date_ends_without_a_charge() {
    let app = common::sqlite().await;
    let (s, v) = patch(
        &app,
        PRIYA_SUB,
        json!({ "cancel_at_next_billing_date": true }),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["cancel_at_next_billing_date"], true);
    assert_eq!(v["status"], "active", "active until the billing date");
    wait_webhook(&app, "subscription.updated", PRIYA_SUB).await;
    let listed = common::sandbox_get(&app, "/subscriptions?cancel_at_next_billing_date=true").await;
    let ids: Vec<&str> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["subscription_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [PRIYA_SUB]);
    // A subscription scheduled to cancel refuses plan changes (preview too).
    for path in ["change-plan", "change-plan/preview"] {
        let (s, v) = call(
            &app,
            Method::POST,
            &format!("/subscriptions/{PRIYA_SUB}/{path}"),
            Some(json!({ "product_id": PRO, "quantity": 1, "proration_billing_mode": "prorated_immediately" })),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            v["code"],
            "PLAN_CHANGE_NOT_ALLOWED_FOR_SCHEDULED_CANCELLATION"
        );
    }
    let due = ms(&sub(&app, PRIYA_SUB).await["next_billing_date"]);
    let events = advance(&app, 16).await;
    assert_eq!(kinds(&events, PRIYA_SUB), ["subscription.cancelled"]);
    let s = sub(&app, PRIYA_SUB).await;
    assert_eq!(s["status"], "cancelled");
    assert_eq!(ms(&s["cancelled_at"]), due);
    let paid = common::sandbox_get(&app, &format!("/payments?subscription_id={PRIYA_SUB}")).await;
    assert!(paid["items"].as_array().unwrap().is_empty(), "no charge");
    wait_webhook(&app, "subscription.cancelled", PRIYA_SUB).await;
    // Nothing more happens to it.
    assert!(kinds(&advance(&app, 60).await, PRIYA_SUB).is_empty());
}

#[tokio::test]
async fn moving_next_billing_date_later_delays_the_renewal() {
    let app = common::sqlite().await;
    let now = ms(&common::sandbox_get(&app, "/_sandbox/clock").await["now"]);
    let later = chrono::DateTime::from_timestamp_millis(now + 40 * DAY_MS)
        .unwrap()
        .to_rfc3339();
    let (s, v) = patch(
        &app,
        PRIYA_SUB,
        json!({ "next_billing_date": later, "metadata": { "reason": "goodwill" } }),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(ms(&v["next_billing_date"]), now + 40 * DAY_MS);
    assert_eq!(v["metadata"]["reason"], "goodwill");
    assert!(
        kinds(&advance(&app, 20).await, PRIYA_SUB).is_empty(),
        "free time: no renewal at the old date"
    );
    let events = advance(&app, 21).await;
    assert_eq!(
        kinds(&events, PRIYA_SUB),
        ["payment.succeeded", "subscription.renewed"]
    );
}

#[tokio::test]
async fn bad_patches_are_refused_and_change_nothing() {
    let app = common::sqlite().await;
    let before = sub(&app, PRIYA_SUB).await;
    let now = ms(&common::sandbox_get(&app, "/_sandbox/clock").await["now"]);
    let past = chrono::DateTime::from_timestamp_millis(now - DAY_MS)
        .unwrap()
        .to_rfc3339();
    for body in [
        json!([]),
        json!({ "cancel_at_next_billing_date": "yes" }),
        json!({ "status": "active" }),
        json!({ "status": "paused", "cancel_at_next_billing_date": true }),
        json!({ "next_billing_date": "tomorrow" }),
        json!({ "next_billing_date": past, "metadata": { "a": "b" } }),
        json!({ "metadata": "nope" }),
        json!({ "metadata": { "nested": { "x": 1 } } }),
    ] {
        let (s, v) = patch(&app, PRIYA_SUB, body.clone()).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(v["code"].is_string() && v["message"].is_string(), "{v}");
    }
    let (s, v) = patch(
        &app,
        "sub_nope",
        json!({ "cancel_at_next_billing_date": true }),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("NOT_FOUND"))
    );
    // Faults that break the answer apply to PATCH too, and nothing changes.
    common::sandbox_post(
        &app,
        "/_sandbox/faults",
        json!({ "mode": "server_error", "remaining": 1 }),
    )
    .await;
    let (s, _) = patch(
        &app,
        PRIYA_SUB,
        json!({ "cancel_at_next_billing_date": true }),
    )
    .await;
    assert_eq!(s, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(sub(&app, PRIYA_SUB).await, before, "nothing changed");
    assert_eq!(webhooks(&app, "subscription.updated", PRIYA_SUB).await, 0);

    // Cancelling now is accepted; after that the subscription refuses further changes.
    let (s, v) = patch(&app, PRIYA_SUB, json!({ "status": "cancelled" })).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["status"], "cancelled");
    assert!(v["cancelled_at"].is_string());
    wait_webhook(&app, "subscription.cancelled", PRIYA_SUB).await;
    let (s, v) = patch(
        &app,
        PRIYA_SUB,
        json!({ "cancel_at_next_billing_date": true }),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("SUBSCRIPTION_INACTIVE")
        )
    );
}

#[tokio::test]
async fn clock_advance_is_validated() {
    let app = common::sqlite().await;
    for body in [
        json!({ "days": 0 }),
        json!({ "days": -3 }),
        json!({ "ms": 0 }),
        json!({ "days": 100_000 }),
        json!({ "ms": i64::MAX }),
        json!({ "days": 1, "ms": 5 }),
        json!({}),
        json!({ "weeks": 1 }),
    ] {
        let (s, v) = call(
            &app,
            Method::POST,
            "/_sandbox/clock/advance",
            Some(body.clone()),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(v["code"], "INVALID_REQUEST_BODY", "{body}");
    }
    let v = common::sandbox_post(&app, "/_sandbox/clock/advance", json!({ "ms": 1000 })).await;
    assert!(v["events"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn payment_method_updates_and_portal() {
    let app = common::sqlite().await;
    let path = format!("/subscriptions/{PRIYA_SUB}/update-payment-method");
    let (s, v) = call(
        &app,
        Method::POST,
        &path,
        Some(json!({ "type": "new", "return_url": "https://shop.example/back" })),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let link = v["payment_link"].as_str().unwrap();
    assert!(v["expires_on"].is_string());
    let page = reqwest::get(link).await.unwrap();
    assert_eq!(page.status(), StatusCode::OK, "opens without an API key");
    assert!(page.text().await.unwrap().contains(PRIYA_SUB));
    let (s, v) = call(
        &app,
        Method::POST,
        &path,
        Some(json!({ "type": "existing", "payment_method_id": "pm_JonasMc5454" })),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("INVALID_REQUEST_BODY")
        ),
        "not her card"
    );
    let (s, _) = call(&app, Method::POST, &path, Some(json!({ "type": "other" }))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _) = call(&app, Method::POST, &path, Some(json!({ "type": "new" }))).await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "new needs a return_url"
    );
    let (s, v) = call(
        &app,
        Method::POST,
        &path,
        Some(json!({ "type": "existing", "payment_method_id": "pm_PriyaVisa4242" })),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        sub(&app, PRIYA_SUB).await["payment_method_id"],
        "pm_PriyaVisa4242"
    );
    let (s, _) = call(
        &app,
        Method::POST,
        "/subscriptions/sub_nope/update-payment-method",
        Some(json!({ "type": "new", "return_url": "https://x.example" })),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    let (s, v) = call(
        &app,
        Method::POST,
        &format!("/customers/{PRIYA}/customer-portal/session?send_email=false"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        v.as_object().unwrap().keys().collect::<Vec<_>>(),
        vec!["link"]
    );
    let page = reqwest::get(v["link"].as_str().unwrap()).await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains(PRIYA_SUB));
    let (s, _) = call(
        &app,
        Method::POST,
        &format!("/customers/{PRIYA}/customer-portal/session?send_email=maybe"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _) = call(
        &app,
        Method::POST,
        "/customers/cus_nope/customer-portal/session",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn prorated_preview_puts_the_unused_time_in_customer_credits() {
    let app = common::sqlite().await;
    let body =
        |mode: &str| json!({ "product_id": PRO, "quantity": 1, "proration_billing_mode": mode });
    let v = common::sandbox_post(
        &app,
        &format!("/subscriptions/{PRIYA_SUB}/change-plan/preview"),
        body("prorated_immediately"),
    )
    .await;
    let charge = &v["immediate_charge"];
    // Dodo's shape (the contract's fixture): the new plan is the only line, for its share of
    // the period; the old plan's unused value is the negative `customer_credits`.
    let lines = charge["line_items"].as_array().unwrap();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(
        (
            lines[0]["product_id"].as_str(),
            lines[0]["unit_price"].as_i64()
        ),
        (Some(PRO), Some(8000))
    );
    let factor = lines[0]["proration_factor"].as_f64().unwrap();
    assert!(
        (factor - 0.5).abs() < 0.01,
        "half the period left: {factor}"
    );
    let line = lines[0]["subtotal"].as_i64().unwrap();
    let credits = charge["summary"]["customer_credits"].as_i64().unwrap();
    let total = charge["summary"]["total_amount"].as_i64().unwrap();
    assert!((line - 4000).abs() <= 2, "Pro $80 × ½: {line}");
    assert!(
        (credits + 1500).abs() <= 2,
        "Basic's unused half: {credits}"
    );
    assert_eq!(total, line + credits, "the line less the credit used");
    assert!(
        (total - 2500).abs() <= 2,
        "(8000 − 3000) × ½ ≈ 2500: {total}"
    );
    // Other modes keep their single line.
    let v = common::sandbox_post(
        &app,
        &format!("/subscriptions/{PRIYA_SUB}/change-plan/preview"),
        body("difference_immediately"),
    )
    .await;
    assert_eq!(
        v["immediate_charge"]["line_items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

/// Discount codes as Dodo keeps them (§16.6): checked at checkout, used once per successful
/// payment, and on a subscription taken off the first charge and the renewals it lasts.
#[tokio::test]
async fn discount_codes_apply_for_their_cycles_and_no_longer() {
    let app = common::sqlite().await;
    let create = |body: Value| call(&app, Method::POST, "/discounts", Some(body));
    let (s, d) = create(json!({
        "type": "percentage", "amount": 2000, "code": "pro20x2", "restricted_to": [PRO],
        "subscription_cycles": 2, "usage_limit": 1,
    }))
    .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(
        (d["code"].as_str(), d["times_used"].as_i64()),
        (Some("PRO20X2"), Some(0))
    );
    // Not for this product; then unknown: refused, nothing charged.
    let mut wrong = one_click(PRIYA, "pm_PriyaVisa4242", BASIC, 1);
    wrong["discount_codes"] = json!(["PRO20X2"]);
    let (s, v) = call(&app, Method::POST, "/checkouts", Some(wrong.clone())).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("DISCOUNT_NOT_AVAILABLE_FOR_PRODUCT")
        ),
        "{v}"
    );
    wrong["discount_codes"] = json!(["NOSUCHCODE"]);
    let (_, v) = call(&app, Method::POST, "/checkouts", Some(wrong)).await;
    assert_eq!(v["code"], "INVALID_DISCOUNT_CODE");

    let mut body = one_click(PRIYA, "pm_PriyaVisa4242", PRO, 1);
    body["discount_codes"] = json!(["pro20x2"]);
    let (s, co) = call(&app, Method::POST, "/checkouts", Some(body.clone())).await;
    assert_eq!(s, StatusCode::OK, "{co}");
    let pid = co["payment_id"].as_str().unwrap();
    let first = common::sandbox_get(&app, &format!("/payments/{pid}")).await;
    assert_eq!(first["total_amount"], 6400, "$80 less 20 %");
    assert_eq!(first["discounts"], json!([d["discount_id"]]));
    let sid = first["subscription_id"].as_str().unwrap().to_string();
    assert_eq!(
        sub(&app, &sid).await["discounts"][0]["discount_cycles_remaining"],
        1
    );
    // Used up: a second checkout with it is refused.
    let (_, v) = call(&app, Method::POST, "/checkouts", Some(body)).await;
    assert_eq!(v["code"], "INVALID_DISCOUNT_CODE", "{v}");

    // The first renewal is the second discounted payment; the next is full price.
    let mut charged = Vec::new();
    for _ in 0..2 {
        let events = advance(&app, 31).await;
        let e = events
            .iter()
            .find(|e| e["subscription_id"] == sid.as_str() && e["type"] == "payment.succeeded")
            .unwrap_or_else(|| panic!("a renewal: {events:?}"));
        charged.push(e["amount"].as_i64().unwrap());
    }
    assert_eq!(charged, [6400, 8000]);

    // An expired code is refused.
    let (_, d) = create(
        json!({ "type": "percentage", "amount": 1000, "expires_at": "2020-01-01T00:00:00Z" }),
    )
    .await;
    let mut late = one_click(PRIYA, "pm_PriyaVisa4242", PRO, 1);
    late["discount_codes"] = json!([d["code"]]);
    let (_, v) = call(&app, Method::POST, "/checkouts", Some(late)).await;
    assert_eq!(v["code"], "DISCOUNT_CODE_EXPIRED");
    // Only percentage codes.
    let (s, _) = create(json!({ "type": "flat", "amount": 500 })).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
}
