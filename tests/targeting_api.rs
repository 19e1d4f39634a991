//! Upsell map v2, targeting, over real HTTP on both backends: a rule with conditions fires
//! only for the purchases that meet them, a catch-all only when no rule for the product does,
//! a scheduled rule only inside its window, and a refused condition changes nothing.
mod common;

use common::{count, deliver, draft, now, scalar, settle, TestApp, TEST_WEBHOOK_SECRET};
use reqwest::StatusCode;
use serde_json::{json, Value};

const ICONS: &str = "pdt_IconSet04";
const EMAILS: &str = "pdt_EmailBundle03";
const COURSE: &str = "pdt_CopyCourse02";

struct Buy<'a> {
    customer: &'a str,
    product: &'a str,
    total: i64,
    country: &'a str,
    quantity: i64,
}

/// Delivers a signed `payment.succeeded` and returns the offer it made, if any.
async fn buy(app: &TestApp, b: Buy<'_>) -> Option<String> {
    let payment_id = format!("pay_t{}", common::unique());
    let body = json!({
        "business_id": "bus_DemoShop7Qm2Rk4TfW9x", "type": "payment.succeeded", "timestamp": "2026-12-03T20:00:00Z",
        "data": { "payload_type": "Payment", "payment_id": payment_id, "status": "succeeded", "total_amount": b.total,
                  "currency": "USD", "customer": { "customer_id": b.customer, "email": "x@example.com", "name": "X" },
                  "billing": { "country": b.country, "zipcode": "94612" },
                  "product_cart": [{ "product_id": b.product, "quantity": b.quantity }], "metadata": {} }
    })
    .to_string();
    let (s, v) = deliver(
        app,
        TEST_WEBHOOK_SECRET,
        &format!("msg_{payment_id}"),
        now(),
        &body,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        count(
            app,
            &format!("SELECT COUNT(*) FROM purchases WHERE payment_id = '{payment_id}'")
        )
        .await,
        1,
        "the purchase is recorded"
    );
    scalar(
        app,
        &format!("SELECT offer_product_id FROM offers WHERE trigger_payment_id = '{payment_id}'"),
    )
    .await
}

fn with_targeting(mut d: Value, targeting: Value) -> Value {
    d["targeting"] = targeting;
    d
}

async fn conditions_decide_which_purchases_get_the_offer(app: &TestApp) {
    let m = app.merchant().await;
    settle(&m).await;
    let d = with_targeting(
        draft("Big US orders of icons", ICONS, EMAILS),
        json!({
            "order_values": [{ "currency": "usd", "min": 5000 }],
            "countries": ["us", "CA"],
            "min_quantity": 1, "max_quantity": 3
        }),
    );
    let (s, v) = m.call("rules/save", json!({ "draft": d })).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        v["targeting"]["countries"],
        json!(["US", "CA"]),
        "codes are tidied"
    );
    let small = Buy {
        customer: "cus_T1",
        product: ICONS,
        total: 2900,
        country: "US",
        quantity: 1,
    };
    assert_eq!(buy(app, small).await, None, "order value below $50.00");
    let big = Buy {
        customer: "cus_T2",
        product: ICONS,
        total: 6000,
        country: "US",
        quantity: 1,
    };
    assert_eq!(buy(app, big).await.as_deref(), Some(EMAILS));
    let german = Buy {
        customer: "cus_T3",
        product: ICONS,
        total: 6000,
        country: "DE",
        quantity: 1,
    };
    assert_eq!(buy(app, german).await, None, "billing country not listed");
    let bulk = Buy {
        customer: "cus_T4",
        product: ICONS,
        total: 9000,
        country: "CA",
        quantity: 5,
    };
    assert_eq!(buy(app, bulk).await, None, "quantity above 3");
}

async fn a_catch_all_waits_for_the_products_own_rules_and_new_customers(app: &TestApp) {
    let m = app.merchant().await;
    settle(&m).await;
    let catch_all = with_targeting(
        draft("Icons after anything, first purchase", "*", ICONS),
        json!({ "customer": "new" }),
    );
    let (s, v) = m.call("rules/save", json!({ "draft": catch_all })).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // The course has no rule of its own: the catch-all fires, for a first purchase only.
    let first = Buy {
        customer: "cus_New1",
        product: COURSE,
        total: 4900,
        country: "US",
        quantity: 1,
    };
    assert_eq!(buy(app, first).await.as_deref(), Some(ICONS));
    let again = Buy {
        customer: "cus_New1",
        product: COURSE,
        total: 4900,
        country: "US",
        quantity: 1,
    };
    assert_eq!(buy(app, again).await, None, "a returning customer");
    // The template pack has its own rule (the demo map's): that one fires, not the catch-all.
    let pack = Buy {
        customer: "cus_New2",
        product: "pdt_LpTemplatePack01",
        total: 2900,
        country: "US",
        quantity: 1,
    };
    assert_eq!(buy(app, pack).await.as_deref(), Some("pdt_CopyCourse02"));
}

/// What a customer bought in earlier deliveries counts: a rule for those who do not hold the
/// course skips a customer who bought it, however many purchases came between.
async fn a_customer_who_holds_the_product_is_left_out(app: &TestApp) {
    let m = app.merchant().await;
    settle(&m).await;
    let d = with_targeting(
        draft("Emails unless they hold the course", ICONS, EMAILS),
        json!({ "exclude_holders": [COURSE] }),
    );
    let (s, v) = m.call("rules/save", json!({ "draft": d })).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let icons = |customer| Buy {
        customer,
        product: ICONS,
        total: 900,
        country: "US",
        quantity: 1,
    };
    let course = Buy {
        customer: "cus_H1",
        product: COURSE,
        total: 4900,
        country: "US",
        quantity: 1,
    };
    assert_eq!(buy(app, icons("cus_H1")).await.as_deref(), Some(EMAILS));
    buy(app, course).await;
    for _ in 0..2 {
        assert_eq!(buy(app, icons("cus_H1")).await, None, "holds the course");
    }
    assert_eq!(buy(app, icons("cus_H2")).await.as_deref(), Some(EMAILS));
    // The summary keeps the first payment and one other: enough to call either returning.
    let kept = count(
        app,
        "SELECT COUNT(*) FROM customer_products WHERE customer_id = 'cus_H1' AND product_id = '*' \
         AND other_payment_id IS NOT NULL AND other_payment_id <> first_payment_id",
    )
    .await;
    assert_eq!(kept, 1);
}

/// A database whose purchases predate the per-customer summaries gets them at start-up, so
/// "returning" and "already holds" still see every earlier purchase.
async fn purchases_recorded_before_the_summaries_are_summarised_at_start(app: &TestApp) {
    let m = app.merchant().await;
    settle(&m).await;
    let first = Buy {
        customer: "cus_Old1",
        product: COURSE,
        total: 4900,
        country: "US",
        quantity: 1,
    };
    buy(app, first).await;
    common::exec(app, "DELETE FROM customer_products").await;
    let Some(second) = common::second_instance(app).await else {
        return;
    };
    let mut rows = common::strings(
        &second,
        "SELECT product_id FROM customer_products WHERE customer_id = 'cus_Old1'",
    )
    .await;
    rows.sort();
    assert_eq!(rows, vec!["*".to_string(), COURSE.to_string()]);
}

async fn a_scheduled_rule_is_inert_outside_its_window(app: &TestApp) {
    let m = app.merchant().await;
    settle(&m).await;
    let d = with_targeting(
        draft("Icons next year", ICONS, EMAILS),
        json!({ "schedule": { "zone": "Europe/Berlin", "start_local": "2099-01-01T00:00" } }),
    );
    let (s, v) = m.call("rules/save", json!({ "draft": d })).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // 2099-01-01T00:00 in Berlin (UTC+1 in winter).
    assert_eq!(
        v["targeting"]["schedule"]["starts_at"],
        json!(4_070_905_200_000_i64)
    );
    let now_buy = Buy {
        customer: "cus_S1",
        product: ICONS,
        total: 900,
        country: "US",
        quantity: 1,
    };
    assert_eq!(buy(app, now_buy).await, None, "not started yet");
}

async fn bad_conditions_are_refused_by_field_and_change_nothing(app: &TestApp) {
    let m = app.merchant().await;
    settle(&m).await;
    let before = m.rules().await.len();
    let d = with_targeting(
        draft("Bad conditions", ICONS, EMAILS),
        json!({
            "countries": ["USA"],
            "order_values": [{ "currency": "USD", "min": 9000, "max": 100 }],
            "exclude_holders": ["pdt_Nope"],
            "schedule": { "zone": "Mars/Olympus", "start_local": "2026-01-01T00:00" }
        }),
    );
    let (s, v) = m.call("rules/save", json!({ "draft": d })).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let fields: Vec<&str> = v["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    for want in [
        "targeting.countries",
        "targeting.order_values",
        "targeting.exclude_holders",
        "targeting.schedule.zone",
    ] {
        assert!(fields.contains(&want), "{want} in {fields:?}");
    }
    assert_eq!(m.rules().await.len(), before, "nothing saved");
    // A catch-all downsell makes no sense and is refused too.
    let mut d = draft("Catch-all downsell", "*", EMAILS);
    d["kind"] = json!("save");
    let (s, _) = m.call("rules/save", json!({ "draft": d })).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn preview_as_customer_explains_each_rule(app: &TestApp) {
    let m = app.merchant().await;
    settle(&m).await;
    let d = with_targeting(
        draft("Icons for returning customers", ICONS, EMAILS),
        json!({ "customer": "returning", "order_values": [{ "currency": "USD", "min": 1000 }] }),
    );
    let (s, v) = m.call("rules/save", json!({ "draft": d })).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let ask = |customer: &'static str, total: &'static str| {
        let m = &m;
        async move {
            let r = m
                .http
                .post(format!("{}/api/rules/preview_as", m.base))
                .form(&[
                    ("customer_id", customer),
                    ("product_id", ICONS),
                    ("total", total),
                    ("country", "us"),
                    ("quantity", "1"),
                ])
                .send()
                .await
                .unwrap();
            (r.status(), r.json::<Value>().await.unwrap())
        }
    };
    // A new customer with a $5 order: the rule does not fire, and says the first reason.
    let (s, v) = ask("", "5").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let ours = v
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["name"] == "Icons for returning customers")
        .cloned()
        .unwrap();
    assert_eq!(ours["miss"]["why"], "order_below", "{ours}");
    // A customer who bought before, with a $20 order: it fires.
    let bought = Buy {
        customer: "cus_Back1",
        product: COURSE,
        total: 4900,
        country: "US",
        quantity: 1,
    };
    buy(app, bought).await;
    let (_, v) = ask("cus_Back1", "20").await;
    let first = &v.as_array().unwrap()[0];
    assert_eq!(first["name"], "Icons for returning customers", "{v}");
    assert!(first["miss"].is_null(), "{v}");
    let (_, v) = ask("", "20").await;
    let ours = v
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["name"] == "Icons for returning customers")
        .cloned()
        .unwrap();
    assert_eq!(ours["miss"]["why"], "not_returning_customer", "{v}");
    // Bad input: a clear error per field, nothing else.
    let (s, v) = ask("", "lots").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["fields"][0]["field"], "total", "{v}");
}

async fn the_frequency_cap_holds_under_concurrent_purchases(app: &TestApp) {
    let m = app.merchant().await;
    settle(&m).await;
    // Bad input is refused by field and changes nothing.
    let (s, v) = m
        .call("rules/cap", json!({ "max_offers": "lots", "days": "30" }))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["fields"][0]["field"], "max_offers");
    let (s, v) = m
        .call("rules/cap", json!({ "max_offers": "2", "days": "0" }))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["fields"][0]["field"], "days");
    let (s, v) = m
        .call("rules/cap", json!({ "max_offers": "1", "days": "30" }))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        count(
            app,
            "SELECT COUNT(*) FROM audit_log WHERE entity_id = 'frequency_cap'"
        )
        .await,
        1,
        "the change is audited once (the refused ones are not)"
    );

    // Ten purchases of the template pack (the demo map offers the course after it) by one
    // customer, at once, through two app instances on one database: one offer.
    let other = common::second_instance(app).await.unwrap();
    let sends = (0..10).map(|i| {
        let target = if i % 2 == 0 { app } else { &other };
        buy(
            target,
            Buy {
                customer: "cus_Capped",
                product: "pdt_LpTemplatePack01",
                total: 2900,
                country: "US",
                quantity: 1,
            },
        )
    });
    futures::future::join_all(sends).await;
    assert_eq!(
        count(
            app,
            "SELECT COUNT(*) FROM offers WHERE customer_id = 'cus_Capped'"
        )
        .await,
        1
    );
    assert_eq!(
        count(
            app,
            "SELECT COUNT(*) FROM purchases WHERE customer_id = 'cus_Capped'"
        )
        .await,
        10,
        "every purchase is still recorded"
    );
    // Another customer has their own allowance.
    let fresh = Buy {
        customer: "cus_Free",
        product: "pdt_LpTemplatePack01",
        total: 2900,
        country: "US",
        quantity: 1,
    };
    assert!(buy(app, fresh).await.is_some());
}

on_both_backends!(
    the_frequency_cap_holds_under_concurrent_purchases,
    preview_as_customer_explains_each_rule,
    conditions_decide_which_purchases_get_the_offer,
    a_catch_all_waits_for_the_products_own_rules_and_new_customers,
    a_scheduled_rule_is_inert_outside_its_window,
    a_customer_who_holds_the_product_is_left_out,
    purchases_recorded_before_the_summaries_are_summarised_at_start,
    bad_conditions_are_refused_by_field_and_change_nothing,
);
