//! The support console over real HTTP, on SQLite and PostgreSQL: preview, execute exactly
//! once, settlement by webhook, the guardrail, conflicts, mismatches and roles.
mod common;

use common::{TestApp, User};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;

const PRIYA_SUB: &str = "sub_PriyaBasic0001"; // Basic $30, 15 days into 30
const JONAS_SUB: &str = "sub_JonasPro0003"; // Pro $80
const MARCO_SUB: &str = "sub_MarcoBasic0005"; // expired card
const BASIC: &str = "pdt_BasicMonthly05";
const PRO: &str = "pdt_ProMonthly06";
const TEAM: &str = "pdt_TeamMonthly07";

async fn preview(u: &User, sub: &str, product: &str, quantity: i64, effective: &str) -> Value {
    let (s, v) = u
        .call(
            "subscriptions/preview",
            json!({ "subscription_id": sub, "product_id": product, "quantity": quantity,
                    "effective_at": effective, "on_payment_failure": "prevent_change" }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

fn quote<'a>(p: &'a Value, mode: &str) -> &'a Value {
    p["quotes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["mode"] == mode)
        .unwrap()
}

async fn execute(u: &User, p: &Value, mode: &str, reason: Option<&str>) -> (StatusCode, Value) {
    u.call(
        "subscriptions/execute",
        json!({ "change_id": p["change_id"], "mode": mode,
                "confirm_amount": quote(p, mode)["total_amount"],
                "reason_code": reason, "reason_note": null }),
    )
    .await
}

/// `subscriptions/{action}` (approve, cancel) on the change a preview made.
async fn act(u: &User, action: &str, p: &Value) -> (StatusCode, Value) {
    u.call(
        &format!("subscriptions/{action}"),
        json!({ "change_id": p["change_id"] }),
    )
    .await
}

/// The console's search, answered OK.
async fn find(u: &User, q: &str) -> Value {
    let (st, v) = u.call("subscriptions/find", json!({ "q": q })).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    v
}

/// A page as the server renders it (no JavaScript).
async fn page(u: &User, path: &str) -> String {
    common::page_text(&u.http, format!("{}{path}", u.base)).await
}

async fn change(u: &User, id: &Value) -> Value {
    let (s, v) = u
        .call("subscriptions/change", json!({ "change_id": id }))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

/// Waits until the change reaches `state` and `until` holds (webhooks arrive asynchronously).
async fn wait(u: &User, id: &Value, state: &str, until: impl Fn(&Value) -> bool) -> Value {
    let mut last = Value::Null;
    for _ in 0..150 {
        last = change(u, id).await;
        if last["state"] == state && until(&last) {
            return last;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("change never reached {state}: {last}");
}

async fn calls(app: &TestApp, id: &Value) -> i64 {
    common::sandbox_get(
        app,
        &format!(
            "/_sandbox/plan-change-calls?plan_change_id={}",
            id.as_str().unwrap()
        ),
    )
    .await["calls"]
        .as_i64()
        .unwrap()
}

/// Posts `payment` to the app as a signed `payment.succeeded` under a webhook id of its own:
/// a redelivery Dodo did not deduplicate, or a payment the app has not heard of.
async fn deliver_payment(app: &TestApp, mut payment: Value) {
    payment["payload_type"] = json!("Payment");
    let id = format!("msg_test_{}", payment["payment_id"].as_str().unwrap());
    let body = json!({ "business_id": "bus_test", "type": "payment.succeeded",
                       "timestamp": "2026-11-24T22:30:00Z", "data": payment })
    .to_string();
    let (st, v) =
        common::deliver(app, common::TEST_WEBHOOK_SECRET, &id, common::now(), &body).await;
    assert_eq!(st, StatusCode::OK, "{v}");
}

async fn audit_count(app: &TestApp, id: &Value, action: &str) -> i64 {
    common::count(
        app,
        &format!(
            "SELECT COUNT(*) FROM audit_log WHERE entity = 'plan_change' AND entity_id = '{}' AND action = '{action}'",
            id.as_str().unwrap()
        ),
    )
    .await
}

async fn fault(app: &TestApp, f: Value) {
    common::sandbox_post(app, "/_sandbox/faults", f).await;
}

/// Priya's Basic → Pro, whose response is lost: Dodo is slower than the app's 1 s charge
/// timeout, and makes the change anyway 2.5 s after the call. Returns the preview; the change
/// is `executing`, its outcome unknown.
async fn execute_losing_response(app: &TestApp, s: &User) -> Value {
    fault(
        app,
        json!({ "mode": "timeout", "delay_ms": 2500, "remaining": 1 }),
    )
    .await;
    let p = preview(s, PRIYA_SUB, PRO, 1, "immediately").await;
    let (st, v) = execute(s, &p, "difference_immediately", None).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["state"], "executing", "outcome unknown: {v}");
    p
}

async fn preview_execute_and_webhooks_settle(app: &TestApp) {
    let s = app.support().await;
    // Find by email: the customer, both subscriptions and the saved card with its flags.
    let found = find(&s, "Priya.Raman@example.com").await;
    let c = &found["customers"][0];
    assert_eq!(c["id"], "cus_PriyaRaman0001");
    assert_eq!(c["subscriptions"].as_array().unwrap().len(), 2);
    assert_eq!(c["methods"][0]["label"], "VISA •••• 4242");
    assert_eq!(c["methods"][0]["expired"], false);
    assert!(found["products"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["is_recurring"] == true));

    // Basic $30 → Pro $80, half-way: every mode side by side.
    let p = preview(&s, PRIYA_SUB, PRO, 1, "immediately").await;
    assert_eq!(quote(&p, "difference_immediately")["total_amount"], 5000);
    assert_eq!(quote(&p, "full_immediately")["total_amount"], 8000);
    let prorated = quote(&p, "prorated_immediately")["total_amount"]
        .as_i64()
        .unwrap();
    assert!((2400..=2600).contains(&prorated), "{prorated}");
    assert_eq!(
        common::count(
            app,
            "SELECT COUNT(*) FROM plan_changes WHERE state = 'previewed'"
        )
        .await,
        1
    );

    // Confirming an amount other than the mode's is refused; nothing is sent.
    let (st, v) = s
        .call(
            "subscriptions/execute",
            json!({ "change_id": p["change_id"], "mode": "difference_immediately",
                    "confirm_amount": 4999, "reason_code": null, "reason_note": null }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["fields"][0]["field"], "confirm_amount");
    assert_eq!(calls(app, &p["change_id"]).await, 0);

    let (st, v) = execute(&s, &p, "difference_immediately", None).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert!(v["state"] == "executing" || v["state"] == "applied", "{v}");
    let done = wait(&s, &p["change_id"], "applied", |v| {
        !v["charged_amount"].is_null()
    })
    .await;
    assert_eq!(done["charged_amount"], 5000);
    assert_eq!(done["previewed_amount"], 5000);
    assert_eq!(done["executed_by"], "support@demo.test");
    assert_eq!(calls(app, &p["change_id"]).await, 1);

    // The subscription is on Pro now, and the change is in the history and the audit log.
    let found = find(&s, PRIYA_SUB).await;
    let sub = found["customers"][0]["subscriptions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == PRIYA_SUB)
        .unwrap()
        .clone();
    assert_eq!(sub["product_id"], PRO);
    assert_eq!(found["history"][0]["id"], p["change_id"]);
    let actions = common::strings(
        app,
        &format!(
            "SELECT action FROM audit_log WHERE entity = 'plan_change' AND entity_id = '{}' ORDER BY at, action",
            p["change_id"].as_str().unwrap()
        ),
    )
    .await;
    for a in ["previewed", "executing", "payment_succeeded", "applied"] {
        assert!(actions.contains(&a.to_string()), "{a} in {actions:?}");
    }
    // The same payment again under another webhook id (or read back): recorded once.
    let payment = common::sandbox_get(
        app,
        &format!("/payments/{}", done["payment_id"].as_str().unwrap()),
    )
    .await;
    deliver_payment(app, payment).await;
    assert_eq!(
        audit_count(app, &p["change_id"], "payment_succeeded").await,
        1
    );
    assert_eq!(change(&s, &p["change_id"]).await["charged_amount"], 5000);

    // Downgrade Pro → Basic: nothing charged now, $50 credited for the customer.
    let p = preview(&s, PRIYA_SUB, BASIC, 1, "immediately").await;
    let d = quote(&p, "difference_immediately");
    assert_eq!(
        (d["total_amount"].as_i64(), d["customer_credits"].as_i64()),
        (Some(0), Some(5000))
    );
    let (st, _) = execute(&s, &p, "difference_immediately", None).await;
    assert_eq!(st, StatusCode::OK);
    let done = wait(&s, &p["change_id"], "applied", |_| true).await;
    assert_eq!(
        (
            done["charged_amount"].as_i64(),
            done["previewed_credit"].as_i64()
        ),
        (Some(0), Some(5000))
    );
    // Nothing was to be charged, so none was assumed; a charge Dodo reports after all
    // replaces that assumption and shows as a mismatch.
    deliver_payment(
        app,
        json!({ "payment_id": "pay_TestLate0001", "status": "succeeded", "total_amount": 123,
                "currency": "USD", "subscription_id": PRIYA_SUB,
                "metadata": { "plan_change_id": p["change_id"] } }),
    )
    .await;
    let late = change(&s, &p["change_id"]).await;
    assert_eq!(
        (
            late["previewed_amount"].as_i64(),
            late["charged_amount"].as_i64()
        ),
        (Some(0), Some(123))
    );
    assert_eq!(
        audit_count(app, &p["change_id"], "payment_succeeded").await,
        1
    );
}

/// A renewal of a subscription whose change is in flight (its response lost) is not taken for
/// the change's charge: only a payment naming the change, or its payment id, settles it.
async fn renewal_is_not_the_changes_charge(app: &TestApp) {
    let s = app.support().await;
    let p = execute_losing_response(app, &s).await;
    deliver_payment(
        app,
        json!({ "payment_id": "pay_TestRenewal01", "status": "succeeded", "total_amount": 3000,
                "currency": "USD", "subscription_id": PRIYA_SUB, "metadata": {} }),
    )
    .await;
    let done = wait(&s, &p["change_id"], "applied", |v| {
        !v["charged_amount"].is_null()
    })
    .await;
    assert_eq!(done["charged_amount"], 5000, "{done}");
    assert_ne!(done["payment_id"], "pay_TestRenewal01");
    assert_eq!(
        audit_count(app, &p["change_id"], "payment_succeeded").await,
        1
    );
}

/// Dodo fails a change with a server error without making it. The outcome is unknown, so it
/// is never re-sent; read back well after the call, the subscription is still on its old plan,
/// so the change fails as not made, with nothing charged, and the next change can run.
async fn a_change_dodo_never_made_stops_blocking(app: &TestApp) {
    let s = app.support().await;
    fault(app, json!({ "mode": "server_error", "remaining": 1 })).await;
    let p = preview(&s, PRIYA_SUB, PRO, 1, "immediately").await;
    let (st, v) = execute(&s, &p, "difference_immediately", None).await;
    assert_eq!(
        (st, v["state"].as_str()),
        (StatusCode::OK, Some("executing")),
        "{v}"
    );
    // Too early to tell: the next change waits for this one.
    let next = preview(&s, PRIYA_SUB, TEAM, 1, "immediately").await;
    let (st, _) = execute(&s, &next, "difference_immediately", None).await;
    assert_eq!(st, StatusCode::CONFLICT);
    let failed = wait(&s, &p["change_id"], "failed", |_| true).await;
    assert_eq!(failed["failure_code"], "NOT_APPLIED", "{failed}");
    assert!(failed["charged_amount"].is_null(), "{failed}");
    assert_eq!(calls(app, &p["change_id"]).await, 1, "never re-sent");
    assert_eq!(audit_count(app, &p["change_id"], "not_made").await, 1);
    let (st, v) = execute(&s, &next, "difference_immediately", None).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    wait(&s, &next["change_id"], "applied", |_| true).await;
    assert_eq!(calls(app, &next["change_id"]).await, 1);
}

/// A change given up as not made that Dodo reports charging for after all is applied, with
/// its charge: nothing Dodo did is lost from the record.
async fn a_change_given_up_but_charged_is_applied(app: &TestApp) {
    let s = app.support().await;
    fault(app, json!({ "mode": "server_error", "remaining": 1 })).await;
    let p = preview(&s, PRIYA_SUB, PRO, 1, "immediately").await;
    execute(&s, &p, "difference_immediately", None).await;
    wait(&s, &p["change_id"], "failed", |v| {
        v["failure_code"] == "NOT_APPLIED"
    })
    .await;
    deliver_payment(
        app,
        json!({ "payment_id": "pay_TestLateChange1", "status": "succeeded", "total_amount": 5000,
                "currency": "USD", "subscription_id": PRIYA_SUB,
                "metadata": { "plan_change_id": p["change_id"] } }),
    )
    .await;
    let v = change(&s, &p["change_id"]).await;
    assert_eq!(
        (v["state"].as_str(), v["charged_amount"].as_i64()),
        (Some("applied"), Some(5000)),
        "{v}"
    );
    assert!(v["failure_code"].is_null(), "{v}");
}

/// Two app instances behind one load balancer, one Dodo: a change is still sent once.
async fn two_instances_execute_once(app: &TestApp) {
    let Some(second) = common::second_instance(app).await else {
        return;
    };
    let (a, b) = (app.support().await, second.support().await);
    let p = preview(&a, JONAS_SUB, TEAM, 1, "immediately").await;
    let tasks: Vec<_> = (0..10)
        .map(|i| {
            let who = if i % 2 == 0 { &a } else { &b };
            let (http, base) = (who.http.clone(), who.base.clone());
            let body = json!({ "change_id": p["change_id"], "mode": "difference_immediately",
                "confirm_amount": quote(&p, "difference_immediately")["total_amount"],
                "reason_code": null, "reason_note": null });
            tokio::spawn(async move {
                http.post(format!("{base}/api/subscriptions/execute"))
                    .json(&body)
                    .send()
                    .await
                    .unwrap()
                    .status()
            })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap(), StatusCode::OK);
    }
    let done = wait(&b, &p["change_id"], "applied", |v| {
        !v["charged_amount"].is_null()
    })
    .await;
    assert_eq!(done["charged_amount"], 7000);
    assert_eq!(calls(app, &p["change_id"]).await, 1, "one change-plan call");
}

async fn double_submit_executes_once(app: &TestApp) {
    let s = app.support().await;
    let m = app.merchant().await;
    let p = preview(&s, JONAS_SUB, TEAM, 1, "immediately").await;
    let mut tasks = Vec::new();
    for i in 0..20 {
        let who = if i % 2 == 0 { &s } else { &m };
        let (http, base) = (who.http.clone(), who.base.clone());
        let body = json!({ "change_id": p["change_id"], "mode": "difference_immediately",
            "confirm_amount": quote(&p, "difference_immediately")["total_amount"],
            "reason_code": null, "reason_note": null });
        tasks.push(tokio::spawn(async move {
            http.post(format!("{base}/api/subscriptions/execute"))
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), StatusCode::OK);
    }
    wait(&s, &p["change_id"], "applied", |v| {
        !v["charged_amount"].is_null()
    })
    .await;
    assert_eq!(calls(app, &p["change_id"]).await, 1, "one change-plan call");
    // Executing an applied change again only reports it.
    let (st, v) = execute(&s, &p, "difference_immediately", None).await;
    assert_eq!((st, v["state"].as_str()), (StatusCode::OK, Some("applied")));
    assert_eq!(calls(app, &p["change_id"]).await, 1);
}

async fn timeout_does_not_execute_twice(app: &TestApp) {
    let s = app.support().await;
    let p = execute_losing_response(app, &s).await;
    let (_, v) = execute(&s, &p, "difference_immediately", None).await;
    assert_eq!(v["state"], "executing", "{v}");
    // Another change of the same subscription waits for this one.
    let other = preview(&s, PRIYA_SUB, TEAM, 1, "immediately").await;
    let (st, v) = execute(&s, &other, "difference_immediately", None).await;
    assert_eq!(st, StatusCode::CONFLICT, "{v}");
    assert_eq!(calls(app, &other["change_id"]).await, 0);
    let done = wait(&s, &p["change_id"], "applied", |v| {
        !v["charged_amount"].is_null()
    })
    .await;
    assert_eq!(done["charged_amount"], 5000);
    assert_eq!(calls(app, &p["change_id"]).await, 1);
}

async fn pending_change_conflict_and_cancel(app: &TestApp) {
    let s = app.support().await;
    // A change at the next billing date: nothing now, queued at Dodo.
    let p = preview(&s, JONAS_SUB, BASIC, 1, "next_billing_date").await;
    assert_eq!(quote(&p, "prorated_immediately")["total_amount"], 0);
    let (st, v) = execute(&s, &p, "prorated_immediately", None).await;
    assert_eq!(
        (st, v["state"].as_str()),
        (StatusCode::OK, Some("scheduled")),
        "{v}"
    );
    let found = find(&s, JONAS_SUB).await;
    assert_eq!(
        found["customers"][0]["subscriptions"][0]["scheduled"]["product_id"],
        BASIC
    );
    // Our own record blocks a second change, with a clear message.
    let p2 = preview(&s, JONAS_SUB, TEAM, 1, "immediately").await;
    let (st, v) = execute(&s, &p2, "difference_immediately", None).await;
    assert_eq!(st, StatusCode::CONFLICT, "{v}");
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .contains("cancel it in the plan change history first"),
        "{v}"
    );
    // The reason as a code too: a form post without JavaScript gets only codes back.
    assert_eq!(
        (
            v["fields"][0]["field"].as_str(),
            v["fields"][0]["code"].as_str()
        ),
        (Some("reason"), Some("change_scheduled")),
        "{v}"
    );
    // Cancel the scheduled change; then the next one goes through.
    let (st, v) = act(&s, "cancel", &p).await;
    assert_eq!(
        (st, v["state"].as_str()),
        (StatusCode::OK, Some("cancelled")),
        "{v}"
    );
    let found = find(&s, JONAS_SUB).await;
    assert!(found["customers"][0]["subscriptions"][0]["scheduled"].is_null());

    // A change pending at Dodo that we did not make: Dodo's 409 is reported, nothing charged.
    common::sandbox_post(
        app,
        &format!("/subscriptions/{JONAS_SUB}/change-plan"),
        json!({ "product_id": BASIC, "quantity": 2, "proration_billing_mode": "prorated_immediately",
                "effective_at": "next_billing_date" }),
    )
    .await;
    let (st, v) = execute(&s, &p2, "difference_immediately", None).await;
    assert_eq!(st, StatusCode::CONFLICT, "{v}");
    assert!(
        v["message"].as_str().unwrap().contains("already pending"),
        "{v}"
    );
    let v = change(&s, &p2["change_id"]).await;
    assert_eq!(
        (v["state"].as_str(), v["failure_code"].as_str()),
        (Some("failed"), Some("PENDING_PLAN_CHANGE_EXISTS"))
    );
}

async fn guardrail_blocks_until_approved(app: &TestApp) {
    let s = app.support().await;
    let m = app.merchant().await;
    let a = app.analyst().await;
    let (st, _) = s
        .call(
            "subscriptions/thresholds/set",
            json!({ "currency": "USD", "amount": 10000 }),
        )
        .await;
    assert_eq!(
        st,
        StatusCode::FORBIDDEN,
        "only merchants set the threshold"
    );
    let (st, v) = m
        .call(
            "subscriptions/thresholds/set",
            json!({ "currency": "USD", "amount": 10000 }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    // At the next billing date the preview charges $0 now, but Basic $30 → Team $150 × 2
    // bills $270 more each period: above $100, it needs approval too (and runs nothing yet).
    let later = preview(&s, PRIYA_SUB, TEAM, 2, "next_billing_date").await;
    assert_eq!(quote(&later, "difference_immediately")["total_amount"], 0);
    assert_eq!(
        quote(&later, "difference_immediately")["needs_approval"],
        true
    );
    let (st, v) = execute(
        &s,
        &later,
        "difference_immediately",
        Some("customer_request"),
    )
    .await;
    assert_eq!(
        (st, v["state"].as_str()),
        (StatusCode::OK, Some("awaiting_approval")),
        "{v}"
    );
    assert_eq!(calls(app, &later["change_id"]).await, 0);
    let (st, _) = act(&s, "cancel", &later).await;
    assert_eq!(st, StatusCode::OK);
    // Basic $30 → Team $150 × 2: a $270 difference, above $100.
    let p = preview(&s, PRIYA_SUB, TEAM, 2, "immediately").await;
    assert_eq!(quote(&p, "difference_immediately")["needs_approval"], true);
    let (st, v) = execute(&s, &p, "difference_immediately", None).await;
    assert_eq!(
        st,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a reason is required: {v}"
    );
    assert_eq!(v["fields"][0]["field"], "reason_code");
    let (st, v) = execute(&s, &p, "difference_immediately", Some("customer_request")).await;
    assert_eq!(
        (st, v["state"].as_str()),
        (StatusCode::OK, Some("awaiting_approval")),
        "{v}"
    );
    assert_eq!(
        calls(app, &p["change_id"]).await,
        0,
        "not executed before approval"
    );
    let (st, _) = execute(&s, &p, "difference_immediately", Some("customer_request")).await;
    assert_eq!(st, StatusCode::CONFLICT);
    // Support and analysts cannot approve; the merchant sees it in the queue and can.
    let (st, _) = act(&s, "approve", &p).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = act(&a, "approve", &p).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let q = find(&m, "").await;
    assert_eq!(q["approvals"][0]["id"], p["change_id"]);
    assert_eq!(q["approvals"][0]["reason_code"], "customer_request");
    let (st, v) = act(&m, "approve", &p).await;
    assert_eq!(
        (st, v["state"].as_str()),
        (StatusCode::OK, Some("approved")),
        "{v}"
    );
    assert_eq!(v["approved_by"], "merchant@demo.test");
    let (st, v) = execute(&s, &p, "difference_immediately", None).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let done = wait(&s, &p["change_id"], "applied", |v| {
        !v["charged_amount"].is_null()
    })
    .await;
    assert_eq!(done["charged_amount"], 27000);
    assert_eq!(calls(app, &p["change_id"]).await, 1);
    // A merchant's own request needs another merchant.
    let p = preview(&m, PRIYA_SUB, BASIC, 1, "immediately").await;
    let (_, v) = execute(&m, &p, "difference_immediately", Some("retention")).await;
    assert_eq!(
        v["state"], "awaiting_approval",
        "a $270 credit is above the limit too"
    );
    let (st, _) = act(&m, "approve", &p).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, v) = act(&m, "cancel", &p).await;
    assert_eq!(
        (st, v["state"].as_str()),
        (StatusCode::OK, Some("cancelled"))
    );
    // Asking for approval makes the merchant the requester, whoever previewed.
    let p = preview(&s, PRIYA_SUB, BASIC, 1, "immediately").await;
    let (_, v) = execute(&m, &p, "difference_immediately", Some("retention")).await;
    assert_eq!(
        (v["state"].as_str(), v["requested_by"].as_str()),
        (Some("awaiting_approval"), Some("merchant@demo.test"))
    );
    let (st, _) = act(&m, "approve", &p).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "no approving one's own request");
    assert_eq!(calls(app, &p["change_id"]).await, 0);

    // An approval is a ceiling. Team × 2 → Team × 1 credits $150: approved.
    let approved = preview(&s, PRIYA_SUB, TEAM, 1, "immediately").await;
    let (_, v) = execute(&s, &approved, "difference_immediately", Some("retention")).await;
    assert_eq!(v["state"], "awaiting_approval", "{v}");
    let (st, _) = act(&m, "approve", &approved).await;
    assert_eq!(st, StatusCode::OK);
    // Meanwhile a $20 upgrade to Pro × 4 ($320) runs without approval ...
    let small = preview(&s, PRIYA_SUB, PRO, 4, "immediately").await;
    let (_, v) = execute(&s, &small, "difference_immediately", None).await;
    assert_ne!(v["state"], "awaiting_approval", "{v}");
    wait(&s, &small["change_id"], "applied", |_| true).await;
    // ... so the approved change would now credit $170, more than approved: refused, not sent.
    let (st, v) = execute(&s, &approved, "difference_immediately", None).await;
    assert_eq!(st, StatusCode::CONFLICT, "{v}");
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .contains("since this change was approved"),
        "{v}"
    );
    assert_eq!(calls(app, &approved["change_id"]).await, 0);
    assert_eq!(
        change(&s, &approved["change_id"]).await["state"],
        "approved"
    );
}

async fn mismatch_and_failed_charges_are_flagged(app: &TestApp) {
    let s = app.support().await;
    // The charge comes out $1.23 higher than previewed.
    fault(
        app,
        json!({ "mode": "drift", "amount": 123, "remaining": 1 }),
    )
    .await;
    let p = preview(&s, PRIYA_SUB, PRO, 1, "immediately").await;
    execute(&s, &p, "difference_immediately", None).await;
    let done = wait(&s, &p["change_id"], "applied", |v| {
        !v["charged_amount"].is_null()
    })
    .await;
    assert_eq!(
        (
            done["previewed_amount"].as_i64(),
            done["charged_amount"].as_i64()
        ),
        (Some(5000), Some(5123))
    );
    let found = find(&s, PRIYA_SUB).await;
    assert_eq!(found["history"][0]["charged_amount"], 5123);

    // An expired card under prevent_change: the plan stays, the change fails with the reason.
    let p = preview(&s, MARCO_SUB, PRO, 1, "immediately").await;
    execute(&s, &p, "difference_immediately", None).await;
    let done = wait(&s, &p["change_id"], "failed", |_| true).await;
    assert_eq!(done["failure_code"], "EXPIRED_CARD");
    // Written for the support agent who reads it: about the customer, and what to do.
    assert!(
        done["failure_message"]
            .as_str()
            .is_some_and(|m| m.starts_with("The customer's saved card has expired")),
        "{done}"
    );
    let found = find(&s, MARCO_SUB).await;
    assert_eq!(
        found["customers"][0]["subscriptions"][0]["product_id"],
        BASIC
    );
    assert_eq!(found["customers"][0]["methods"][0]["expired"], true);
}

async fn roles(app: &TestApp) {
    let anon = app.anonymous();
    for (endpoint, body) in [
        ("subscriptions/find", json!({ "q": PRIYA_SUB })),
        (
            "subscriptions/preview",
            json!({ "subscription_id": PRIYA_SUB, "product_id": PRO, "quantity": 1, "effective_at": "immediately", "on_payment_failure": "prevent_change" }),
        ),
        (
            "subscriptions/execute",
            json!({ "change_id": "pch_x", "mode": "difference_immediately", "confirm_amount": 0, "reason_code": null, "reason_note": null }),
        ),
    ] {
        let (st, _) = anon.call(endpoint, body.clone()).await;
        assert_eq!(st, StatusCode::UNAUTHORIZED, "{endpoint}");
        let (st, _) = app.analyst().await.call(endpoint, body.clone()).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "analyst: {endpoint}");
    }
    for u in [app.support().await, app.merchant().await] {
        let v = find(&u, "cus_JonasWeber0002").await;
        assert_eq!(v["customers"][0]["email"], "jonas.weber@example.com");
    }
    let s = app.support().await;
    // The page renders on the server (no JavaScript needed) with the search result.
    let html = page(&s, "/subscriptions?q=priya.raman%40example.com").await;
    assert!(
        html.contains("sub_PriyaBasic0001") && html.contains("VISA •••• 4242"),
        "{html}"
    );
    assert!(!html.contains("sandbox_key"), "no secret in the HTML");
    let denied = page(
        &app.analyst().await,
        &format!("/subscriptions?q={PRIYA_SUB}"),
    )
    .await;
    assert!(denied.contains("subs-denied") && !denied.contains("VISA"));
    // Bad input says what to do.
    let (st, v) = s.call("subscriptions/find", json!({ "q": "priya" })).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(v["fields"][0]["message"].as_str().unwrap().contains("sub_"));
    let (st, v) = s
        .call("subscriptions/find", json!({ "q": "sub_Nope0000" }))
        .await;
    assert_eq!(
        (st, v["customers"].as_array().map(Vec::len)),
        (StatusCode::OK, Some(0))
    );
    let (st, v) = s
        .call(
            "subscriptions/preview",
            json!({ "subscription_id": PRIYA_SUB, "product_id": "pdt_LpTemplatePack01", "quantity": 0,
                    "effective_at": "later", "on_payment_failure": "prevent_change" }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let fields: Vec<&str> = v["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["quantity", "effective_at", "product_id"]);
    let (st, v) = s
        .call(
            "subscriptions/preview",
            json!({ "subscription_id": "sub_PriyaTeam0002", "product_id": PRO, "quantity": 1,
                    "effective_at": "immediately", "on_payment_failure": "prevent_change" }),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "cancelled subscription: {v}");
}

/// The sandbox answers in shapes the newest official SDK deserializes (CONTRACT §9, §13).
#[tokio::test]
async fn official_sdk_reads_sandbox_subscriptions() {
    use dodopayments::models::SubscriptionsChangePlanParams;
    let app = common::sqlite().await;
    let client = dodopayments::Client::new(
        dodopayments::ClientConfig::new(format!("{}/sandbox/dodo", app.base))
            .with_api_key("sandbox_key")
            .with_max_retries(0),
    )
    .unwrap();
    let sub = client
        .subscriptions()
        .retrieve()
        .subscription_id(PRIYA_SUB)
        .await
        .unwrap();
    assert_eq!(
        (sub.product_id.as_str(), sub.recurring_pre_tax_amount),
        (BASIC, 3000)
    );
    assert!(sub.has_payment_method);
    let page = client
        .subscriptions()
        .list()
        .query(json!({ "customer_id": "cus_PriyaRaman0001", "page_size": 10, "page_number": 0 }))
        .await
        .unwrap();
    assert_eq!(page.items.len(), 2);
    let params = |mode: &str, effective: &str| SubscriptionsChangePlanParams {
        product_id: Some(PRO.into()),
        quantity: Some(1),
        proration_billing_mode: Some(mode.into()),
        effective_at: Some(effective.into()),
        ..Default::default()
    };
    let preview = client
        .subscriptions()
        .preview_change_plan()
        .subscription_id(PRIYA_SUB)
        .body(params("difference_immediately", "immediately"))
        .await
        .unwrap();
    assert_eq!(preview.immediate_charge["summary"]["total_amount"], 5000);
    assert_eq!(preview.new_plan.product_id, PRO);
    let scheduled = client
        .subscriptions()
        .change_plan()
        .subscription_id(PRIYA_SUB)
        .body(params("prorated_immediately", "next_billing_date"))
        .await
        .unwrap();
    assert!(scheduled.payment_id.is_none(), "nothing charged now");
    let sub = client
        .subscriptions()
        .retrieve()
        .subscription_id(PRIYA_SUB)
        .await
        .unwrap();
    assert_eq!(sub.scheduled_change.unwrap().product_id, PRO);
    let again = client
        .subscriptions()
        .change_plan()
        .subscription_id(PRIYA_SUB)
        .body(params("prorated_immediately", "immediately"))
        .await
        .unwrap_err();
    assert!(
        matches!(again, dodopayments::Error::Api { status: 409, .. }),
        "{again}"
    );
    client
        .subscriptions()
        .cancel_change_plan()
        .subscription_id(PRIYA_SUB)
        .await
        .unwrap();
    let charged = client
        .subscriptions()
        .change_plan()
        .subscription_id(PRIYA_SUB)
        .body(params("full_immediately", "immediately"))
        .await
        .unwrap();
    let payment = charged
        .payment_id
        .expect("an immediate charge names its payment");
    let p = common::sandbox_get(&app, &format!("/payments/{payment}")).await;
    assert_eq!(
        (p["total_amount"].as_i64(), p["subscription_id"].as_str()),
        (Some(8000), Some(PRIYA_SUB))
    );
}

on_both_backends!(
    preview_execute_and_webhooks_settle,
    double_submit_executes_once,
    timeout_does_not_execute_twice,
    renewal_is_not_the_changes_charge,
    a_change_dodo_never_made_stops_blocking,
    a_change_given_up_but_charged_is_applied,
    two_instances_execute_once,
    pending_change_conflict_and_cancel,
    guardrail_blocks_until_approved,
    mismatch_and_failed_charges_are_flagged,
    roles,
);
