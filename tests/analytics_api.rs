//! Analytics over real HTTP on SQLite and PostgreSQL: a scripted history of purchases, views,
//! accepts, declines, a failed charge, a refund (delivered twice) and a late out-of-order
//! webhook must give exactly the expected table and CSV, and the rollups kept in the same
//! transaction as each event must equal a recomputation from the raw events.
mod common;

use common::{deliver, now, purchase, wait_state, TestApp, TEST_WEBHOOK_SECRET};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use upsell_dashboard::domain::analytics::{
    assign, range_data, DeclineCount, EventKind, Filters, Rollup, Variant, DAY_MS,
};
use upsell_dashboard::server::analytics;
use upsell_dashboard::server::db::Db;
use upsell_dashboard::server::rollups::{self, Grain, Subject};

const PACK: &str = "pdt_LpTemplatePack01";
const COURSE_RULE: &str = "Template pack → copy course";
const DOWNSELL_RULE: &str = "Course declined → email bundle";

fn today() -> String {
    upsell_dashboard::domain::time::format_date(now().div_euclid(86_400))
}

fn range() -> Value {
    json!({ "filters": { "from": today(), "to": today() } })
}

async fn view(app: &TestApp, token: &str) {
    let (s, v) = app
        .anonymous()
        .call("offer/view", json!({ "token": token }))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
}

fn row<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("no row {name}: {report}"))
}

fn refund_event(payment_id: &str, refund_id: &str, amount: i64) -> String {
    json!({
        "business_id": "bus_DemoShop7Qm2Rk4TfW9x", "type": "refund.succeeded", "timestamp": "2026-11-24T21:00:00Z",
        "data": { "payload_type": "Refund", "refund_id": refund_id, "payment_id": payment_id, "amount": amount,
                  "currency": "USD", "status": "succeeded", "is_partial": true, "reason": "customer request",
                  "business_id": "bus_DemoShop7Qm2Rk4TfW9x", "created_at": "2026-11-24T21:00:00Z" }
    })
    .to_string()
}

fn late_failure(payment_id: &str, offer_id: &str) -> String {
    json!({
        "business_id": "bus_DemoShop7Qm2Rk4TfW9x", "type": "payment.failed", "timestamp": "2026-11-24T20:00:00Z",
        "data": { "payload_type": "Payment", "payment_id": payment_id, "status": "failed", "total_amount": 4900,
                  "currency": "USD", "error_code": "INSUFFICIENT_FUNDS",
                  "customer": { "customer_id": "cus_PriyaRaman0001", "email": "x@example.com", "name": "X" },
                  "product_cart": [], "metadata": { "offer_id": offer_id } }
    })
    .to_string()
}

async fn scripted_history_gives_the_expected_table(app: &TestApp) {
    let m = app.merchant().await;
    common::settle(&m).await;
    let api = common::api_client(app, &m).await;

    // Priya: sees the course, accepts, is charged, then gets $10 back (delivered twice).
    let t1 = purchase(app, "cus_PriyaRaman0001", PACK).await.unwrap();
    view(app, &t1).await;
    api.post(&format!("offers/{t1}/accept"), json!({})).await;
    wait_state(&api, &t1, "paid").await;
    let (offer_id, payment_id): (String, String) = (
        common::scalar(app, &format!("SELECT id FROM offers WHERE token = '{t1}'"))
            .await
            .unwrap(),
        common::scalar(
            app,
            &format!("SELECT payment_id FROM offers WHERE token = '{t1}'"),
        )
        .await
        .unwrap(),
    );
    for (i, id) in ["msg_refund_a", "msg_refund_b"].into_iter().enumerate() {
        let (s, v) = deliver(
            app,
            TEST_WEBHOOK_SECRET,
            id,
            now(),
            &refund_event(&payment_id, "ref_1", 1000),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "delivery {i}: {v}");
    }
    // A stale failure for the same offer arrives after it was paid: it must change nothing.
    deliver(
        app,
        TEST_WEBHOOK_SECRET,
        "msg_late_fail",
        now(),
        &late_failure("pay_older", &offer_id),
    )
    .await;

    // Jonas: sees it and declines; the downsell is made but never opened.
    let t2 = purchase(app, "cus_JonasWeber0002", PACK).await.unwrap();
    view(app, &t2).await;
    api.post(&format!("offers/{t2}/decline"), json!({})).await;

    // Aiko: sees it, accepts, the bank refuses.
    common::sandbox_post(
        app,
        "/_sandbox/faults",
        json!({ "mode": "decline", "code": "INSUFFICIENT_FUNDS", "remaining": 1 }),
    )
    .await;
    let t3 = purchase(app, "cus_AikoTanaka0003", PACK).await.unwrap();
    view(app, &t3).await;
    api.post(&format!("offers/{t3}/accept"), json!({})).await;
    wait_state(&api, &t3, "failed").await;
    // Her page then shows the checkout link: one fallback, whether the decline reached us
    // before the accept answered (its page made the link) or after (this look makes it).
    view(app, &t3).await;

    let analyst = app.analyst().await;
    let (s, report) = analyst.call("analytics/report", range()).await;
    assert_eq!(s, StatusCode::OK, "{report}");
    let course = &row(&report, COURSE_RULE)["counts"];
    let got: Vec<i64> = [
        "created", "shown", "accepted", "paid", "declined", "failed", "expired", "fallback",
        "refunds", "revenue", "refunded",
    ]
    .iter()
    .map(|k| course[*k].as_i64().unwrap())
    .collect();
    assert_eq!(got, [3, 3, 2, 1, 1, 1, 0, 1, 1, 4900, 1000], "{course}");
    let down = &row(&report, DOWNSELL_RULE)["counts"];
    assert_eq!(
        (down["created"].as_i64(), down["shown"].as_i64()),
        (Some(1), Some(0))
    );
    // Priya's paid course led to the next offer (the icon set), made but never opened.
    let next = &row(&report, "Course accepted → icon set")["counts"];
    assert_eq!(
        (next["created"].as_i64(), next["shown"].as_i64()),
        (Some(1), Some(0))
    );
    let totals = report["totals"].as_array().unwrap();
    assert_eq!(totals.len(), 1, "one currency, one total: {report}");
    assert_eq!(totals[0]["counts"]["created"], 5);
    assert_eq!(report["declines"][0]["code"], "INSUFFICIENT_FUNDS");
    assert_eq!(report["declines"][0]["count"], 1);
    let day = report["trend"].as_array().unwrap();
    assert_eq!(day.len(), 1);
    assert_eq!(
        (
            day[0]["shown"].as_i64(),
            day[0]["paid"].as_i64(),
            day[0]["revenue"].as_i64()
        ),
        (Some(3), Some(1), Some(3900))
    );

    // Filters narrow the table; sorting by name orders it.
    let (_, only_down) = analyst
        .call(
            "analytics/report",
            json!({ "filters": { "from": today(), "to": today(), "kind": "downsell" } }),
        )
        .await;
    assert_eq!(
        only_down["rows"].as_array().unwrap().len(),
        1,
        "{only_down}"
    );
    let (_, eur) = analyst
        .call(
            "analytics/report",
            json!({ "filters": { "from": today(), "to": today(), "currency": "EUR" } }),
        )
        .await;
    assert!(eur["rows"].as_array().unwrap().is_empty());

    // The drill-down lists this rule's offers, newest first.
    let rule_id = row(&report, COURSE_RULE)["rule_id"]
        .as_str()
        .unwrap()
        .to_string();
    let (s, recent) = analyst
        .call("analytics/recent", json!({ "rule_id": rule_id }))
        .await;
    assert_eq!(s, StatusCode::OK);
    let outcomes: Vec<&str> = recent
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["failed", "declined", "paid"]);

    // The CSV is exactly the table: header, the rows in the table's order, then the totals.
    let csv = analyst
        .http
        .get(format!(
            "{}/analytics/export.csv?from={}&to={}",
            app.base,
            today(),
            today()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(csv.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("attachment"));
    let text = csv.text().await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines.len(),
        1 + report["rows"].as_array().unwrap().len() + 1,
        "{text}"
    );
    assert!(
        lines[0].starts_with("offer,kind,trigger_product,offered_product,currency,created,shown")
    );
    let course_line = lines.iter().find(|l| l.starts_with(COURSE_RULE)).unwrap();
    let cells: Vec<&str> = course_line.split(',').collect();
    assert_eq!(
        &cells[4..13],
        ["USD", "3", "3", "2", "1", "1", "1", "0", "1"],
        "{course_line}"
    );
    assert_eq!(
        cells[19], "39.00",
        "net revenue after the refund: {course_line}"
    );
    assert!(lines.last().unwrap().starts_with("Total,"));

    // The rollups written with each event equal a recomputation from the raw events.
    let db = &app.running.state.db;
    let stored = rollups_match_events(db).await;

    // The page's sums, made by the database, equal the same sums over the stored rows.
    let rules = analytics::rule_infos(db).await.unwrap();
    for (kind, currency) in [("", ""), ("downsell", ""), ("upsell", "USD"), ("", "EUR")] {
        let f = Filters {
            from: today(),
            to: today(),
            kind: kind.into(),
            currency: currency.into(),
            ..Filters::default()
        };
        sums_match_reference(db, &rules, &stored, &f).await;
    }

    // A database from before the sub-day tables: start-up fills them (and every trend table)
    // from the events, equal to what per-event writes made, and only once.
    let postgres = db.connect_options().database_url.scheme() != "sqlite";
    let mut tx = upsell_dashboard::server::db::begin_write(db).await.unwrap();
    for t in [
        "offer_rollups_q",
        "offer_rollups_h",
        "offer_rollups_h4",
        "decline_rollups_q",
        "decline_rollups_h",
        "decline_rollups_h4",
        "trend_rollups_q",
        "trend_rollups_h",
        "trend_rollups_h4",
        "trend_rollups",
    ] {
        sqlx::query(&format!("DELETE FROM {t}"))
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    rollups::backfill_quarters(db, postgres).await.unwrap();
    rollups::backfill_quarters(db, postgres).await.unwrap();
    let refilled = rollups_match_events(db).await;
    assert_eq!(refilled.0.len(), stored.0.len());
}

/// Every grain's stored rows equal a recomputation from the raw events, and each grain's trend
/// table equals its rows summed over rules. Returns the stored quarter rows.
async fn rollups_match_events(db: &Db) -> (Vec<Rollup>, Vec<DeclineCount>) {
    let mut quarters = None;
    for grain in Grain::ALL {
        let (mut stored, mut stored_declines) = rollups::load(db, grain).await.unwrap();
        let (mut fresh, mut fresh_declines) = rollups::recompute(db, grain).await.unwrap();
        let key = |r: &Rollup| {
            (
                r.bucket,
                r.rule_id.clone(),
                r.variant.as_str(),
                r.currency.clone(),
            )
        };
        stored.sort_by_key(key);
        fresh.sort_by_key(key);
        stored_declines.sort_by_key(|d| (d.bucket, d.rule_id.clone(), d.code.clone()));
        fresh_declines.sort_by_key(|d| (d.bucket, d.rule_id.clone(), d.code.clone()));
        assert!(!stored.is_empty());
        assert_eq!(stored, fresh, "{grain:?}");
        assert_eq!(stored_declines, fresh_declines, "{grain:?}");

        let mut trend: BTreeMap<(i64, String), (i64, i64, i64)> = BTreeMap::new();
        for r in stored.iter().filter(|r| r.variant != Variant::Holdout) {
            let c = &r.counts;
            if c.shown != 0 || c.paid != 0 || c.net_revenue() != 0 {
                let t = trend.entry((r.bucket, r.currency.clone())).or_default();
                *t = (t.0 + c.shown, t.1 + c.paid, t.2 + c.net_revenue());
            }
        }
        let stored_trend: BTreeMap<(i64, String), (i64, i64, i64)> = rollups::load_trend(db, grain)
            .await
            .unwrap()
            .into_iter()
            .filter(|d| d.shown != 0 || d.paid != 0 || d.revenue != 0)
            .map(|d| ((d.day, d.currency), (d.shown, d.paid, d.revenue)))
            .collect();
        assert_eq!(stored_trend, trend, "trend table, {grain:?}");
        quarters = Some((stored, stored_declines));
    }
    quarters.unwrap()
}

/// `load_range` (whole days from the day tables, ragged ends and trend parts from the quarter
/// tables) equals summing the quarter rows into the local days directly.
async fn sums_match_reference(
    db: &Db,
    rules: &[upsell_dashboard::domain::analytics::RuleInfo],
    quarters: &(Vec<Rollup>, Vec<DeclineCount>),
    f: &Filters,
) {
    let w = analytics::with_days(&analytics::check(f, None).unwrap());
    let mut sql = rollups::load_range(db, &w, w.rule_ids(rules).as_deref())
        .await
        .unwrap();
    let mut reference = range_data(&w, rules, &quarters.0, &quarters.1);
    for d in [&mut sql, &mut reference] {
        d.cells.sort_by(|a, b| {
            (&a.rule_id, a.variant, &a.currency).cmp(&(&b.rule_id, b.variant, &b.currency))
        });
        d.days
            .sort_by(|a, b| (a.day, &a.currency).cmp(&(b.day, &b.currency)));
        d.declines
            .sort_by(|a, b| (&a.rule_id, &a.code).cmp(&(&b.rule_id, &b.code)));
    }
    assert_eq!(sql, reference, "{f:?}");
}

/// Days run midnight to midnight in the viewer's zone: events placed either side of local
/// midnights (Kolkata +05:30, Kathmandu +05:45, New York across its November clock change)
/// land in the right day of the table, trend and decline counts, and the database's sums
/// equal the plain per-quarter reference under filters.
async fn days_follow_the_viewer_time_zone(app: &TestApp) {
    let m = app.merchant().await;
    common::settle(&m).await;
    let db = &app.running.state.db;
    let rules = analytics::rule_infos(db).await.unwrap();
    let rule = &rules[0];
    let (minute, hour) = (60_000, 3_600_000);
    // 2026-10-28T00:00Z .. 2026-11-06: New York leaves daylight time on 2026-11-01.
    let base = 20_754 * DAY_MS;
    let mut tx = upsell_dashboard::server::db::begin_write(db).await.unwrap();
    let mut at = base - 2 * hour;
    let mut n = 0;
    while at < base + 10 * DAY_MS {
        let id = format!("ofr_tz{n}");
        let s = Subject {
            id: &id,
            rule_id: &rule.id,
            variant: Variant::A,
            currency: if n % 3 == 0 { "EUR" } else { "USD" },
            trigger_amount: 1000,
        };
        rollups::record(&mut tx, &s, EventKind::Shown, None, None, at)
            .await
            .unwrap();
        if n % 4 == 0 {
            rollups::record(&mut tx, &s, EventKind::Paid, Some(500 + n), None, at)
                .await
                .unwrap();
        }
        if n % 5 == 0 {
            rollups::record(
                &mut tx,
                &s,
                EventKind::Failed,
                None,
                Some("CARD_DECLINED"),
                at,
            )
            .await
            .unwrap();
        }
        // Every 35 minutes: events fall on every quarter of the day over the ten days.
        at += 35 * minute;
        n += 1;
    }
    tx.commit().await.unwrap();

    let quarters = (
        rollups::load(db, Grain::Quarter).await.unwrap().0,
        rollups::load(db, Grain::Quarter).await.unwrap().1,
    );
    for tz in [
        "Asia/Kolkata",
        "Asia/Kathmandu",
        "America/New_York",
        "UTC",
        "Pacific/Chatham",
    ] {
        for (from, to, kind, currency) in [
            ("2026-10-29", "2026-11-04", "", ""),
            ("2026-10-31", "2026-11-02", "upsell", "USD"),
            ("2026-11-01", "2026-11-01", "", "EUR"),
        ] {
            let f = Filters {
                from: from.into(),
                to: to.into(),
                kind: kind.into(),
                currency: currency.into(),
                tz: tz.into(),
                ..Filters::default()
            };
            sums_match_reference(db, &rules, &quarters, &f).await;
        }
    }

    // One local day, by hand: 2026-11-01 in New York is 25 hours, 04:00Z to 05:00Z next day.
    let f = Filters {
        from: "2026-11-01".into(),
        to: "2026-11-01".into(),
        tz: "America/New_York".into(),
        ..Filters::default()
    };
    let w = analytics::with_days(&analytics::check(&f, None).unwrap());
    assert_eq!(
        w.starts,
        [base + 4 * DAY_MS + 4 * hour, base + 5 * DAY_MS + 5 * hour]
    );
    let (s, report) = app
        .analyst()
        .await
        .call("analytics/report", json!({ "filters": f }))
        .await;
    assert_eq!(s, StatusCode::OK, "{report}");
    assert_eq!(report["zone"], "America/New_York");
    let shown: i64 = report["totals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["counts"]["shown"].as_i64().unwrap())
        .sum();
    let expected = (0..n)
        .filter(|i| {
            let t = base - 2 * hour + i * 35 * minute;
            t >= w.starts[0] && t < w.starts[1]
        })
        .count() as i64;
    assert_eq!(shown, expected);
    assert!(
        expected > 40,
        "a 25-hour day holds about 43 events: {expected}"
    );

    // An unknown zone is a 422 on the field; a bad cookie zone is ignored (UTC).
    let (s, v) = app
        .analyst()
        .await
        .call("analytics/report", json!({ "filters": { "from": "2026-11-01", "to": "2026-11-01", "tz": "Mars/Olympus" } }))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["fields"][0]["field"], "tz");
    assert_eq!(
        analytics::check(&Filters::default(), Some("Nowhere/Atlantis"))
            .unwrap()
            .zone,
        "UTC"
    );
    // The browser's cookie names the zone when the query does not; the query wins.
    let f = |tz: &str| Filters {
        tz: tz.into(),
        ..Filters::default()
    };
    assert_eq!(
        analytics::check(&f(""), Some("Asia/Kolkata")).unwrap().zone,
        "Asia/Kolkata"
    );
    assert_eq!(
        analytics::check(&f("Europe/Berlin"), Some("Asia/Kolkata"))
            .unwrap()
            .zone,
        "Europe/Berlin"
    );
}

async fn analytics_roles_and_bad_input(app: &TestApp) {
    let m = app.merchant().await;
    common::settle(&m).await;
    for (who, expected) in [
        (app.analyst().await, StatusCode::OK),
        (app.merchant().await, StatusCode::OK),
        (app.support().await, StatusCode::FORBIDDEN),
        (app.anonymous(), StatusCode::UNAUTHORIZED),
    ] {
        let (s, v) = who.call("analytics/report", range()).await;
        assert_eq!(s, expected, "{v}");
        let csv = who
            .http
            .get(format!("{}/analytics/export.csv", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(csv.status(), expected);
    }
    let analyst = app.analyst().await;
    for (filters, field) in [
        (json!({ "from": "2026-02-30", "to": "2026-03-01" }), "from"),
        (json!({ "from": "2026-03-02", "to": "2026-03-01" }), "to"),
        (json!({ "from": "2020-01-01", "to": "2026-03-01" }), "from"),
        (
            json!({ "from": "2026-03-01", "to": "2026-03-01", "sort": "1; DROP TABLE offers" }),
            "sort",
        ),
    ] {
        let (s, v) = analyst
            .call("analytics/report", json!({ "filters": filters }))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert_eq!(v["fields"][0]["field"], field, "{v}");
        assert!(!v["message"].as_str().unwrap().is_empty());
    }
    let csv = analyst
        .http
        .get(format!(
            "{}/analytics/export.csv?from=nope&to=2026-01-01",
            app.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // No dates: the last 30 days.
    let (s, v) = analyst
        .call(
            "analytics/report",
            json!({ "filters": { "from": "", "to": "" } }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["trend"].as_array().unwrap().len(), 30);
}

/// A rule's experiment set in the editor's draft reaches offers: variant B's headline, and
/// customers in the hold-out get no offer but their own later purchase counts for it.
async fn experiments_split_offers_and_count_the_hold_out(app: &TestApp) {
    let m = app.merchant().await;
    common::settle(&m).await;
    let rule = m
        .rules()
        .await
        .into_iter()
        .find(|r| r["name"] == COURSE_RULE)
        .unwrap();
    let rule_id = rule["id"].as_str().unwrap().to_string();
    let mut draft = rule.clone();
    draft["experiment"] = json!({ "product_id": "", "headline": "Variant B headline", "weight_b": 100, "holdout": 50 });
    let (s, saved) = m.call("rules/save", json!({ "draft": draft })).await;
    assert_eq!(s, StatusCode::OK, "{saved}");
    assert_eq!(saved["experiment"]["holdout"], 50);

    // Which arm a customer lands in is a pure function of customer and rule: pick one of each.
    let arm = |c: &str| assign(c, &rule_id, 100, 50);
    let customers: Vec<String> = (0..200).map(|i| format!("cus_exp{i:03}")).collect();
    let b = customers.iter().find(|c| arm(c) == Variant::B).unwrap();
    let held = customers
        .iter()
        .find(|c| arm(c) == Variant::Holdout)
        .unwrap();
    for (i, c) in [b, held].into_iter().enumerate() {
        let body = common::purchase_event(&format!("pay_exp_{i}"), c, PACK);
        let (s, v) = deliver(
            app,
            TEST_WEBHOOK_SECRET,
            &format!("msg_exp_{i}"),
            now(),
            &body,
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{v}");
    }
    let headline = common::scalar(
        app,
        &format!("SELECT headline FROM offers WHERE customer_id = '{b}'"),
    )
    .await;
    assert_eq!(headline.as_deref(), Some("Variant B headline"));
    assert_eq!(
        common::count(
            app,
            &format!("SELECT COUNT(*) FROM offers WHERE customer_id = '{held}'")
        )
        .await,
        0
    );
    assert_eq!(
        common::count(
            app,
            &format!("SELECT COUNT(*) FROM holdouts WHERE customer_id = '{held}'")
        )
        .await,
        1
    );
    // The held-out customer buys the course themselves.
    let body = common::purchase_event("pay_exp_own", held, "pdt_CopyCourse02");
    let (s, _) = deliver(app, TEST_WEBHOOK_SECRET, "msg_exp_own", now(), &body).await;
    assert_eq!(s, StatusCode::OK);

    let (s, report) = app.analyst().await.call("analytics/report", range()).await;
    assert_eq!(s, StatusCode::OK, "{report}");
    let e = report["experiments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["rule_id"] == rule_id.as_str())
        .unwrap_or_else(|| panic!("no experiment: {report}"));
    let arms: Vec<(String, i64, i64)> = e["arms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["variant"].as_str().unwrap().to_string(),
                a["assigned"].as_i64().unwrap(),
                a["paid"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        arms,
        [("b".to_string(), 1, 0), ("holdout".to_string(), 1, 1)],
        "{e}"
    );
    // The hold-out is not part of the offer's own funnel.
    assert_eq!(row(&report, COURSE_RULE)["counts"]["created"], 1);
}

/// The page keeps its rendered report between requests but never past a change: an offer seen
/// a moment ago is counted on the next load, and another language gets its own rendering.
async fn the_page_shows_a_change_at_once(app: &TestApp) {
    let m = app.merchant().await;
    common::settle(&m).await;
    let url = format!("{}/analytics?from={}&to={}", app.base, today(), today());
    let page = |u: &common::User| {
        let req = u.http.get(&url);
        async move {
            let r = req.send().await.unwrap();
            assert_eq!(r.status(), StatusCode::OK);
            r.text().await.unwrap()
        }
    };
    let empty = page(&m).await;
    assert!(!empty.contains(COURSE_RULE), "no offer yet");
    // The product filters start at "All": no empty product (free time offers none) is chosen.
    assert!(!empty.contains(r#"<option value="" selected"#), "{empty}");
    assert!(
        empty.contains(">Any product<"),
        "the catch-all trigger by name"
    );
    // The same page twice, nothing written between: the same report.
    assert_eq!(table_of(&page(&m).await), table_of(&empty));

    let t1 = purchase(app, "cus_PriyaRaman0001", PACK).await.unwrap();
    view(app, &t1).await;
    let seen = page(&m).await;
    assert!(
        seen.contains(COURSE_RULE),
        "the seen offer is on the next load"
    );
    let shown = |html: &str| {
        let row = html
            .split("<tr")
            .find(|r| r.contains(COURSE_RULE))
            .unwrap()
            .to_string();
        row
    };
    let before = shown(&seen);

    let t2 = purchase(app, "cus_JonasWeber0002", PACK).await.unwrap();
    view(app, &t2).await;
    assert_ne!(
        shown(&page(&m).await),
        before,
        "a second view changes the row at once"
    );

    // Another viewer in Chinese: the same report, rendered in her language.
    let analyst = app.analyst().await;
    let s = analyst
        .http
        .post(format!("{}/api/session/lang", app.base))
        .form(&[("lang", "zh-CN")])
        .send()
        .await
        .unwrap()
        .status();
    assert!(s.is_success(), "{s}");
    let zh = page(&analyst).await;
    assert!(zh.contains(COURSE_RULE));
    assert_ne!(
        table_of(&zh),
        table_of(&page(&m).await),
        "each language its own rendering"
    );
}

/// The page's main part (the header and the scripts' nonces differ per request).
fn table_of(html: &str) -> String {
    let start = html.find("<main").expect("a main element");
    let end = html.find("</main>").expect("the main element closes");
    html[start..end].to_string()
}

on_both_backends!(scripted_history_gives_the_expected_table);
on_both_backends!(analytics_roles_and_bad_input);
on_both_backends!(experiments_split_offers_and_count_the_hold_out);
on_both_backends!(days_follow_the_viewer_time_zone);
on_both_backends!(the_page_shows_a_change_at_once);
