//! The upsell map over real HTTP: CRUD, validation, optimistic concurrency, roles, audit.
mod common;

use common::{draft, settle, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

const PACK: &str = "pdt_LpTemplatePack01"; // $29
const COURSE: &str = "pdt_CopyCourse02"; // $49
const EMAILS: &str = "pdt_EmailBundle03"; // $19
const ICONS: &str = "pdt_IconSet04"; // $9
const EU_KIT: &str = "pdt_StarterKitEu09"; // €25

async fn crud(app: &TestApp) {
    let m = app.merchant().await;
    settle(&m).await;
    let before = m.rules().await.len();

    let (s, created) = m
        .call(
            "rules/save",
            json!({ "draft": draft("Icons then emails", ICONS, EMAILS) }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{created}");
    assert_eq!(created["version"], 1);
    assert_eq!(created["priority"].as_i64().unwrap(), before as i64 + 1);
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(m.rules().await.len(), before + 1);

    let mut edit = created.clone();
    edit["headline"] = json!("Now with 40 templates");
    edit["badge"] = json!("New");
    let (s, updated) = m.call("rules/save", json!({ "draft": edit })).await;
    assert_eq!(s, StatusCode::OK, "{updated}");
    assert_eq!(updated["version"], 2);
    assert_eq!(updated["badge"], "New");

    let (s, toggled) = m
        .call(
            "rules/enable",
            json!({ "id": id, "version": 2, "enabled": false }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{toggled}");
    assert_eq!(toggled["enabled"], false);
    assert_eq!(toggled["version"], 3);

    // Move the new rule to the top.
    let mut order: Vec<String> = m
        .rules()
        .await
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    order.retain(|r| r != &id);
    order.insert(0, id.clone());
    let (s, v) = m.call("rules/reorder", json!({ "ids": order })).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let rules = m.rules().await;
    assert_eq!(rules[0]["id"], id.as_str());
    assert_eq!(rules[0]["priority"], 1);
    // A reorder naming a rule set that is not the current one is refused.
    let (s, _) = m
        .call("rules/reorder", json!({ "ids": [id.clone()] }))
        .await;
    assert_eq!(s, StatusCode::CONFLICT);

    let version = rules[0]["version"].as_i64().unwrap();
    let (s, v) = m
        .call("rules/delete", json!({ "id": id, "version": version }))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(m.rules().await.len(), before);

    let actions: Vec<String> = m
        .audit()
        .await
        .iter()
        .filter(|e| e["entity_id"] == id.as_str())
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(actions, vec!["delete", "disable", "update", "create"]);
    let audit = m.audit().await;
    let update = audit
        .iter()
        .find(|e| e["entity_id"] == id.as_str() && e["action"] == "update")
        .unwrap();
    assert_eq!(update["actor_email"], "merchant@demo.test");
    assert!(update["before_json"]
        .as_str()
        .unwrap()
        .contains("\"badge\":null"));
    assert!(update["after_json"]
        .as_str()
        .unwrap()
        .contains("\"badge\":\"New\""));
}

fn field_codes(v: &Value) -> Vec<(String, String)> {
    v["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["field"].as_str().unwrap().to_string(),
                f["code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

async fn validation(app: &TestApp) {
    let m = app.merchant().await;
    settle(&m).await;
    let before = m.rules().await;
    let cases = [
        (
            draft("same", PACK, PACK),
            ("offer_product_id", "same_product"),
        ),
        (
            draft("ghost", PACK, "pdt_DoesNotExist"),
            ("offer_product_id", "product_missing"),
        ),
        (
            draft("currency", PACK, EU_KIT),
            ("offer_product_id", "currency_mismatch"),
        ),
        (
            draft("Template pack → copy course", EMAILS, ICONS),
            ("name", "name_taken"),
        ),
        (
            {
                let mut d = draft("qty", PACK, COURSE);
                d["quantity"] = json!(0);
                d
            },
            ("quantity", "quantity_range"),
        ),
        (
            {
                let mut d = draft("down", PACK, COURSE);
                d["kind"] = json!("downsell");
                d
            },
            ("parent_rule_id", "parent_required"),
        ),
        (
            {
                let mut d = draft(
                    "discounted upgrade",
                    "pdt_BasicMonthly05",
                    "pdt_ProMonthly06",
                );
                d["discount"] = json!({ "percent": 20, "cycles": 0 });
                d
            },
            ("discount.percent", "discount_plan_change"),
        ),
        (
            {
                let mut d = draft("too generous", PACK, COURSE);
                d["discount"] = json!({ "percent": 95 });
                d
            },
            ("discount.percent", "discount_range"),
        ),
    ];
    for (d, (field, code)) in cases {
        let (s, v) = m.call("rules/save", json!({ "draft": d })).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert_eq!(v["code"], "validation");
        assert!(
            field_codes(&v).contains(&(field.to_string(), code.to_string())),
            "{code}: {v}"
        );
        assert!(!v["fields"][0]["message"].as_str().unwrap().is_empty());
    }
    // A downsell dearer than the offer it replaces, and one that would loop.
    let parent = before
        .iter()
        .find(|r| r["kind"] == "upsell" && r["offer_product_id"] == COURSE)
        .unwrap();
    let mut dear = draft("dear downsell", PACK, COURSE);
    dear["kind"] = json!("downsell");
    dear["parent_rule_id"] = parent["id"].clone();
    let (s, v) = m.call("rules/save", json!({ "draft": dear })).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        field_codes(&v)
            .iter()
            .any(|(_, c)| c == "downsell_not_cheaper" || c == "parent_has_downsell"),
        "{v}"
    );
    let child = before.iter().find(|r| r["kind"] == "downsell").unwrap();
    let mut looped = parent.clone();
    looped["kind"] = json!("downsell");
    looped["parent_rule_id"] = child["id"].clone();
    let (s, v) = m.call("rules/save", json!({ "draft": looped })).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        field_codes(&v).contains(&("parent_rule_id".into(), "chain_loop".into())),
        "{v}"
    );
    // Malformed input is a clear 400, not a panic.
    let (s, v) = m
        .call("rules/save", json!({ "draft": { "name": 5 } }))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    // Deleting a rule that a downsell follows is refused.
    let (s, v) = m
        .call(
            "rules/delete",
            json!({ "id": parent["id"], "version": parent["version"] }),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    // Nothing changed.
    assert_eq!(m.rules().await, before);
}

async fn concurrent_edits(app: &TestApp) {
    let a = app.merchant().await;
    settle(&a).await;
    let b = app.merchant().await;
    let rule = a.rules().await[0].clone();
    let mut first = rule.clone();
    first["headline"] = json!("From A");
    let mut second = rule.clone();
    second["headline"] = json!("From B");
    let (s, _) = a.call("rules/save", json!({ "draft": first })).await;
    assert_eq!(s, StatusCode::OK);
    let (s, v) = b.call("rules/save", json!({ "draft": second })).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert!(v["message"].as_str().unwrap().contains("changed"), "{v}");
    let now = a
        .rules()
        .await
        .into_iter()
        .find(|r| r["id"] == rule["id"])
        .unwrap();
    assert_eq!(now["headline"], "From A");
    // Stale toggles and deletes are refused too.
    let (s, _) = b
        .call(
            "rules/enable",
            json!({ "id": rule["id"], "version": rule["version"], "enabled": false }),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    // Ten saves racing from the same version: exactly one wins.
    let rule = a.rules().await[1].clone();
    let mut tasks = Vec::new();
    for i in 0..10 {
        let u = app.merchant().await;
        let mut d = rule.clone();
        d["headline"] = json!(format!("racer {i}"));
        tasks.push(tokio::spawn(async move {
            u.call("rules/save", json!({ "draft": d })).await
        }));
    }
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            (StatusCode::OK, _) => ok += 1,
            (StatusCode::CONFLICT, _) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(ok, 1);
}

async fn roles(app: &TestApp) {
    let calls: Vec<(&str, Value)> = vec![
        ("rules/page", Value::Null),
        ("rules/products", Value::Null),
        ("rules/save", json!({ "draft": draft("x", PACK, COURSE) })),
        (
            "rules/enable",
            json!({ "id": "rul_x", "version": 1, "enabled": false }),
        ),
        ("rules/delete", json!({ "id": "rul_x", "version": 1 })),
        ("rules/reorder", json!({ "ids": [] })),
        ("rules/move", json!({ "id": "rul_x", "up": true })),
        ("users/list", Value::Null),
        (
            "users/create",
            json!({ "email": "x@example.com", "password": "long enough pw", "role": "analyst" }),
        ),
        ("users/role", json!({ "id": "usr_x", "role": "merchant" })),
    ];
    let analyst = app.analyst().await;
    let support = app.support().await;
    let anon = app.anonymous();
    for (endpoint, body) in &calls {
        for (who, expected) in [
            (&analyst, StatusCode::FORBIDDEN),
            (&support, StatusCode::FORBIDDEN),
            (&anon, StatusCode::UNAUTHORIZED),
        ] {
            let (s, v) = if body.is_null() {
                who.call0(endpoint).await
            } else {
                who.call(endpoint, body.clone()).await
            };
            assert_eq!(s, expected, "{endpoint}: {v}");
            assert!(v["message"].as_str().is_some_and(|m| !m.is_empty()), "{v}");
        }
    }
    // And nothing was created by the refused calls.
    let m = app.merchant().await;
    settle(&m).await;
    assert!(!m.rules().await.iter().any(|r| r["name"] == "x"));
}

async fn users_and_sessions(app: &TestApp) {
    let m = app.merchant().await;
    let (s, v) = m
        .call(
            "users/create",
            json!({ "email": "Nadia@Example.com", "password": "short", "role": "support" }),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (s, v) = m.call("users/create", json!({ "email": "nadia@example.com", "password": "a long password", "role": "support" })).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, _) = m.call("users/create", json!({ "email": "NADIA@example.com", "password": "a long password", "role": "support" })).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let nadia = app.sign_in("nadia@example.com", "a long password").await;
    let (s, me) = nadia.call0("session/me").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(me["role"], "support");
    let (s, _) = nadia.call0("rules/page").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = m
        .call("users/role", json!({ "id": v["id"], "role": "merchant" }))
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = nadia.call0("rules/page").await;
    assert_eq!(s, StatusCode::OK, "role change applies to the live session");
    // Sign-out ends the session on the server.
    let (s, _) = nadia.call0("session/logout").await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = nadia.call0("rules/page").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

async fn sign_in_is_rate_limited(app: &TestApp) {
    let u = app.anonymous();
    let try_login = |email: &'static str, pw: &'static str| {
        let u = &u;
        async move {
            let r = u
                .http
                .post(format!("{}/api/session/login", u.base))
                .form(&[("email", email), ("password", pw)])
                .send()
                .await
                .unwrap();
            (r.status(), r.text().await.unwrap())
        }
    };
    let analyst = "analyst@demo.test";
    // Five free failures, then each further try starts a wait that doubles.
    for _ in 0..6 {
        assert_eq!(
            try_login(analyst, "wrong").await.0,
            StatusCode::UNAUTHORIZED
        );
    }
    // Even the right password waits its turn, and the message says for how long.
    let (s, body) = try_login(analyst, "demo-analyst-pass").await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    assert!(body.contains("Try again in 1 second"), "{body}");
    // The owner is not locked out for good: after the wait the right password works, and
    // the account starts afresh.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(
        try_login(analyst, "demo-analyst-pass").await.0,
        StatusCode::OK
    );
    assert_eq!(
        try_login(analyst, "wrong").await.0,
        StatusCode::UNAUTHORIZED
    );

    // Concurrent guesses cannot pass the limit: each takes its own count before the check.
    let support = "support@demo.test";
    let guesses = futures::future::join_all((0..16).map(|_| try_login(support, "wrong"))).await;
    let checked = guesses
        .iter()
        .filter(|(s, _)| *s == StatusCode::UNAUTHORIZED)
        .count();
    assert!(
        checked <= 6,
        "{checked} guesses checked, at most 5 free + 1"
    );
    assert!(guesses
        .iter()
        .all(|(s, _)| *s == StatusCode::UNAUTHORIZED || *s == StatusCode::TOO_MANY_REQUESTS));
}

async fn cross_site_calls_refused(app: &TestApp) {
    let m = app.merchant().await;
    let r = m
        .http
        .post(format!("{}/api/rules/page", app.base))
        .header("origin", "https://evil.example")
        .header("content-type", "application/x-www-form-urlencoded")
        .body("")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let host = app.base.trim_start_matches("http://");
    let r = m
        .http
        .post(format!("{}/api/rules/page", app.base))
        .header("origin", format!("http://{host}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // The stated rule for a request without Origin: a browser always sends Origin (or
    // Sec-Fetch-Site) on a cross-site POST, so one without either is no other site's page
    // and is let through (scripts, curl); with Sec-Fetch-Site saying cross-site it is not.
    let bare = || {
        m.http
            .post(format!("{}/api/rules/page", app.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("")
    };
    assert_eq!(bare().send().await.unwrap().status(), StatusCode::OK);
    let r = bare()
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

on_both_backends!(
    crud,
    validation,
    concurrent_edits,
    roles,
    users_and_sessions,
    sign_in_is_rate_limited,
    cross_site_calls_refused
);
