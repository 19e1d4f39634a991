//! The support console shows a found customer's offers, on SQLite and PostgreSQL: a save offer
//! with its cancel reason, the plan change it made and the subscription kept; a declined one
//! that ended in the cancellation; an upsell still pending; newest first.
mod common;

use common::{api_client, wait_state, Api, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

const PRIYA: &str = "cus_PriyaRaman0001";
const JONAS: &str = "cus_JonasWeber0002";
const JONAS_PRO: &str = "sub_JonasPro0003";

async fn merchant_api(app: &TestApp) -> Api {
    let m = app.merchant().await;
    common::settle(&m).await;
    api_client(app, &m).await
}

/// A subscriber asks to cancel; the token of the save offer made.
async fn ask_to_cancel(api: &Api, reason: &str) -> String {
    let (s, v) = api
        .post(
            &format!("subscriptions/{JONAS_PRO}/cancel"),
            json!({ "reason": reason }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let url = v["offer"]["url"]
        .as_str()
        .or_else(|| v["offer_url"].as_str())
        .unwrap_or_else(|| panic!("no save offer in {v}"));
    // The merchant's backend reads the offer before the customer sees it (quotes it).
    api.get(&format!("customers/{JONAS}/offer")).await;
    url.rsplit('/').next().unwrap().to_string()
}

/// The offers the console shows for the customer found by `q`.
async fn console_offers(app: &TestApp, q: &str) -> Vec<Value> {
    let support = app.support().await;
    let (s, v) = support.call("subscriptions/find", json!({ "q": q })).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let customers = v["customers"].as_array().unwrap();
    assert_eq!(customers.len(), 1, "{v}");
    customers[0]["offers"].as_array().unwrap().clone()
}

async fn save_offers_show_reason_change_and_outcome(app: &TestApp) {
    let api = merchant_api(app).await;
    let tok = ask_to_cancel(&api, "too_expensive").await;
    let (s, v) = api.post(&format!("offers/{tok}/accept"), json!({})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    wait_state(&api, &tok, "paid").await;

    let offers = console_offers(app, JONAS_PRO).await;
    assert_eq!(offers.len(), 1, "{offers:?}");
    let o = &offers[0];
    assert_eq!(o["customer_id"], JONAS);
    assert_eq!(o["action"], "plan_change", "{o}");
    assert_eq!(o["state"], "paid", "{o}");
    assert_eq!(
        o["rule_name"],
        "Pro cancel (too expensive) → Basic at renewal"
    );
    assert_eq!(o["product_name"], "Basic Monthly", "a name, not an id");
    assert_eq!(o["amount"], 0, "nothing charged today");
    assert_eq!(o["recurring_amount"], 3000);
    assert_eq!(o["subscription_id"], JONAS_PRO);
    assert_eq!(o["save"]["reason"], "too_expensive", "{o}");
    assert_eq!(o["save"]["state"], "saved", "{o}");
    let change = &o["plan_change"];
    assert_eq!(change["from_product_name"], "Pro Monthly", "{o}");
    assert_eq!(change["to_product_name"], "Basic Monthly", "{o}");
    assert!(change["state"].is_string(), "{o}");

    // Jonas asks again, for another reason, and declines the free month this time.
    let tok2 = ask_to_cancel(&api, "switching").await;
    let (s, d) = api.post(&format!("offers/{tok2}/decline"), json!({})).await;
    assert_eq!(s, StatusCode::OK, "{d}");
    let offers = console_offers(app, JONAS).await;
    assert_eq!(offers.len(), 2, "{offers:?}");
    let newest = &offers[0];
    assert_eq!(newest["action"], "free_time", "newest first: {offers:?}");
    assert_eq!(newest["state"], "declined");
    assert_eq!(newest["free_days"], 30);
    assert_eq!(newest["save"]["reason"], "switching");
    assert_eq!(newest["save"]["state"], "cancelled");
    assert_eq!(newest["plan_change"], Value::Null);
    assert_eq!(offers[1]["state"], "paid");

    // The page as support sees it, without JavaScript: the table and its two rows.
    let support = app.support().await;
    let html = common::page_text(
        &support.http,
        format!("{}/subscriptions?q={JONAS}", support.base),
    )
    .await;
    assert!(html.contains(r#"data-testid="customer-offers""#), "{html}");
    assert_eq!(html.matches(r#"data-testid="offer-row""#).count(), 2);
    assert!(html.contains(r#"data-reason="too_expensive""#));
    assert!(html.contains("<caption"));
    // The declined save offer cancelled the subscription at the period end: the row says so.
    assert!(html.contains(r#"data-testid="cancelling""#), "{html}");
}

async fn upsell_offer_shows_pending(app: &TestApp) {
    merchant_api(app).await;
    let tok = common::purchase(app, PRIYA, "pdt_LpTemplatePack01")
        .await
        .expect("the demo upsell fires");
    assert!(!tok.is_empty());
    let offers = console_offers(app, PRIYA).await;
    let o = offers
        .iter()
        .find(|o| o["rule_name"] == "Template pack → copy course")
        .unwrap_or_else(|| panic!("no upsell in {offers:?}"));
    assert_eq!(o["action"], "one_time", "{o}");
    assert_eq!(o["state"], "pending", "{o}");
    assert_eq!(o["product_name"], "Conversion Copywriting Course");
    assert_eq!(o["amount"], 4900);
    assert_eq!(o["recurring_amount"], Value::Null);
    assert_eq!(o["save"], Value::Null, "an upsell, not a save offer");
    assert_eq!(o["payment_id"], Value::Null, "nothing charged yet");

    // Another customer's offers are not shown with Jonas.
    assert!(console_offers(app, JONAS).await.is_empty());
    // Analysts may not use the console.
    let analyst = app.analyst().await;
    let (s, _) = analyst
        .call("subscriptions/find", json!({ "q": PRIYA }))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

on_both_backends!(
    save_offers_show_reason_change_and_outcome,
    upsell_offer_shows_pending,
);
