//! Offers to subscribers over real HTTP, on SQLite and PostgreSQL: an upgrade moves the
//! subscription they hold (never a second one) and charges exactly the amount shown; save
//! offers keep or cancel as the subscriber chooses; a recurring offer after a one-time purchase
//! starts a subscription.
mod common;

use common::{api_client, count, sandbox_get, sandbox_post, scalar, wait_state, Api, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

const PRIYA: &str = "cus_PriyaRaman0001";
const PRIYA_BASIC: &str = "sub_PriyaBasic0001";
const JONAS: &str = "cus_JonasWeber0002";
const JONAS_PRO: &str = "sub_JonasPro0003";
const MARCO_BASIC: &str = "sub_MarcoBasic0005";
const BASIC: &str = "pdt_BasicMonthly05";
const PRO: &str = "pdt_ProMonthly06";

async fn merchant_api(app: &TestApp) -> Api {
    let m = app.merchant().await;
    common::settle(&m).await;
    api_client(app, &m).await
}

/// The demo map's "Basic → Pro near limit", reported for `customer`'s subscription `sid`.
async fn near_limit(api: &Api, customer: &str, sid: Option<&str>) -> Value {
    let (s, v) = api
        .post(
            "events",
            json!({ "customer_id": customer, "product_id": BASIC, "event": "near_plan_limit",
                    "subscription_id": sid }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

/// The merchant's backend posts a subscriber's cancel request.
async fn ask_to_cancel(api: &Api, sid: &str, reason: &str) -> Value {
    let (s, v) = api
        .post(
            &format!("subscriptions/{sid}/cancel"),
            json!({ "reason": reason }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

/// Quoted as the customer's backend reads it, then accepted and settled.
async fn accept_quoted(api: &Api, customer: &str, tok: &str) {
    api.get(&format!("customers/{customer}/offer")).await;
    api.post(&format!("offers/{tok}/accept"), json!({})).await;
    wait_state(api, tok, "paid").await;
}

fn token_of(v: &Value) -> String {
    let url = v["offer_url"]
        .as_str()
        .or_else(|| v["offer"]["url"].as_str())
        .unwrap_or_else(|| panic!("no offer in {v}"));
    url.rsplit('/').next().unwrap().to_string()
}

async fn subscriptions_of(app: &TestApp, customer: &str) -> Vec<Value> {
    sandbox_get(
        app,
        &format!("/subscriptions?customer_id={customer}&page_size=100"),
    )
    .await["items"]
        .as_array()
        .unwrap()
        .clone()
}

async fn paid_amount(app: &TestApp, token: &str) -> Option<String> {
    scalar(
        app,
        &format!(
            "SELECT CAST(e.amount AS TEXT) FROM offer_events e JOIN offers o ON o.id = e.offer_id \
             WHERE o.token = '{token}' AND e.kind = 'paid'"
        ),
    )
    .await
}

async fn upgrade_moves_the_subscription(app: &TestApp) {
    let api = merchant_api(app).await;
    let tok = token_of(&near_limit(&api, PRIYA, Some(PRIYA_BASIC)).await);
    // What the merchant's eligibility check reads: the action, today's amount and after.
    let (s, v) = api.get(&format!("customers/{PRIYA}/offer")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let o = &v["offer"];
    assert_eq!(o["action"], "plan_change", "{v}");
    assert_eq!(o["product_id"], PRO);
    assert_eq!(o["amount_now"], 5000, "difference_immediately: $80 − $30");
    assert_eq!(o["recurring_amount"], 8000);
    assert_eq!(o["interval"], "Month");
    assert_eq!(v["payment_method"]["last4"], "4242", "{v}");
    let before = subscriptions_of(app, PRIYA).await.len();
    // The customer's page: the price difference today, then the full price with its period.
    let page = common::page_text(&common::client(), format!("{}/offer/{tok}", app.base)).await;
    let text = strip_tags(&page);
    assert!(
        text.contains("$50.00 today, then $80.00 / month from"),
        "{text}"
    );
    assert!(text.contains("Basic Monthly → Pro Monthly"), "{text}");

    let (s, v) = api.post(&format!("offers/{tok}/accept"), json!({})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["requoted"], false, "{v}");
    wait_state(&api, &tok, "paid").await;

    let sub = sandbox_get(app, &format!("/subscriptions/{PRIYA_BASIC}")).await;
    assert_eq!(sub["product_id"], PRO, "the subscription she holds moved");
    assert_eq!(sub["recurring_pre_tax_amount"], 8000);
    assert_eq!(
        subscriptions_of(app, PRIYA).await.len(),
        before,
        "no second subscription"
    );
    assert_eq!(paid_amount(app, &tok).await.as_deref(), Some("5000"));
    // The charge Dodo made is the amount shown, on her subscription.
    let payments = sandbox_get(
        app,
        &format!("/payments?subscription_id={PRIYA_BASIC}&page_size=100"),
    )
    .await;
    let charged: Vec<i64> = payments["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["status"] == "succeeded")
        .filter_map(|p| p["total_amount"].as_i64())
        .collect();
    assert_eq!(charged, vec![5000], "{payments}");
    // Audited like a console change, and shown in the subscription's history.
    assert_eq!(
        count(
            app,
            &format!("SELECT COUNT(*) FROM plan_changes WHERE subscription_id = '{PRIYA_BASIC}'")
        )
        .await,
        1
    );
    // The plan change settles by its own webhook (`subscription.plan_changed`).
    let mut change = None;
    for _ in 0..100 {
        change = scalar(
            app,
            &format!(
                "SELECT from_product_name || ' → ' || to_product_name || ' ' || state FROM plan_changes \
                 WHERE subscription_id = '{PRIYA_BASIC}'"
            ),
        )
        .await;
        if change.as_deref().is_some_and(|c| c.ends_with("applied")) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(
        change.as_deref(),
        Some("Basic Monthly → Pro Monthly applied")
    );
    // A second accept of the same offer changes nothing.
    let (_, v) = api.post(&format!("offers/{tok}/accept"), json!({})).await;
    assert_eq!(v["state"], "paid");
    assert_eq!(
        count(
            app,
            &format!("SELECT COUNT(*) FROM plan_changes WHERE subscription_id = '{PRIYA_BASIC}'")
        )
        .await,
        1
    );
}

async fn concurrent_accepts_make_one_change(app: &TestApp) {
    let api = merchant_api(app).await;
    let tok = token_of(&near_limit(&api, PRIYA, Some(PRIYA_BASIC)).await);
    // Quoted first, as the page would be.
    let (_, v) = api.get(&format!("customers/{PRIYA}/offer")).await;
    assert_eq!(v["offer"]["action"], "plan_change", "{v}");
    let Some(second) = common::second_instance(app).await else {
        return;
    };
    let m2 = second.merchant().await;
    let api2 = api_client(&second, &m2).await;
    let path = format!("offers/{tok}/accept");
    let calls = (0..10).map(|i| {
        let api = if i % 2 == 0 { &api } else { &api2 };
        api.post(&path, json!({}))
    });
    for (s, v) in futures::future::join_all(calls).await {
        assert!(s == StatusCode::OK || s == StatusCode::CONFLICT, "{s} {v}");
    }
    wait_state(&api, &tok, "paid").await;
    let change: String = scalar(
        app,
        &format!("SELECT plan_change_id FROM offers WHERE token = '{tok}'"),
    )
    .await
    .unwrap();
    let calls = sandbox_get(
        app,
        &format!("/_sandbox/plan-change-calls?plan_change_id={change}"),
    )
    .await;
    assert_eq!(calls["calls"], 1, "one change-plan call for ten accepts");
    assert_eq!(
        count(
            app,
            &format!("SELECT COUNT(*) FROM plan_changes WHERE subscription_id = '{PRIYA_BASIC}'")
        )
        .await,
        1
    );
}

async fn declined_card_leaves_the_plan_and_offers_a_new_method(app: &TestApp) {
    let api = merchant_api(app).await;
    // Marco's saved card has expired: with prevent_change the plan stays Basic.
    let tok = token_of(&near_limit(&api, "cus_MarcoRossi0004", Some(MARCO_BASIC)).await);
    let (_, v) = api.get("customers/cus_MarcoRossi0004/offer").await;
    assert_eq!(v["offer"]["action"], "plan_change", "{v}");
    api.post(&format!("offers/{tok}/accept"), json!({})).await;
    wait_state(&api, &tok, "failed").await;
    let sub = sandbox_get(app, &format!("/subscriptions/{MARCO_BASIC}")).await;
    assert_eq!(sub["product_id"], BASIC, "a declined card upgrades nobody");
    // Whether the link exists yet depends on which came first, the failure's webhook or the
    // accept's own page; the customer's page below makes it either way.
    // The customer's page: the way out is a new payment method for this subscription, never
    // a checkout (which would start a second subscription).
    let page = common::page_text(&common::client(), format!("{}/offer/{tok}", app.base)).await;
    assert!(
        page.contains("data-testid=\"update-method-link\""),
        "{page}"
    );
    assert!(!page.contains("data-testid=\"fallback-link\""));
    let v = wait_state(&api, &tok, "failed").await;
    let link = v["fallback_url"].as_str().unwrap_or_default();
    assert!(!link.is_empty(), "{v}");
    assert!(
        !link.contains("/_sandbox/hosted/cks"),
        "not a checkout: {link}"
    );
    assert_eq!(paid_amount(app, &tok).await, None);
}

async fn ambiguous_or_ended_subscriptions_get_no_offer(app: &TestApp) {
    let api = merchant_api(app).await;
    // Naming a subscription that is not active (Priya's Team plan was cancelled): no offer.
    let v = near_limit(&api, PRIYA, Some("sub_PriyaTeam0002")).await;
    assert_eq!(v["offer_created"], false, "{v}");
    assert_eq!(v["reason"], "subscription_not_active");
    // Jonas already holds Pro: offering Pro again is no change.
    let v = near_limit(&api, JONAS, Some(JONAS_PRO)).await;
    assert_eq!(v["reason"], "same_plan", "{v}");
}

/// Saves a Pro subscriber who finds it too expensive: Basic from the next billing date, and
/// after the clock passes it the renewal is Basic at Basic's price.
async fn save_offer_accepted_renews_cheaper(app: &TestApp) {
    let api = merchant_api(app).await;
    let (s, v) = api
        .post(
            &format!("subscriptions/{JONAS_PRO}/cancel"),
            json!({ "reason": "too_expensive", "comment": "budget cuts" }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["cancelled"], false, "{v}");
    let tok = token_of(&v);
    let (_, o) = api.get(&format!("customers/{JONAS}/offer")).await;
    assert_eq!(o["offer"]["save_offer"], true, "{o}");
    assert_eq!(o["offer"]["amount_now"], 0, "nothing to pay today");
    assert_eq!(o["offer"]["recurring_amount"], 3000);
    api.post(&format!("offers/{tok}/accept"), json!({})).await;
    wait_state(&api, &tok, "paid").await;
    let sub = sandbox_get(app, &format!("/subscriptions/{JONAS_PRO}")).await;
    assert_eq!(
        sub["product_id"], PRO,
        "the change waits for the billing date"
    );
    assert_eq!(sub["scheduled_change"]["product_id"], BASIC, "{sub}");
    assert_eq!(
        sub["cancel_at_next_billing_date"], false,
        "saved, not cancelled"
    );
    assert_eq!(
        paid_amount(app, &tok).await.as_deref(),
        Some("3000"),
        "retained MRR"
    );

    sandbox_post(app, "/_sandbox/clock/advance", json!({ "days": 31 })).await;
    let sub = sandbox_get(app, &format!("/subscriptions/{JONAS_PRO}")).await;
    assert_eq!(sub["product_id"], BASIC, "{sub}");
    assert_eq!(sub["status"], "active");
    let payments = sandbox_get(
        app,
        &format!("/payments?subscription_id={JONAS_PRO}&page_size=100"),
    )
    .await;
    let renewals: Vec<i64> = payments["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["total_amount"].as_i64())
        .collect();
    assert_eq!(
        renewals,
        vec![3000],
        "renewed at the cheaper price: {payments}"
    );
}

/// A decline always ends in the cancellation asked for, and no second save offer follows.
async fn save_offer_declined_cancels(app: &TestApp) {
    let api = merchant_api(app).await;
    let v = ask_to_cancel(&api, JONAS_PRO, "switching").await;
    let tok = token_of(&v);
    // The catch-all: a free month.
    let (_, o) = api.get(&format!("customers/{JONAS}/offer")).await;
    assert_eq!(o["offer"]["action"], "free_time", "{o}");
    let (s, d) = api.post(&format!("offers/{tok}/decline"), json!({})).await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(d["next_offer_url"], Value::Null, "no second save offer");
    let sub = sandbox_get(app, &format!("/subscriptions/{JONAS_PRO}")).await;
    assert_eq!(sub["cancel_at_next_billing_date"], true, "{sub}");
    assert_eq!(
        scalar(
            app,
            &format!("SELECT state FROM cancellations WHERE subscription_id = '{JONAS_PRO}'")
        )
        .await
        .as_deref(),
        Some("cancelled")
    );
    // Asked again: cancelled at once, no offer.
    let v = ask_to_cancel(&api, JONAS_PRO, "other").await;
    assert_eq!(v["cancelled"], true, "{v}");
    assert_eq!(v["offer"], Value::Null);
    // At the period end the subscription ends.
    sandbox_post(app, "/_sandbox/clock/advance", json!({ "days": 31 })).await;
    let sub = sandbox_get(app, &format!("/subscriptions/{JONAS_PRO}")).await;
    assert_eq!(sub["status"], "cancelled", "{sub}");
}

async fn free_time_accepted_moves_the_billing_date(app: &TestApp) {
    let api = merchant_api(app).await;
    let before = sandbox_get(app, &format!("/subscriptions/{JONAS_PRO}")).await;
    let v = ask_to_cancel(&api, JONAS_PRO, "not_using_enough").await;
    let tok = token_of(&v);
    accept_quoted(&api, JONAS, &tok).await;
    let after = sandbox_get(app, &format!("/subscriptions/{JONAS_PRO}")).await;
    let ms = |v: &Value| chrono_ms(v["next_billing_date"].as_str().unwrap());
    let moved = ms(&after) - ms(&before);
    assert!((moved - 30 * 86_400_000).abs() < 2_000, "moved {moved} ms");
    assert_eq!(after["cancel_at_next_billing_date"], false);
}

/// The page's text: tags (and leptos's comment markers) removed.
fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

fn chrono_ms(s: &str) -> i64 {
    // RFC 3339 to milliseconds without a date crate in the tests: the sandbox writes UTC.
    let v: Value = json!(s);
    let t = v.as_str().unwrap();
    let (date, time) = t.split_once('T').unwrap();
    let d: Vec<i64> = date.split('-').map(|x| x.parse().unwrap()).collect();
    let time = time.trim_end_matches('Z');
    let (hms, frac) = time.split_once('.').unwrap_or((time, "0"));
    let h: Vec<i64> = hms.split(':').map(|x| x.parse().unwrap()).collect();
    let days = days_from_civil(d[0], d[1], d[2]);
    let frac_ms: i64 = format!("{frac:0<3}")[..3].parse().unwrap();
    ((days * 24 + h[0]) * 60 + h[1]) * 60_000 + h[2] * 1000 + frac_ms
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// No save rule for the plan: the cancel request cancels at the period end, reason kept.
async fn cancel_without_a_rule_cancels(app: &TestApp) {
    let api = merchant_api(app).await;
    let (s, v) = api
        .post(
            &format!("subscriptions/{PRIYA_BASIC}/cancel"),
            json!({ "reason": "missing_feature" }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v, json!({ "offer": null, "cancelled": true }));
    let sub = sandbox_get(app, &format!("/subscriptions/{PRIYA_BASIC}")).await;
    assert_eq!(sub["cancel_at_next_billing_date"], true);
    assert_eq!(
        scalar(
            app,
            &format!("SELECT reason FROM cancellations WHERE subscription_id = '{PRIYA_BASIC}'")
        )
        .await
        .as_deref(),
        Some("missing_feature")
    );
    // Bad input changes nothing.
    let (s, v) = api
        .post(
            &format!("subscriptions/{JONAS_PRO}/cancel"),
            json!({ "reason": "bored" }),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let sub = sandbox_get(app, &format!("/subscriptions/{JONAS_PRO}")).await;
    assert_eq!(sub["cancel_at_next_billing_date"], false);
    assert_eq!(
        count(
            app,
            &format!("SELECT COUNT(*) FROM cancellations WHERE subscription_id = '{JONAS_PRO}'")
        )
        .await,
        0
    );
}

/// A plan offered after a one-time purchase to someone without a subscription starts one.
async fn recurring_cross_sell_starts_a_subscription(app: &TestApp) {
    let api = merchant_api(app).await;
    // Aiko holds only a yen subscription: Basic (USD) is a new subscription for her.
    let tok = common::purchase(app, "cus_AikoTanaka0003", "pdt_EmailBundle03")
        .await
        .expect("the demo cross-sell fires");
    let (_, v) = api.get("customers/cus_AikoTanaka0003/offer").await;
    assert_eq!(v["offer"]["action"], "new_subscription", "{v}");
    let before = subscriptions_of(app, "cus_AikoTanaka0003").await.len();
    api.post(&format!("offers/{tok}/accept"), json!({})).await;
    wait_state(&api, &tok, "paid").await;
    let subs = subscriptions_of(app, "cus_AikoTanaka0003").await;
    assert_eq!(subs.len(), before + 1, "{subs:?}");
    assert!(subs
        .iter()
        .any(|s| s["product_id"] == BASIC && s["status"] == "active"));
}

/// With `apply_change` the plan changes even when the card fails: the subscription goes on
/// hold (Dodo's `subscription.on_hold`), the offer fails with the update-method link, and any
/// other open offer on that subscription is withdrawn.
async fn apply_change_puts_the_subscription_on_hold(app: &TestApp) {
    let m = app.merchant().await;
    common::settle(&m).await;
    let api = api_client(app, &m).await;
    let mut draft = common::draft("Basic → Team, change anyway", BASIC, "pdt_TeamMonthly07");
    draft["timing"] = json!("usage_milestone");
    draft["terms"] = json!({ "proration_mode": "difference_immediately",
                             "on_payment_failure": "apply_change", "free_days": 0 });
    let (s, v) = m.call("rules/save", json!({ "draft": draft })).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["terms"]["on_payment_failure"], "apply_change", "{v}");
    // Marco's card has expired.
    let (_, e) = api
        .post(
            "events",
            json!({ "customer_id": "cus_MarcoRossi0004", "product_id": BASIC,
                    "event": "usage_milestone", "subscription_id": MARCO_BASIC }),
        )
        .await;
    let tok = token_of(&e);
    // A second offer on the same subscription, still open when it goes on hold.
    let other = token_of(&near_limit(&api, "cus_MarcoRossi0004", Some(MARCO_BASIC)).await);
    api.get("customers/cus_MarcoRossi0004/offer").await;
    let (_, q) = api.get(&format!("offers/{tok}")).await;
    assert_eq!(q["state"], "pending", "{q}");
    // Quote and accept the Team offer (its page is what the customer saw).
    reqwest::get(format!("{}/offer/{tok}", app.base))
        .await
        .unwrap();
    api.post(&format!("offers/{tok}/accept"), json!({})).await;
    wait_state(&api, &tok, "failed").await;
    let sub = sandbox_get(app, &format!("/subscriptions/{MARCO_BASIC}")).await;
    assert_eq!(
        sub["product_id"], "pdt_TeamMonthly07",
        "applied anyway: {sub}"
    );
    assert_eq!(sub["status"], "on_hold");
    wait_state(&api, &other, "expired").await;
    // Its customer is told why, not only that it ended.
    let page = reqwest::get(format!("{}/offer/{other}", app.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("the subscription it was for is no longer active"),
        "withdrawn offer's page: {}",
        page[page.find("offer-expired").unwrap_or(0)..]
            .chars()
            .take(300)
            .collect::<String>()
    );
    assert_eq!(
        scalar(
            app,
            &format!("SELECT CAST(on_hold AS TEXT) FROM plan_changes WHERE subscription_id = '{MARCO_BASIC}'")
        )
        .await
        .as_deref(),
        Some("1")
    );
}

/// Waits until a subscription webhook has marked the open offer `tok` for a fresh quote.
async fn assert_requoted(app: &TestApp, tok: &str, by: &str) {
    for _ in 0..100 {
        let quoted_at = scalar(
            app,
            &format!("SELECT CAST(quoted_at AS TEXT) FROM offers WHERE token = '{tok}'"),
        )
        .await;
        if quoted_at.as_deref() == Some("0") {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{by} never reached the open offer");
}

/// A subscription moved elsewhere (Dodo's dashboard, the merchant's own backend) ends an open
/// upgrade to the plan it is now on: the offer is quoted again at once, withdrawn with its
/// reason, and the customer's click charges nothing.
async fn a_plan_change_elsewhere_ends_the_open_upgrade(app: &TestApp) {
    let api = merchant_api(app).await;
    let tok = token_of(&near_limit(&api, PRIYA, Some(PRIYA_BASIC)).await);
    let page = common::page_text(&common::client(), format!("{}/offer/{tok}", app.base)).await;
    assert!(
        strip_tags(&page).contains("$50.00 today"),
        "quoted when shown"
    );
    assert!(page.contains("Best value"), "the rule's badge while open");
    sandbox_post(
        app,
        &format!("/subscriptions/{PRIYA_BASIC}/change-plan"),
        json!({ "product_id": PRO, "quantity": 1,
                "proration_billing_mode": "do_not_bill" }),
    )
    .await;
    let sub = sandbox_get(app, &format!("/subscriptions/{PRIYA_BASIC}")).await;
    assert_eq!(sub["product_id"], PRO);
    // The webhook marks the quote stale; the next look (here the accept) quotes again.
    assert_requoted(app, &tok, "subscription.plan_changed").await;
    let (s, v) = api.post(&format!("offers/{tok}/accept"), json!({})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["state"], "expired", "{v}");
    assert_eq!(v["failure_code"], "same_plan", "{v}");
    assert_eq!(
        v["failure_message"],
        Value::Null,
        "a withdrawal is not a decline: {v}"
    );
    assert_eq!(paid_amount(app, &tok).await, None, "nothing charged");
    let page = common::page_text(&common::client(), format!("{}/offer/{tok}", app.base)).await;
    let text = strip_tags(&page);
    assert!(
        text.contains("your subscription is already on this plan"),
        "{text}"
    );
    // No price, plan move or badge left on the page to read as still on offer.
    assert!(
        !text.contains("today, then")
            && !text.contains("Basic Monthly →")
            && !text.contains("Best value"),
        "{text}"
    );
}

/// The subscriber sets the subscription to end (Dodo's portal: a PATCH, `subscription.updated`)
/// while an upgrade is open: Dodo would refuse the change, so the click ends the offer with
/// that reason instead of calling it.
async fn a_cancellation_elsewhere_ends_the_open_upgrade(app: &TestApp) {
    let api = merchant_api(app).await;
    let tok = token_of(&near_limit(&api, PRIYA, Some(PRIYA_BASIC)).await);
    common::page_text(&common::client(), format!("{}/offer/{tok}", app.base)).await;
    let r = common::client()
        .patch(format!(
            "{}/sandbox/dodo/subscriptions/{PRIYA_BASIC}",
            app.base
        ))
        .bearer_auth("sandbox_key")
        .json(&json!({ "cancel_at_next_billing_date": true }))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    assert_requoted(app, &tok, "subscription.updated").await;
    let (s, v) = api.post(&format!("offers/{tok}/accept"), json!({})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["state"], "expired", "{v}");
    assert_eq!(v["failure_code"], "subscription_cancelling", "{v}");
    assert_eq!(paid_amount(app, &tok).await, None, "nothing charged");
    let sub = sandbox_get(app, &format!("/subscriptions/{PRIYA_BASIC}")).await;
    assert_eq!(sub["product_id"], BASIC, "the plan did not move");
}

/// Dodo refuses the preview of an open upgrade (here a quantity it does not take, standing in
/// for a subscription that changed between our read and the preview): the customer's page
/// says the offer ended, not support's "Dodo refused this change", and nothing is charged.
async fn a_refused_preview_ends_the_offer_for_the_customer(app: &TestApp) {
    let api = merchant_api(app).await;
    let tok = token_of(&near_limit(&api, PRIYA, Some(PRIYA_BASIC)).await);
    common::exec(
        app,
        &format!("UPDATE offers SET quantity = 500, quoted_at = 0 WHERE token = '{tok}'"),
    )
    .await;
    let page = common::page_text(&common::client(), format!("{}/offer/{tok}", app.base)).await;
    let text = strip_tags(&page);
    assert!(
        text.contains("your subscriptions have changed since it was made"),
        "{text}"
    );
    assert!(!text.contains("Dodo Payments refused"), "{text}");
    let (_, v) = api.get(&format!("offers/{tok}")).await;
    assert_eq!(v["state"], "expired", "{v}");
    assert_eq!(v["failure_code"], "refused_by_dodo", "{v}");
    assert_eq!(paid_amount(app, &tok).await, None, "nothing charged");
}

/// A one-time cross-sell for a subscriber is a one-time charge: the subscription is untouched.
async fn one_time_cross_sell_leaves_the_subscription(app: &TestApp) {
    let api = merchant_api(app).await;
    let (_, e) = api
        .post(
            "events",
            json!({ "customer_id": PRIYA, "product_id": BASIC, "event": "onboarding_complete" }),
        )
        .await;
    let tok = token_of(&e);
    let (_, v) = api.get(&format!("customers/{PRIYA}/offer")).await;
    assert_eq!(v["offer"]["action"], "one_time", "{v}");
    assert_eq!(v["offer"]["recurring_amount"], Value::Null);
    let subs_before = subscriptions_of(app, PRIYA).await;
    api.post(&format!("offers/{tok}/accept"), json!({})).await;
    wait_state(&api, &tok, "paid").await;
    assert_eq!(subscriptions_of(app, PRIYA).await, subs_before);
    assert_eq!(paid_amount(app, &tok).await.as_deref(), Some("2900"));
}

/// Silence is not a save: an unanswered save offer expires and the cancellation goes through.
async fn unanswered_save_offer_cancels(app: &TestApp) {
    let api = merchant_api(app).await;
    let v = ask_to_cancel(&api, JONAS_PRO, "other").await;
    let tok = token_of(&v);
    let state = &app.running.state;
    assert_eq!(
        upsell_dashboard::server::offers::sweep(state)
            .await
            .unwrap(),
        0,
        "not yet expired"
    );
    common::exec(
        app,
        &format!("UPDATE offers SET expires_at = 0 WHERE token = '{tok}'"),
    )
    .await;
    assert_eq!(
        upsell_dashboard::server::offers::sweep(state)
            .await
            .unwrap(),
        1
    );
    let (_, o) = api.get(&format!("offers/{tok}")).await;
    assert_eq!(o["state"], "expired");
    let sub = sandbox_get(app, &format!("/subscriptions/{JONAS_PRO}")).await;
    assert_eq!(sub["cancel_at_next_billing_date"], true);
    assert_eq!(
        upsell_dashboard::server::offers::sweep(state)
            .await
            .unwrap(),
        0,
        "once"
    );
}

/// Analytics: save rate and retained monthly revenue per cancel reason.
async fn analytics_count_saves_by_reason(app: &TestApp) {
    let api = merchant_api(app).await;
    let v = ask_to_cancel(&api, JONAS_PRO, "too_expensive").await;
    let tok = token_of(&v);
    accept_quoted(&api, JONAS, &tok).await;
    ask_to_cancel(&api, PRIYA_BASIC, "switching").await;
    let today = upsell_dashboard::domain::time::format_date(common::now().div_euclid(86_400));
    let analyst = app.analyst().await;
    let (s, report) = analyst
        .call(
            "analytics/report",
            json!({ "filters": { "from": today, "to": today } }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{report}");
    let saves = report["saves"].as_array().unwrap();
    let row = |reason: &str| {
        saves
            .iter()
            .find(|r| r["reason"] == reason)
            .unwrap_or_else(|| panic!("no {reason}: {report}"))
    };
    let kept = row("too_expensive");
    assert_eq!(
        (
            &kept["requests"],
            &kept["offered"],
            &kept["saved"],
            &kept["retained"],
            &kept["currency"]
        ),
        (&json!(1), &json!(1), &json!(1), &json!(3000), &json!("USD"))
    );
    assert_eq!(kept["save_rate_pct"], 100.0);
    let gone = row("switching");
    assert_eq!(
        (&gone["offered"], &gone["cancelled"], &gone["retained"]),
        (&json!(0), &json!(1), &json!(0))
    );
}

on_both_backends!(
    analytics_count_saves_by_reason,
    a_plan_change_elsewhere_ends_the_open_upgrade,
    a_cancellation_elsewhere_ends_the_open_upgrade,
    a_refused_preview_ends_the_offer_for_the_customer,
    unanswered_save_offer_cancels,
    apply_change_puts_the_subscription_on_hold,
    one_time_cross_sell_leaves_the_subscription,
    upgrade_moves_the_subscription,
    concurrent_accepts_make_one_change,
    declined_card_leaves_the_plan_and_offers_a_new_method,
    ambiguous_or_ended_subscriptions_get_no_offer,
    save_offer_accepted_renews_cheaper,
    save_offer_declined_cancels,
    free_time_accepted_moves_the_billing_date,
    cancel_without_a_rule_cancels,
    recurring_cross_sell_starts_a_subscription,
);
