//! The screens' plain forms over real HTTP, as a browser without JavaScript sends them
//! (`application/x-www-form-urlencoded`, `Accept: text/html`, a Referer): each answer is a
//! redirect to the page that shows the result, or back with the error, and a refused form
//! changes nothing.
mod common;

use common::{settle, TestApp};
use reqwest::{redirect::Policy, Client, StatusCode};

const EMAILS: &str = "pdt_EmailBundle03";
const ICONS: &str = "pdt_IconSet04";

/// A signed-in browser that shows us each redirect instead of following it.
async fn browser(app: &TestApp, email: &str, password: &str) -> Client {
    let c = common::http()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap();
    let r = c
        .post(format!("{}/api/session/login", app.base))
        .form(&[("email", email), ("password", password)])
        .send()
        .await
        .unwrap();
    assert!(
        r.status().is_success() || r.status().is_redirection(),
        "sign-in: {}",
        r.status()
    );
    c
}

struct Answer {
    status: StatusCode,
    location: String,
    cookies: Vec<String>,
}

async fn post_form(
    app: &TestApp,
    c: &Client,
    endpoint: &str,
    from: &str,
    body: &[(&str, &str)],
) -> Answer {
    let r = c
        .post(format!("{}/api/{endpoint}", app.base))
        .header("accept", "text/html,application/xhtml+xml")
        .header("origin", &app.base)
        .header("referer", format!("{}{from}", app.base))
        .form(body)
        .send()
        .await
        .unwrap();
    Answer {
        status: r.status(),
        location: r
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string(),
        cookies: r
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_string))
            .collect(),
    }
}

/// The editor's fields as its form posts them (`rule[…]`, as typed).
fn rule_form<'a>(name: &'a str, trigger: &'a str, offer: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("rule[name]", name),
        ("rule[kind]", "upsell"),
        ("rule[trigger_product_id]", trigger),
        ("rule[offer_product_id]", offer),
        ("rule[quantity]", "1"),
        ("rule[headline]", "Add the emails"),
        ("rule[value_prop]", "They match your icons."),
        ("rule[badge]", ""),
        ("rule[timing]", "post_purchase"),
        ("rule[expiry_minutes]", "30"),
        ("rule[enabled]", "on"),
        ("rule[b_product_id]", ""),
        ("rule[b_headline]", ""),
        ("rule[b_weight]", "0"),
        ("rule[holdout]", "0"),
        ("rule[discount_percent]", "15"),
        ("rule[min][USD]", "20.00"),
        ("rule[max][USD]", ""),
        ("rule[countries]", "us, ca"),
        ("rule[customer]", "new"),
        ("rule[zone]", "UTC"),
    ]
}

async fn rule_editor_form(app: &TestApp) {
    let m = app.merchant().await;
    settle(&m).await;
    let before = m.rules().await.len();
    let b = browser(app, "merchant@demo.test", "demo-merchant-pass").await;

    // Refused (the same product as bought and offered): back to the editor with the error,
    // and nothing saved.
    let mut refused = rule_form("Form rule", ICONS, ICONS);
    for (k, v) in refused.iter_mut() {
        if *k == "rule[headline]" {
            *v = "Typed before the refusal";
        }
    }
    let bad = post_form(app, &b, "rules/save_form", "/rules?new", &refused).await;
    assert!(bad.status.is_redirection(), "{}", bad.status);
    assert!(bad.location.contains("/rules?new"), "{}", bad.location);
    assert!(bad.location.contains("__err="), "{}", bad.location);
    assert_eq!(m.rules().await.len(), before);
    // The page it goes back to shows the editor with what was sent, and the error.
    let html = common::page_text(&b, &bad.location).await;
    let editor = &html[html
        .find("data-testid=\"rule-editor\"")
        .expect("the editor")..];
    assert!(
        editor.contains("value=\"Typed before the refusal\""),
        "typed headline lost: {}",
        &editor[..3000.min(editor.len())]
    );
    assert!(editor.contains("value=\"US, CA\""), "typed countries lost");
    assert!(editor.contains("value=\"15\""), "typed discount lost");
    assert!(
        editor.contains("The offer must be a different product from the one just bought."),
        "no field message"
    );
    // Only with that refusal: the same page asked for afresh starts from an empty draft.
    let fresh = common::page_text(&b, format!("{}/rules?new", app.base)).await;
    assert!(!fresh.contains("Typed before the refusal"));

    // Accepted: on to the list, which names the rule saved.
    let ok = post_form(
        app,
        &b,
        "rules/save_form",
        "/rules?new",
        &rule_form("Form rule", ICONS, EMAILS),
    )
    .await;
    assert!(ok.status.is_redirection(), "{}", ok.status);
    let rules = m.rules().await;
    assert_eq!(rules.len(), before + 1);
    let saved = rules.iter().find(|r| r["name"] == "Form rule").unwrap();
    let id = saved["id"].as_str().unwrap().to_string();
    // Each field as typed: the discount, the order value in cents, the codes upper case.
    assert_eq!(saved["discount"]["percent"], 15, "{saved}");
    assert_eq!(
        saved["targeting"]["order_values"][0]["min"], 2000,
        "{saved}"
    );
    assert_eq!(
        saved["targeting"]["countries"],
        serde_json::json!(["US", "CA"])
    );
    assert_eq!(saved["targeting"]["customer"], "new");
    assert_eq!(saved["enabled"], true);
    // A good save forgets the refused draft.
    let (_, page) = m.call("rules/page", serde_json::json!({})).await;
    assert!(page["kept"].is_null(), "{}", page["kept"]);
    assert_eq!(ok.location, format!("/rules?done=saved&rule={id}"));

    // "Replay with this change" without JavaScript: the form is kept, nothing is saved, and
    // the editor comes back with it and the replay's table beneath.
    let mut change = rule_form("Form rule", ICONS, EMAILS);
    change.push(("rule[id]", &id));
    change.push(("rule[version]", "1"));
    for (k, v) in change.iter_mut() {
        if *k == "rule[headline]" {
            *v = "A replayed headline";
        }
    }
    let replayed = post_form(app, &b, "rules/replay_form", "/rules", &change).await;
    assert!(replayed.status.is_redirection(), "{}", replayed.status);
    assert_eq!(
        replayed.location,
        format!("/rules?edit={id}&draft_replay#editor")
    );
    let html = common::page_text(&b, format!("{}{}", app.base, replayed.location)).await;
    assert!(
        html.contains("value=\"A replayed headline\""),
        "draft not shown"
    );
    let result = &html[html.find("data-testid=\"kept-replay\"").expect("no replay")..];
    assert!(result.contains("data-testid=\"replay-result\""), "no table");
    assert!(
        result.contains(&format!("data-rule-id=\"{id}\"")),
        "no line for the rule"
    );
    let stored = m.rules().await;
    let stored = stored.iter().find(|r| r["id"] == id.as_str()).unwrap();
    assert_eq!(
        stored["headline"], "Add the emails",
        "a replay saved the draft"
    );
    assert_eq!(stored["version"], 1);

    // The list page shows the result the URL names.
    let html = common::page_text(&b, format!("{}{}", app.base, ok.location)).await;
    assert!(
        html.contains("Rule saved. — Form rule"),
        "status line missing: {}",
        &html[html.find("role=\"status\"").unwrap_or(0)..][..300.min(html.len())]
    );

    // The switch: version 1 → off.
    let off = post_form(
        app,
        &b,
        "rules/enable",
        "/rules",
        &[("id", &id), ("version", "1"), ("enabled", "false")],
    )
    .await;
    assert_eq!(off.location, format!("/rules?done=disabled&rule={id}"));
    // The same stale version again is a conflict: back with the error, nothing changed.
    let stale = post_form(
        app,
        &b,
        "rules/enable",
        "/rules",
        &[("id", &id), ("version", "1"), ("enabled", "true")],
    )
    .await;
    assert!(
        stale.location.contains("/rules?") && stale.location.contains("__err="),
        "{}",
        stale.location
    );
    let rule = m
        .rules()
        .await
        .into_iter()
        .find(|r| r["id"] == id.as_str())
        .unwrap();
    assert_eq!(rule["enabled"], false);
    assert_eq!(rule["version"], 2);

    // A JSON caller of the same function still gets JSON and an honest status.
    let (s, v) = m
        .call(
            "rules/enable",
            serde_json::json!({ "id": id, "version": 1, "enabled": true }),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");

    // The arrows move it one place up (it was last), and the list says the order was saved.
    let moved = post_form(
        app,
        &b,
        "rules/move",
        "/rules",
        &[("id", &id), ("up", "true")],
    )
    .await;
    assert_eq!(moved.location, "/rules?done=order");
    let order: Vec<String> = m
        .rules()
        .await
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(order.len(), before + 1);
    assert_eq!(order[before - 1], id, "{order:?}");
    // A rule that is gone cannot be moved: back with the error.
    let gone = post_form(
        app,
        &b,
        "rules/move",
        "/rules",
        &[("id", "rul_gone"), ("up", "true")],
    )
    .await;
    assert!(gone.location.contains("__err="), "{}", gone.location);
}

async fn new_token_never_in_a_url(app: &TestApp) {
    let b = browser(app, "merchant@demo.test", "demo-merchant-pass").await;
    let a = post_form(
        app,
        &b,
        "settings/tokens/create",
        "/settings",
        &[("name", "Backend")],
    )
    .await;
    assert!(a.status.is_redirection(), "{}", a.status);
    assert_eq!(a.location, "/settings?done=created");
    let cookie = a
        .cookies
        .iter()
        .find(|c| c.starts_with("new_token="))
        .expect("flash cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("Path=/settings"),
        "{cookie}"
    );
    let token = cookie["new_token=".len()..]
        .split(';')
        .next()
        .unwrap()
        .to_string();
    assert!(token.len() > 20);
    assert!(!a.location.contains(&token));

    // Shown once on the settings page, then gone.
    let page = |b: Client| async move {
        common::page_text(&b, format!("{}/settings?done=created", app.base)).await
    };
    assert!(
        page(b.clone()).await.contains(&token),
        "the new token is shown"
    );
    assert!(!page(b).await.contains(&token), "and only once");
}

async fn language_switch(app: &TestApp) {
    let no_redirect = common::http().redirect(Policy::none()).build().unwrap();
    let a = post_form(
        app,
        &no_redirect,
        "session/lang",
        "/login",
        &[("lang", "zh-CN")],
    )
    .await;
    assert!(a.status.is_redirection(), "{}", a.status);
    assert_eq!(
        a.location.trim_end_matches('?'),
        format!("{}/login", app.base)
    );
    assert!(
        a.cookies.iter().any(|c| c.starts_with("lang=zh-CN")),
        "{:?}",
        a.cookies
    );
    let bad = post_form(
        app,
        &no_redirect,
        "session/lang",
        "/login",
        &[("lang", "xx")],
    )
    .await;
    assert!(bad.location.contains("__err="), "{}", bad.location);
    assert!(!bad.cookies.iter().any(|c| c.starts_with("lang=")));
}

on_both_backends!(rule_editor_form, new_token_never_in_a_url, language_switch);
