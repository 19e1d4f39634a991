//! Money after the charge, over real HTTP on SQLite and PostgreSQL: a failed refund is taken
//! back out of the analytics, a dispute marks the payment, and a payment that is not the
//! offer's one charge (a second one, or one through the fallback checkout) is recorded and
//! flagged, never dropped or counted twice.
mod common;

use common::{
    api_client, count, deliver, now, purchase, scalar, wait_state, TestApp, TEST_WEBHOOK_SECRET,
};
use reqwest::StatusCode;
use serde_json::json;

const PACK: &str = "pdt_LpTemplatePack01";

async fn send(app: &TestApp, id: &str, body: serde_json::Value) {
    let (s, v) = deliver(app, TEST_WEBHOOK_SECRET, id, now(), &body.to_string()).await;
    assert_eq!(s, StatusCode::OK, "{id}: {v}");
}

fn refund(kind: &str, payment_id: &str, refund_id: &str, amount: i64) -> serde_json::Value {
    json!({
        "business_id": "bus_DemoShop7Qm2Rk4TfW9x", "type": kind, "timestamp": "2026-11-24T21:00:00Z",
        "data": { "payload_type": "Refund", "refund_id": refund_id, "payment_id": payment_id, "amount": amount,
                  "currency": "USD", "status": if kind == "refund.failed" { "failed" } else { "succeeded" },
                  "business_id": "bus_DemoShop7Qm2Rk4TfW9x", "created_at": "2026-11-24T21:00:00Z" }
    })
}

fn paid(payment_id: &str, customer: &str, offer_id: &str, amount: i64) -> serde_json::Value {
    json!({
        "business_id": "bus_DemoShop7Qm2Rk4TfW9x", "type": "payment.succeeded", "timestamp": "2026-11-24T20:00:00Z",
        "data": { "payload_type": "Payment", "payment_id": payment_id, "status": "succeeded", "total_amount": amount,
                  "currency": "USD", "customer": { "customer_id": customer, "email": "x@example.com", "name": "X" },
                  "product_cart": [{ "product_id": "pdt_CopyCourse02", "quantity": 1 }],
                  "metadata": { "offer_id": offer_id } }
    })
}

async fn rolled(app: &TestApp, offer_id: &str, col: &str) -> i64 {
    count(
        app,
        &format!(
            "SELECT CAST(COALESCE(SUM(r.{col}), 0) AS BIGINT) FROM offer_rollups r \
             JOIN offers o ON o.rule_id = r.rule_id WHERE o.id = '{offer_id}'"
        ),
    )
    .await
}

async fn paid_offer(app: &TestApp) -> (String, String, String) {
    let m = app.merchant().await;
    common::settle(&m).await;
    let api = api_client(app, &m).await;
    let tok = purchase(app, "cus_PriyaRaman0001", PACK).await.unwrap();
    api.post(&format!("offers/{tok}/accept"), json!({})).await;
    wait_state(&api, &tok, "paid").await;
    let get = |c: &str| format!("SELECT {c} FROM offers WHERE token = '{tok}'");
    (
        tok.clone(),
        scalar(app, &get("id")).await.unwrap(),
        scalar(app, &get("payment_id")).await.unwrap(),
    )
}

async fn failed_refund_is_undone_once(app: &TestApp) {
    let (_, offer, payment) = paid_offer(app).await;
    send(
        app,
        "msg_r1",
        refund("refund.succeeded", &payment, "ref_9", 1500),
    )
    .await;
    assert_eq!(rolled(app, &offer, "refunded").await, 1500);
    // Failed, delivered twice under two message ids: undone once.
    send(
        app,
        "msg_r2",
        refund("refund.failed", &payment, "ref_9", 1500),
    )
    .await;
    send(
        app,
        "msg_r3",
        refund("refund.failed", &payment, "ref_9", 1500),
    )
    .await;
    assert_eq!(rolled(app, &offer, "refunded").await, 0);
    assert_eq!(rolled(app, &offer, "refunds").await, 0);
    // A failed refund never recorded as made changes nothing.
    send(
        app,
        "msg_r4",
        refund("refund.failed", &payment, "ref_unknown", 700),
    )
    .await;
    assert_eq!(rolled(app, &offer, "refunded").await, 0);
    send(
        app,
        "msg_d1",
        json!({ "business_id": "bus_DemoShop7Qm2Rk4TfW9x", "type": "dispute.opened", "timestamp": "2026-11-24T22:00:00Z",
                "data": { "payload_type": "Dispute", "dispute_id": "dsp_1", "payment_id": payment, "amount": "4900",
                          "currency": "USD", "dispute_status": "dispute_opened", "dispute_stage": "dispute" } }),
    )
    .await;
    assert_eq!(
        scalar(
            app,
            &format!("SELECT dispute_status FROM offers WHERE id = '{offer}'")
        )
        .await
        .as_deref(),
        Some("opened")
    );
}

async fn second_payment_is_flagged_not_counted(app: &TestApp) {
    let (_, offer, _) = paid_offer(app).await;
    let revenue = rolled(app, &offer, "revenue").await;
    send(
        app,
        "msg_p2",
        paid("pay_second_1", "cus_PriyaRaman0001", &offer, 4900),
    )
    .await;
    send(
        app,
        "msg_p3",
        paid("pay_second_1", "cus_PriyaRaman0001", &offer, 4900),
    )
    .await;
    assert_eq!(
        rolled(app, &offer, "revenue").await,
        revenue,
        "not counted twice"
    );
    assert_eq!(
        scalar(
            app,
            "SELECT kind || ' ' || CAST(amount AS TEXT) FROM offer_payment_flags WHERE payment_id = 'pay_second_1'"
        )
        .await
        .as_deref(),
        Some("second_payment 4900")
    );
}

async fn fallback_payment_converts_and_is_flagged(app: &TestApp) {
    let m = app.merchant().await;
    common::settle(&m).await;
    let api = api_client(app, &m).await;
    // Sam has no saved method: accept sends him to the standard checkout.
    let tok = purchase(app, "cus_SamOkafor0006", PACK).await.unwrap();
    api.post(&format!("offers/{tok}/accept"), json!({})).await;
    wait_state(&api, &tok, "fallback").await;
    let offer = scalar(app, &format!("SELECT id FROM offers WHERE token = '{tok}'"))
        .await
        .unwrap();
    send(
        app,
        "msg_fb",
        paid("pay_fallback_1", "cus_SamOkafor0006", &offer, 4900),
    )
    .await;
    wait_state(&api, &tok, "paid").await;
    assert_eq!(rolled(app, &offer, "paid").await, 1);
    assert_eq!(
        scalar(
            app,
            "SELECT kind FROM offer_payment_flags WHERE payment_id = 'pay_fallback_1'"
        )
        .await
        .as_deref(),
        Some("fallback_payment")
    );
}

on_both_backends!(
    failed_refund_is_undone_once,
    second_payment_is_flagged_not_counted,
    fallback_payment_converts_and_is_flagged,
);
