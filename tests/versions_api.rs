//! Versions of the upsell map over real HTTP on both backends: each change is a version,
//! roll back restores the exact earlier map (audited, guarded by the version seen), export and
//! import round-trip, and an import with a downsell cycle is refused and changes nothing.
mod common;

use common::{count, draft, settle, TestApp, User};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn page(m: &User) -> Value {
    let (s, v) = m.call0("rules/page").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

fn latest(p: &Value) -> i64 {
    p["versions"][0]["number"].as_i64().unwrap()
}

/// The map without its bookkeeping (versions and times move on every save).
fn shape(rules: &Value) -> Vec<Value> {
    rules
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let mut r = r.clone();
            for k in ["version", "updated_at"] {
                r.as_object_mut().unwrap().remove(k);
            }
            r
        })
        .collect()
}

async fn roll_back_restores_the_exact_earlier_map(app: &TestApp) {
    let m = app.merchant().await;
    settle(&m).await;
    let before = page(&m).await;
    let v0 = latest(&before);
    assert!(v0 >= 1, "the demo map's saves are versions");

    // Three changes: a new rule, an edit, a deletion of a demo rule.
    let (s, added) = m
        .call(
            "rules/save",
            json!({ "draft": draft("Icons → emails", "pdt_IconSet04", "pdt_EmailBundle03") }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{added}");
    let mut edit = added.clone();
    edit["headline"] = json!("Changed headline");
    let (s, v) = m.call("rules/save", json!({ "draft": edit })).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let japan = before["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"].as_str().unwrap().starts_with("Sticker fans"))
        .unwrap()
        .clone();
    let (s, v) = m
        .call(
            "rules/delete",
            json!({ "id": japan["id"], "version": japan["version"] }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let after = page(&m).await;
    assert_eq!(latest(&after), v0 + 3);
    assert_eq!(
        after["versions"][0]["summary"],
        "Deleted \"Sticker fans in Japan → Studio plan\""
    );

    // Field by field, from the version before the changes to the live map.
    let (s, changes) = m
        .call("rules/compare", json!({ "from": v0, "to": 0 }))
        .await;
    assert_eq!(s, StatusCode::OK, "{changes}");
    let kinds: Vec<&str> = changes
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["change"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"added") && kinds.contains(&"removed"),
        "{changes}"
    );

    // A roll back that saw an older version is refused and changes nothing.
    let (s, v) = m
        .call(
            "rules/rollback",
            json!({ "number": v0.to_string(), "latest": v0.to_string() }),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(latest(&page(&m).await), v0 + 3);

    let audits = count(
        app,
        "SELECT COUNT(*) FROM audit_log WHERE entity = 'map' AND action = 'rollback'",
    )
    .await;
    let (s, v) = m
        .call(
            "rules/rollback",
            json!({ "number": v0.to_string(), "latest": (v0 + 3).to_string() }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let restored = page(&m).await;
    assert_eq!(
        shape(&restored["rules"]),
        shape(&before["rules"]),
        "the exact earlier map"
    );
    assert_eq!(latest(&restored), v0 + 4, "a roll back is itself a version");
    assert_eq!(
        count(
            app,
            "SELECT COUNT(*) FROM audit_log WHERE entity = 'map' AND action = 'rollback'"
        )
        .await,
        audits + 1
    );
    // An editor still holding a rule's old version cannot overwrite the restored map.
    let stale = before["rules"][0].clone();
    let (s, _) = m.call("rules/save", json!({ "draft": stale })).await;
    assert_eq!(s, StatusCode::CONFLICT);
}

async fn import_checks_shows_changes_and_refuses_cycles(app: &TestApp) {
    let m = app.merchant().await;
    settle(&m).await;
    // The export is a GET, as the page's download link makes it.
    let r = m
        .http
        .get(format!("{}/api/rules/export", m.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    import_with(app, &m, r.json().await.unwrap()).await
}

async fn import_with(app: &TestApp, m: &User, exported: Value) {
    let live = latest(&page(m).await);
    assert_eq!(exported["version"], live);
    let rules = exported["rules"].as_array().unwrap();
    // Make the demo downsell's parent a downsell of it: a cycle over the decline edge.
    let down = rules.iter().position(|r| r["kind"] == "downsell").unwrap();
    let parent_id = rules[down]["parent_rule_id"].as_str().unwrap().to_string();
    let parent = rules.iter().position(|r| r["id"] == parent_id).unwrap();
    let mut cyclic = exported.clone();
    cyclic["rules"][parent]["kind"] = json!("downsell");
    cyclic["rules"][parent]["parent_rule_id"] = rules[down]["id"].clone();
    let before = count(app, "SELECT COUNT(*) FROM map_versions").await;
    let (s, v) = m
        .call("rules/import_check", json!({ "json": cyclic.to_string() }))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let text = v.to_string();
    assert!(
        text.contains(r#"loop: \"Template pack → copy course\" → \"Course declined → email bundle\" → \"Template pack → copy course\""#),
        "{v}"
    );
    // The same over the accept edge: the course's rule made a next offer of its own next offer.
    let next = rules.iter().position(|r| r["kind"] == "next").unwrap();
    let mut cyclic = exported.clone();
    cyclic["rules"][parent]["kind"] = json!("next");
    cyclic["rules"][parent]["parent_rule_id"] = rules[next]["id"].clone();
    let (s, v) = m
        .call("rules/import_check", json!({ "json": cyclic.to_string() }))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(
        v.to_string()
            .contains(r#"\"Course accepted → icon set\" → \"Template pack → copy course\""#),
        "{v}"
    );
    assert_eq!(
        count(app, "SELECT COUNT(*) FROM map_versions").await,
        before,
        "nothing changed"
    );
    let (s, v) = m
        .call("rules/import_check", json!({ "json": "not json" }))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");

    // A good import: rename one rule; the staged import shows exactly that, then applies.
    let mut renamed = exported.clone();
    renamed["rules"][0]["name"] = json!("Renamed by import");
    let (s, token) = m
        .call("rules/import_check", json!({ "json": renamed.to_string() }))
        .await;
    assert_eq!(s, StatusCode::OK, "{token}");
    let r = m
        .http
        .post(format!("{}/api/rules/import_changes", m.base))
        .form(&[("token", token.as_str().unwrap())])
        .send()
        .await
        .unwrap();
    let (version, changes): (i64, Value) = r.json().await.unwrap();
    assert_eq!(version, live);
    assert_eq!(changes[0]["change"], "changed", "{changes}");
    assert_eq!(changes[0]["fields"][0]["field"], "name");
    assert_eq!(changes.as_array().unwrap().len(), 1, "{changes}");
    let (s, v) = m
        .call(
            "rules/import_apply",
            json!({ "token": token, "latest": live.to_string() }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let p = page(m).await;
    assert_eq!(p["rules"][0]["name"], "Renamed by import");
    assert_eq!(p["versions"][0]["summary"], "Imported a map");
    // A staged import is applied once.
    let (s, _) = m
        .call(
            "rules/import_apply",
            json!({ "token": token, "latest": latest(&p).to_string() }),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

/// The rule of the rules page `p` with this name.
fn rule_named(p: &Value, name: &str) -> Value {
    p["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == name)
        .unwrap()
        .clone()
}

async fn replay_agrees_with_the_engine_and_compares_versions(app: &TestApp) {
    let m = app.merchant().await;
    settle(&m).await;
    let deliver = |i: usize, customer: String, product: &'static str| async move {
        let payment = format!("pay_rp{i}_{}", common::unique());
        let body = common::purchase_event(&payment, &customer, product);
        let (s, v) = common::deliver(
            app,
            common::TEST_WEBHOOK_SECRET,
            &format!("msg_{payment}"),
            common::now(),
            &body,
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{v}");
    };
    for i in 0..6 {
        deliver(i, format!("cus_Rp{i}"), "pdt_LpTemplatePack01").await;
    }
    for i in 0..3 {
        deliver(10 + i, format!("cus_Rq{i}"), "pdt_IconSet04").await;
    }
    assert_eq!(
        count(
            app,
            "SELECT COUNT(*) FROM offers WHERE customer_id LIKE 'cus_Rp%'"
        )
        .await,
        6
    );
    let replay = |version: i64| {
        let m = &m;
        async move {
            let (s, v) = m.call("rules/replay", json!({ "version": version })).await;
            assert_eq!(s, StatusCode::OK, "{v}");
            v
        }
    };
    let line = |v: &Value, name: &str| {
        v["lines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["name"] == name)
            .cloned()
            .unwrap()
    };
    // Two of the six customers decline the course: its downsell is projected from declines.
    let api = common::api_client(app, &m).await;
    for i in 0..2 {
        let token: String = common::scalar(
            app,
            &format!("SELECT token FROM offers WHERE customer_id = 'cus_Rp{i}'"),
        )
        .await
        .unwrap();
        let (s, v) = api
            .post(&format!("offers/{token}/decline"), json!({}))
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
    }
    let live = replay(0).await;
    assert_eq!(live["purchases"], 9);
    let pack = line(&live, "Template pack → copy course");
    // The replay of the live map decides as the engine did, purchase by purchase.
    assert_eq!(pack["offers"], 6, "{pack}");
    assert_eq!(pack["actual_offers"], 6, "{pack}");
    // Its downsell: 6 offers × the share of course offers declined; its next offer: × paid.
    let course = |state: &str| {
        format!("SELECT COUNT(*) FROM offers WHERE offer_product_id = 'pdt_CopyCourse02'{state}")
    };
    let offered = count(app, &course("")).await as f64;
    let declined = count(app, &course(" AND state = 'declined'")).await as f64;
    let paid = count(app, &course(" AND state = 'paid'")).await as f64;
    assert!(declined >= 2.0, "{declined}");
    let down = line(&live, "Course declined → email bundle");
    assert_eq!(
        down["follows"]["name"], "Template pack → copy course",
        "{down}"
    );
    assert_eq!(down["follows"]["on_accept"], false);
    assert_eq!(
        down["offers"],
        (6.0 * declined / offered).round() as i64,
        "{down}"
    );
    let next = line(&live, "Course accepted → icon set");
    assert_eq!(next["follows"]["on_accept"], true, "{next}");
    assert_eq!(
        next["offers"],
        (6.0 * paid / offered).round() as i64,
        "{next}"
    );

    // Switch the rule off: the live map would make none; the version before still would.
    let p = page(&m).await;
    let before = latest(&p);
    let rule = rule_named(&p, "Template pack → copy course");
    let (s, v) = m
        .call(
            "rules/enable",
            json!({ "id": rule["id"], "version": rule["version"], "enabled": false }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        line(&replay(0).await, "Template pack → copy course")["offers"],
        0
    );
    assert_eq!(
        line(&replay(before).await, "Template pack → copy course")["offers"],
        6
    );
    let (s, v) = m.call("rules/replay", json!({ "version": 9999 })).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{v}");

    // A draft, unsaved: the switched-off rule switched back on, in the editor only.
    let versions = count(app, "SELECT COUNT(*) FROM map_versions").await;
    let mut on = rule_named(&page(&m).await, "Template pack → copy course");
    on["enabled"] = json!(true);
    let draft = |d: Value| {
        let m = &m;
        async move { m.call("rules/replay_draft", json!({ "draft": d })).await }
    };
    let (s, v) = draft(on).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(line(&v, "Template pack → copy course")["offers"], 6, "{v}");
    // A new rule for the icon-set buyers: its offers, next to none made live.
    let new = json!({
        "id": null, "version": null, "name": "Draft: icons → emails", "kind": "cross_sell",
        "parent_rule_id": null, "trigger_product_id": "pdt_IconSet04",
        "offer_product_id": "pdt_EmailBundle03", "quantity": 1, "headline": "Emails too",
        "value_prop": "Forty templates.", "badge": "", "timing": "post_purchase",
        "expiry_minutes": 60, "enabled": true,
    });
    let (s, v) = draft(new.clone()).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let icons = line(&v, "Draft: icons → emails");
    assert_eq!(
        (icons["offers"].as_i64(), icons["actual_offers"].as_i64()),
        (Some(3), Some(0)),
        "{icons}"
    );
    // The rule off in the live map stays off in this replay (only the draft changed).
    assert_eq!(line(&v, "Template pack → copy course")["offers"], 0);
    // A draft the editor would refuse is refused here, saying why.
    let mut bad = new.clone();
    bad["offer_product_id"] = json!("pdt_IconSet04");
    let (s, v) = draft(bad).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(v.to_string().contains("same_product"), "{v}");
    // Nothing was saved by any of it.
    assert_eq!(
        count(app, "SELECT COUNT(*) FROM map_versions").await,
        versions
    );
    assert!(!page(&m).await.to_string().contains("Draft: icons"));
    // Only those who may edit the map may replay a draft of it.
    let (s, _) = app
        .support()
        .await
        .call("rules/replay_draft", json!({ "draft": new }))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

on_both_backends!(
    replay_agrees_with_the_engine_and_compares_versions,
    roll_back_restores_the_exact_earlier_map,
    import_checks_shows_changes_and_refuses_cycles,
);
