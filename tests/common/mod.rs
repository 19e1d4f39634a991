//! Starts the real server (the same `start` that `main` calls) on a free port, against a fresh
//! SQLite file or a fresh PostgreSQL database, and talks to it over HTTP.
#![allow(dead_code)]
use leptos::config::LeptosOptions;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use sqlx::Connection;
use standardwebhooks::Webhook;
use std::time::Duration;
use upsell_dashboard::server::config::{Config, Secret};
use upsell_dashboard::server::{start, Running};

/// The webhook secret the test apps verify with (and their sandboxes sign with).
/// The bearer token the test apps serve `/metrics` to.
pub const METRICS_TOKEN: &str = "test-metrics-token";

pub const TEST_WEBHOOK_SECRET: &str = "whsec_AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=";

pub struct TestApp {
    pub base: String,
    pub database_url: String,
    pub running: Running,
    _dir: Option<tempdir::Dir>,
}

mod tempdir {
    /// A temporary folder removed on drop (hand-written: one struct is not worth a crate).
    pub struct Dir(pub std::path::PathBuf);
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

pub fn unique() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    format!(
        "{}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos()
    )
}

fn config(database_url: String) -> Config {
    Config {
        database_url,
        embedded_default: false,
        first_merchant: None,
        demo_data: true,
        demo_history: false,
        dodo_api_key: None,
        dodo_environment: "test_mode".into(),
        dodo_base_url: None,
        webhook_secret: Some(Secret::new(TEST_WEBHOOK_SECRET)),
        charge_timeout_ms: 1000,
        metrics_token: Some(Secret::new(METRICS_TOKEN)),
        sandbox_api_key: Secret::new("sandbox_key"),
        app_url: None,
        sandbox_webhook_url: None,
        site_addr: "127.0.0.1:0".parse().unwrap(),
    }
}

fn options() -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("upsell_dashboard")
        .site_root("target/site")
        .build()
}

async fn boot(database_url: String, dir: Option<tempdir::Dir>) -> TestApp {
    boot_with(database_url, dir, options()).await
}

async fn boot_with(
    database_url: String,
    dir: Option<tempdir::Dir>,
    options: LeptosOptions,
) -> TestApp {
    let _ = tracing_subscriber::fmt()
        // TEST_LOG=info (any filter) shows the servers' logs in a failing test's output.
        .with_env_filter(std::env::var("TEST_LOG").as_deref().unwrap_or("warn"))
        .with_test_writer()
        .try_init();
    let running = start(config(database_url.clone()), options)
        .await
        .expect("server starts");
    TestApp {
        base: running.app_url.clone(),
        database_url,
        running,
        _dir: dir,
    }
}

pub async fn sqlite() -> TestApp {
    let dir = std::env::temp_dir().join(format!("upsell_test_{}", unique()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}/app.db", dir.display());
    boot(url, Some(tempdir::Dir(dir))).await
}

/// A SQLite app serving its bundle from `site_root` (a folder the test made), with
/// content-hashed names (cargo-leptos `hash-files`) or not.
pub async fn sqlite_site(site_root: &std::path::Path, hash_files: bool) -> TestApp {
    let dir = std::env::temp_dir().join(format!("upsell_test_{}", unique()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}/app.db", dir.display());
    let mut options = options();
    options.site_root = site_root.display().to_string().into();
    options.hash_files = hash_files;
    boot_with(url, Some(tempdir::Dir(dir)), options).await
}

/// A fresh database on the test PostgreSQL server, or `None` when there is none (which fails
/// the test when REQUIRE_POSTGRES=1, as `make test` sets).
pub async fn postgres() -> Option<TestApp> {
    let Ok(admin) = std::env::var("TEST_POSTGRES_URL") else {
        assert!(
            std::env::var("REQUIRE_POSTGRES").is_err(),
            "REQUIRE_POSTGRES is set but TEST_POSTGRES_URL is not"
        );
        eprintln!("TEST_POSTGRES_URL unset: skipping the PostgreSQL run");
        return None;
    };
    let name = format!("t_{}", unique());
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .expect("connect to test PostgreSQL");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .unwrap();
    let (root, _) = admin.rsplit_once('/').unwrap();
    Some(boot(format!("{root}/{name}"), None).await)
}

/// Runs a scenario against both backends.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = $crate::common::sqlite().await;
                super::$name(&app).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) = $crate::common::postgres().await {
                    super::$name(&app).await;
                }
            }
        }
    )*};
}

/// Every test client is bounded: a server that never answers fails that test within a minute
/// instead of holding the whole run until CI's time limit (and the failure names the request).
pub fn http() -> reqwest::ClientBuilder {
    Client::builder().timeout(Duration::from_secs(60))
}

pub fn client() -> Client {
    http().build().unwrap()
}

/// A page's HTML, fetched with `c` (its cookies: who is signed in).
pub async fn page_text(c: &Client, url: impl reqwest::IntoUrl) -> String {
    c.get(url).send().await.unwrap().text().await.unwrap()
}

pub struct User {
    pub http: Client,
    pub base: String,
}

impl TestApp {
    pub fn anonymous(&self) -> User {
        User {
            http: http().cookie_store(true).build().unwrap(),
            base: self.base.clone(),
        }
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> User {
        let u = self.anonymous();
        let r = u
            .http
            .post(format!("{}/api/session/login", self.base))
            .form(&[("email", email), ("password", password)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "sign-in as {email}");
        u
    }

    pub async fn merchant(&self) -> User {
        self.sign_in("merchant@demo.test", "demo-merchant-pass")
            .await
    }
    pub async fn analyst(&self) -> User {
        self.sign_in("analyst@demo.test", "demo-analyst-pass").await
    }
    pub async fn support(&self) -> User {
        self.sign_in("support@demo.test", "demo-support-pass").await
    }
}

impl User {
    /// Calls a server function with a JSON body; returns status and JSON reply.
    pub async fn call(&self, endpoint: &str, body: Value) -> (StatusCode, Value) {
        let r = self
            .http
            .post(format!("{}/api/{endpoint}", self.base))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = r.status();
        let text = r.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// Calls a server function that takes no arguments (URL-encoded, empty body).
    pub async fn call0(&self, endpoint: &str) -> (StatusCode, Value) {
        let r = self
            .http
            .post(format!("{}/api/{endpoint}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("")
            .send()
            .await
            .unwrap();
        let status = r.status();
        let text = r.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    pub async fn rules(&self) -> Vec<Value> {
        let (s, v) = self.call0("rules/page").await;
        assert_eq!(s, StatusCode::OK, "{v}");
        v["rules"].as_array().unwrap().clone()
    }

    pub async fn audit(&self) -> Vec<Value> {
        let (_, v) = self.call0("rules/page").await;
        v["audit"].as_array().unwrap().clone()
    }
}

pub fn draft(name: &str, trigger: &str, offer: &str) -> Value {
    json!({
        "id": null, "version": null, "name": name, "kind": "upsell", "parent_rule_id": null,
        "trigger_product_id": trigger, "offer_product_id": offer, "quantity": 1,
        "headline": "Add this", "value_prop": "It helps", "badge": "", "timing": "post_purchase",
        "expiry_minutes": 30, "enabled": true
    })
}

/// The demo map: eight rules, two with targeting (`seed::demo_targeting`), then a next
/// offer (`seed::demo_chain`).
pub const DEMO_RULES: usize = 11;

/// Waits until the demo rules (seeded just after start) are in, so counts are stable.
pub async fn settle(u: &User) {
    for _ in 0..100 {
        if u.rules().await.len() >= DEMO_RULES {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("demo rules were not seeded");
}

/// A second app instance on the same database whose Dodo client uses the first one's sandbox,
/// as two instances behind a load balancer would share one Dodo.
pub async fn second_instance(first: &TestApp) -> Option<TestApp> {
    let mut c = config(first.database_url.clone());
    c.demo_data = false;
    c.dodo_base_url = Some(format!("{}/sandbox/dodo", first.base));
    let options = LeptosOptions::builder()
        .output_name("upsell_dashboard")
        .site_root("target/site")
        .build();
    let running = start(c, options).await.expect("second instance starts");
    Some(TestApp {
        base: running.app_url.clone(),
        database_url: first.database_url.clone(),
        running,
        _dir: None,
    })
}

/// Runs a statement on the app's database (for moving time in a test: e.g. an expiry).
#[allow(dead_code)]
pub async fn exec(app: &TestApp, sql: &str) {
    sqlx::query(sql)
        .execute(&app.running.state.db)
        .await
        .unwrap();
}

pub async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql)
        .fetch_one(&app.running.state.db)
        .await
        .unwrap()
}

pub async fn scalar(app: &TestApp, sql: &str) -> Option<String> {
    sqlx::query_scalar::<_, String>(sql)
        .fetch_optional(&app.running.state.db)
        .await
        .unwrap()
}

pub async fn strings(app: &TestApp, sql: &str) -> Vec<String> {
    sqlx::query_scalar::<_, String>(sql)
        .fetch_all(&app.running.state.db)
        .await
        .unwrap()
}

pub async fn sandbox_post(app: &TestApp, path: &str, body: Value) -> Value {
    let r = client()
        .post(format!("{}/sandbox/dodo{path}", app.base))
        .bearer_auth("sandbox_key")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{path}: {}", r.status());
    r.json().await.unwrap()
}

pub async fn sandbox_get(app: &TestApp, path: &str) -> Value {
    client()
        .get(format!("{}/sandbox/dodo{path}", app.base))
        .bearer_auth("sandbox_key")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// The merchant backend's view: `/api/v1` with a bearer token.
pub struct Api {
    pub base: String,
    pub key: String,
}

pub async fn api_client(app: &TestApp, merchant: &User) -> Api {
    let (s, v) = merchant
        .call(
            "settings/tokens/create",
            json!({ "name": format!("test {}", unique()) }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    Api {
        base: app.base.clone(),
        key: v.as_str().unwrap().to_string(),
    }
}

impl Api {
    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        let r = client()
            .get(format!("{}/api/v1/{path}", self.base))
            .bearer_auth(&self.key)
            .send()
            .await
            .unwrap();
        (r.status(), r.json().await.unwrap_or(Value::Null))
    }
    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let r = client()
            .post(format!("{}/api/v1/{path}", self.base))
            .bearer_auth(&self.key)
            .json(&body)
            .send()
            .await
            .unwrap();
        (r.status(), r.json().await.unwrap_or(Value::Null))
    }
}

/// Signs `body` with `secret` at `ts` and posts it to the app's webhook endpoint.
pub async fn deliver(
    app: &TestApp,
    secret: &str,
    id: &str,
    ts: i64,
    body: &str,
) -> (StatusCode, Value) {
    let sig = Webhook::new(secret)
        .unwrap()
        .sign(id, ts, body.as_bytes())
        .unwrap();
    let r = client()
        .post(format!("{}/webhooks/dodo", app.base))
        .header("content-type", "application/json")
        .header("webhook-id", id)
        .header("webhook-timestamp", ts.to_string())
        .header("webhook-signature", sig)
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

pub async fn wait_state(api: &Api, customer_offer_token: &str, want: &str) -> Value {
    for _ in 0..100 {
        let (_, v) = api.get(&format!("offers/{customer_offer_token}")).await;
        if v["state"] == want {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("offer never reached {want}");
}

pub async fn purchase(app: &TestApp, customer: &str, product: &str) -> Option<String> {
    let v = sandbox_post(
        app,
        "/_sandbox/purchases",
        json!({ "customer_id": customer, "product_id": product }),
    )
    .await;
    let payment_id = v["payment_id"].as_str().unwrap().to_string();
    for _ in 0..100 {
        // Webhook first, then offer: both commit together, so the two reads cannot race.
        let seen = count(
            app,
            &format!("SELECT COUNT(*) FROM webhook_events WHERE body LIKE '%{payment_id}%'"),
        )
        .await
            > 0;
        let tok: Option<String> = scalar(
            app,
            &format!("SELECT token FROM offers WHERE trigger_payment_id = '{payment_id}'"),
        )
        .await;
        if tok.is_some() || seen {
            return tok;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the purchase webhook never arrived");
}

/// A signed-webhook body for an ordinary purchase of `product` by `customer`.
pub fn purchase_event(payment_id: &str, customer: &str, product: &str) -> String {
    json!({
        "business_id": "bus_DemoShop7Qm2Rk4TfW9x", "type": "payment.succeeded", "timestamp": "2026-11-24T20:00:00Z",
        "data": { "payload_type": "Payment", "payment_id": payment_id, "status": "succeeded", "total_amount": 2900,
                  "currency": "USD", "customer": { "customer_id": customer, "email": "x@example.com", "name": "X" },
                  "billing": { "country": "US", "zipcode": "94612" },
                  "product_cart": [{ "product_id": product, "quantity": 1 }], "metadata": {} }
    })
    .to_string()
}
