//! An account's life: disabled, enabled and removed by a merchant; a password changed by its
//! owner (other sessions end) or reset through a one-time link; the last active merchant kept.
mod common;

use common::TestApp;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn user_id(m: &common::User, email: &str) -> String {
    let (s, v) = m.call0("users/list").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v.as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == email)
        .map(|u| u["id"].as_str().unwrap().to_string())
        .unwrap_or_else(|| panic!("{email} not listed: {v}"))
}

async fn sign_in_status(app: &TestApp, email: &str, password: &str) -> StatusCode {
    app.anonymous()
        .http
        .post(format!("{}/api/session/login", app.base))
        .form(&[("email", email), ("password", password)])
        .send()
        .await
        .unwrap()
        .status()
}

async fn signed_in(u: &common::User) -> bool {
    u.call0("session/me").await.1 != Value::Null
}

async fn disable_enable_and_remove(app: &TestApp) {
    let m = app.merchant().await;
    let analyst = app.analyst().await;
    assert!(signed_in(&analyst).await);
    let id = user_id(&m, "analyst@demo.test").await;

    let (s, v) = m
        .call("users/disable", json!({ "id": id, "disabled": true }))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["disabled"], true);
    assert!(
        !signed_in(&analyst).await,
        "a disabled account's session ends at once"
    );
    assert_eq!(
        sign_in_status(app, "analyst@demo.test", "demo-analyst-pass").await,
        StatusCode::UNAUTHORIZED
    );
    let (s, v) = m
        .call("users/disable", json!({ "id": id, "disabled": false }))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        sign_in_status(app, "analyst@demo.test", "demo-analyst-pass").await,
        StatusCode::OK
    );

    // Nobody disables or removes themselves; the last active merchant stays.
    let me = user_id(&m, "merchant@demo.test").await;
    let (s, v) = m
        .call("users/disable", json!({ "id": me, "disabled": true }))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    let (s, _) = m
        .call("users/remove", json!({ "id": me, "confirm": "yes" }))
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, v) = m
        .call(
            "users/create",
            json!({ "email": "owner2@example.com", "password": "a long password", "role": "merchant" }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let other = app.sign_in("owner2@example.com", "a long password").await;
    let (s, v) = other
        .call("users/disable", json!({ "id": me, "disabled": true }))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let second = v["id"].as_str().map(str::to_string);
    assert!(second.is_some());
    let owner2 = user_id(&other, "owner2@example.com").await;
    let (s, _) = other
        .call("users/role", json!({ "id": owner2, "role": "analyst" }))
        .await;
    assert_eq!(
        s,
        StatusCode::CONFLICT,
        "the only active merchant keeps the role"
    );

    // Removing needs the confirmation, then the account is gone for good.
    let (s, v) = other.call("users/remove", json!({ "id": id })).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["fields"][0]["field"], "confirm");
    let (s, _) = other
        .call("users/remove", json!({ "id": id, "confirm": "yes" }))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        sign_in_status(app, "analyst@demo.test", "demo-analyst-pass").await,
        StatusCode::UNAUTHORIZED
    );
    let mut actions: Vec<String> = common::strings(
        app,
        &format!("SELECT action FROM audit_log WHERE entity_id = '{id}'"),
    )
    .await;
    actions.sort();
    assert_eq!(actions, ["disable", "enable", "remove"], "each audited");
}

async fn change_password_ends_other_sessions(app: &TestApp) {
    let here = app.support().await;
    let elsewhere = app.support().await;
    let (s, v) = here
        .call(
            "account/password",
            json!({ "current_password": "wrong", "new_password": "a new long password" }),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["fields"][0]["field"], "current_password");
    let (s, v) = here
        .call(
            "account/password",
            json!({ "current_password": "demo-support-pass", "new_password": "short" }),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["fields"][0]["field"], "new_password");
    assert!(signed_in(&elsewhere).await, "a refused change ends nothing");
    let (s, v) = here
        .call(
            "account/password",
            json!({ "current_password": "demo-support-pass", "new_password": "a new long password" }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(
        signed_in(&here).await,
        "the session making the change stays"
    );
    assert!(!signed_in(&elsewhere).await, "every other session ends");
    assert_eq!(
        sign_in_status(app, "support@demo.test", "demo-support-pass").await,
        StatusCode::UNAUTHORIZED
    );
    let again = app
        .sign_in("support@demo.test", "a new long password")
        .await;
    let (s, v) = here.call0("account/sign_out_others").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v, 1, "the one other session");
    assert!(!signed_in(&again).await);
    assert!(signed_in(&here).await);
}

async fn reset_link_works_once(app: &TestApp) {
    let m = app.merchant().await;
    let support = app.support().await;
    let id = user_id(&m, "support@demo.test").await;
    let analyst = app.analyst().await;
    let (s, _) = analyst.call("users/reset_link", json!({ "id": id })).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "only merchants make reset links");
    let (s, v) = m.call("users/reset_link", json!({ "id": id })).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let link = v.as_str().unwrap().to_string();
    let token = link.rsplit('/').next().unwrap().to_string();
    assert!(
        link.starts_with(&format!("{}/reset/rst_", app.base)),
        "{link}"
    );
    // Only its hash is kept.
    let stored: Vec<String> = common::strings(app, "SELECT token_hash FROM password_resets").await;
    assert_eq!(stored.len(), 1);
    assert!(!stored[0].contains(&token[4..]));

    let anon = app.anonymous();
    let page = common::page_text(&anon.http, &link).await;
    assert!(
        page.contains("name=\"password\""),
        "the form shows for a valid link"
    );
    let (s, v) = anon
        .call(
            "account/reset",
            json!({ "token": token, "password": "short" }),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (s, v) = anon
        .call(
            "account/reset",
            json!({ "token": token, "password": "a brand new password" }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(
        !signed_in(&support).await,
        "every session of the account ends"
    );
    assert_eq!(
        sign_in_status(app, "support@demo.test", "a brand new password").await,
        StatusCode::OK
    );
    // Spent: a second use changes nothing.
    let (s, _) = anon
        .call(
            "account/reset",
            json!({ "token": token, "password": "another new password" }),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(
        sign_in_status(app, "support@demo.test", "another new password").await,
        StatusCode::UNAUTHORIZED
    );
    let page = common::page_text(&anon.http, &link).await;
    assert!(
        !page.contains("name=\"password\""),
        "a spent link shows no form"
    );
}

on_both_backends!(
    disable_enable_and_remove,
    change_password_ends_other_sessions,
    reset_link_works_once,
);
