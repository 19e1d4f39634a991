//! Load generator for `make bench` (offers): signed-webhook ingest throughput, one-click
//! accept latency and the accept latency of plan-change offers against a running release
//! server (with its built-in sandbox), with a bare axum handler on the same machine as the
//! reference. Prints one JSON object.
//!
//! cargo run --release --features ssr --example offers_bench -- <base_url> <webhook_secret> <events> [plan_changes]
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const CUSTOMERS: [&str; 3] = [
    "cus_PriyaRaman0001",
    "cus_JonasWeber0002",
    "cus_AikoTanaka0003",
];
const CONCURRENCY: usize = 64;
/// Priya's Visa 4242 (usable for one-click charges) and the demo map's "Basic → Pro near limit".
const PRIYA: &str = "cus_PriyaRaman0001";
const PRIYA_CARD: &str = "pm_PriyaVisa4242";
const BASIC: &str = "pdt_BasicMonthly05";
/// Plan changes made (and not counted) before the measured ones.
const PLAN_CHANGE_WARMUP: usize = 10;

fn event(i: usize, run: &str) -> (String, String) {
    let id = format!("msg_bench_{run}_{i}");
    let body = json!({
        "business_id": "bus_DemoShop7Qm2Rk4TfW9x", "type": "payment.succeeded", "timestamp": "2026-11-24T20:00:00Z",
        "data": { "payload_type": "Payment", "payment_id": format!("pay_bench_{run}_{i}"), "status": "succeeded",
                  "total_amount": 2900, "currency": "USD",
                  "customer": { "customer_id": CUSTOMERS[i % CUSTOMERS.len()], "email": "b@example.com", "name": "B" },
                  "billing": { "country": "US", "zipcode": "94612" },
                  "product_cart": [{ "product_id": "pdt_LpTemplatePack01", "quantity": 1 }], "metadata": {} }
    });
    (id, body.to_string())
}

/// Sends every event once over `CONCURRENCY` keep-alive connections (one HTTP/1.1 sender per
/// connection, each taking the next event when its answer is in); returns (events/s, 2xx).
/// Signing and building the requests happen before the clock starts; the client is plain
/// hyper, not reqwest, so as much of the shared two cores as possible is left to the server.
async fn ingest(url: &str, secret: &str, n: usize, run: &str) -> (f64, usize) {
    use http_body_util::{BodyExt, Full};
    use hyper::body::Bytes;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    let uri: hyper::Uri = url.parse().expect("url");
    let authority = uri.authority().expect("host:port").to_string();
    let signer = standardwebhooks::Webhook::new(secret).expect("secret");
    let requests: Arc<Vec<hyper::Request<Full<Bytes>>>> = Arc::new(
        (0..n)
            .map(|i| {
                let (id, body) = event(i, run);
                let ts = chrono::Utc::now().timestamp();
                let sig = signer.sign(&id, ts, body.as_bytes()).unwrap();
                hyper::Request::post(uri.path())
                    .header("host", &authority)
                    .header("content-type", "application/json")
                    .header("webhook-id", id)
                    .header("webhook-timestamp", ts.to_string())
                    .header("webhook-signature", sig)
                    .body(Full::new(Bytes::from(body)))
                    .unwrap()
            })
            .collect(),
    );
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let senders = (0..CONCURRENCY.min(n.max(1))).map(|_| {
        let (requests, next, authority) = (requests.clone(), next.clone(), authority.clone());
        tokio::spawn(async move {
            let tcp = tokio::net::TcpStream::connect(&authority)
                .await
                .expect("connect");
            tcp.set_nodelay(true).unwrap();
            let (mut send, conn) =
                hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(tcp))
                    .await
                    .expect("handshake");
            tokio::spawn(conn);
            let mut ok = 0;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(req) = requests.get(i) else { break };
                let mut r = hyper::Request::post(req.uri().clone())
                    .body(req.body().clone())
                    .unwrap();
                *r.headers_mut() = req.headers().clone();
                let Ok(res) = send.send_request(r).await else {
                    break;
                };
                let success = res.status().is_success();
                if res.into_body().collect().await.is_ok() && success {
                    ok += 1;
                }
            }
            ok
        })
    });
    let ok: usize = futures::future::join_all(senders)
        .await
        .into_iter()
        .map(|r| r.unwrap_or(0))
        .sum();
    (n as f64 / start.elapsed().as_secs_f64(), ok)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// `Server-Timing: app;dur=<our own time>, dodo;dur=<time waiting for Dodo>`, in ms.
fn server_timing(r: &reqwest::Response, name: &str) -> Option<f64> {
    let timing = r.headers().get("server-timing")?.to_str().ok()?;
    let prefix = format!("{name};dur=");
    timing
        .split(',')
        .find_map(|p| p.trim().strip_prefix(prefix.as_str()))
        .and_then(|v| v.parse::<f64>().ok())
}

async fn json_of(r: reqwest::RequestBuilder) -> Value {
    let r = r.send().await.expect("request");
    let status = r.status();
    let v: Value = r.json().await.unwrap_or(Value::Null);
    assert!(status.is_success(), "{status}: {v}");
    v
}

/// A new Basic subscription of Priya's: a confirmed one-click checkout in the sandbox.
async fn new_basic_subscription(client: &reqwest::Client, base: &str) -> String {
    let dodo = format!("{base}/sandbox/dodo");
    let checkout = json_of(
        client
            .post(format!("{dodo}/checkouts"))
            .bearer_auth("sandbox_key")
            .json(&json!({
                "product_cart": [{ "product_id": BASIC, "quantity": 1 }],
                "customer": { "customer_id": PRIYA },
                "payment_method_id": PRIYA_CARD, "confirm": true,
            })),
    )
    .await;
    let session = checkout["session_id"].as_str().expect("session_id");
    let s = json_of(
        client
            .get(format!("{dodo}/checkouts/{session}"))
            .bearer_auth("sandbox_key"),
    )
    .await;
    s["subscription_id"]
        .as_str()
        .unwrap_or_else(|| panic!("checkout started no subscription: {s}"))
        .to_string()
}

/// Plan-change offers, accepted one after another (latency, not throughput): `n` (plus a
/// warm-up) Basic subscriptions of their own first (one on Pro would get no offer), then for
/// each the merchant's backend reports "near plan limit" naming it, reads the customer's offer
/// (its first view quotes it from Dodo's change-plan preview) and accepts it. Each accept's
/// outcome settles (by webhook or read-back) before the next starts.
async fn plan_changes(client: &reqwest::Client, base: &str, key: &str, n: usize) -> Value {
    let mut subs = Vec::with_capacity(n + PLAN_CHANGE_WARMUP);
    for _ in 0..n + PLAN_CHANGE_WARMUP {
        subs.push(new_basic_subscription(client, base).await);
    }
    // Let the checkouts' own webhooks (payment, subscription.active) drain first.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let api = format!("{base}/api/v1");
    let (mut app_ms, mut dodo_ms, mut total_ms) = (Vec::new(), Vec::new(), Vec::new());
    let (mut paid, mut skipped) = (0usize, 0usize);
    for (i, sid) in subs.iter().enumerate() {
        let measured = i >= PLAN_CHANGE_WARMUP;
        let made = json_of(client.post(format!("{api}/events")).bearer_auth(key).json(&json!({
            "customer_id": PRIYA, "product_id": BASIC, "event": "near_plan_limit", "subscription_id": sid,
        })))
        .await;
        let Some(token) = made["offer_url"]
            .as_str()
            .and_then(|u| u.rsplit('/').next())
            .map(str::to_string)
        else {
            panic!("no plan-change offer for {sid}: {made}");
        };
        // The merchant's eligibility check: the first view quotes the plan change.
        let open = json_of(
            client
                .get(format!("{api}/customers/{PRIYA}/offer"))
                .bearer_auth(key),
        )
        .await;
        if open["offer"]["token"].as_str() != Some(token.as_str())
            || open["offer"]["action"] != "plan_change"
        {
            // Another offer of hers is newer (a webhook's): not this measurement's.
            skipped += usize::from(measured);
            continue;
        }
        let t = Instant::now();
        let r = client
            .post(format!("{api}/offers/{token}/accept"))
            .bearer_auth(key)
            .send()
            .await
            .expect("accept");
        let elapsed = t.elapsed().as_secs_f64() * 1000.0;
        let (app, dodo) = (server_timing(&r, "app"), server_timing(&r, "dodo"));
        let status = r.status();
        let body: Value = r.json().await.unwrap_or(Value::Null);
        assert!(status.is_success(), "accept {token}: {status} {body}");
        // Settled before the next accept, so one accept's webhooks do not land in another's.
        let mut state = body["state"].as_str().unwrap_or_default().to_string();
        for _ in 0..500 {
            if state != "charging" && state != "pending" {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
            let v = json_of(client.get(format!("{api}/offers/{token}")).bearer_auth(key)).await;
            state = v["state"].as_str().unwrap_or_default().to_string();
        }
        if !measured {
            continue;
        }
        paid += usize::from(state == "paid");
        total_ms.push(elapsed);
        if let (Some(app), Some(dodo)) = (app, dodo) {
            app_ms.push(app);
            dodo_ms.push(dodo);
        }
    }
    for v in [&mut app_ms, &mut dodo_ms, &mut total_ms] {
        v.sort_by(f64::total_cmp);
    }
    if app_ms.is_empty() {
        panic!("no plan-change accept measured ({skipped} skipped)");
    }
    json!({
        "plan_change_accepts": app_ms.len(), "plan_change_paid": paid, "plan_change_skipped": skipped,
        "plan_change_accept_overhead_ms_p50": percentile(&app_ms, 0.5),
        "plan_change_accept_overhead_ms_p99": percentile(&app_ms, 0.99),
        "plan_change_accept_overhead_ms_max": percentile(&app_ms, 1.0),
        "plan_change_accept_dodo_ms_p50": percentile(&dodo_ms, 0.5),
        "plan_change_accept_total_ms_p50": percentile(&total_ms, 0.5),
        "plan_change_accept_total_ms_p99": percentile(&total_ms, 0.99),
    })
}

/// Polls `/metrics` (METRICS_TOKEN) until no stored event waits to be applied; `false` when
/// the metrics are not reachable or it takes over two minutes.
async fn inbox_drained(client: &reqwest::Client, base: &str) -> bool {
    let Ok(token) = std::env::var("METRICS_TOKEN") else {
        return false;
    };
    for _ in 0..2400 {
        let text = match client
            .get(format!("{base}/metrics"))
            .bearer_auth(&token)
            .send()
            .await
        {
            Ok(r) => r.text().await.unwrap_or_default(),
            Err(_) => return false,
        };
        let pending = text
            .lines()
            .find(|l| l.starts_with("webhook_inbox_pending "))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok());
        match pending {
            // A count: below one half is zero.
            Some(p) if p < 0.5 => return true,
            Some(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            None => return false,
        }
    }
    false
}

async fn bare_axum() -> String {
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(|body: axum::body::Bytes| async move { body.len().to_string() }),
    );
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(l, app).await.unwrap() });
    format!("http://{addr}/hook")
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (base, secret) = (args[1].trim_end_matches('/').to_string(), args[2].clone());
    let n: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(20_000);
    let plan_n: usize = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(200);
    let run = format!("{}", chrono::Utc::now().timestamp_millis());
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CONCURRENCY)
        .build()
        .unwrap();

    // Warm up (connections, catalogue cache), then measure.
    ingest(
        &format!("{base}/webhooks/dodo"),
        &secret,
        500,
        &format!("{run}w"),
    )
    .await;
    let started = Instant::now();
    let (rate, applied) = ingest(&format!("{base}/webhooks/dodo"), &secret, n, &run).await;
    eprintln!("ingest: {rate:.0} events/s, {applied} answered 2xx");
    // A burst is answered once stored; the inbox applies it behind. Wait for it (timed) so
    // the bare handler below runs on an idle machine, and report when all was applied.
    let applied_s = inbox_drained(&client, &base)
        .await
        .then(|| started.elapsed().as_secs_f64());
    let bare = bare_axum().await;
    ingest(&bare, &secret, 500, "warm").await;
    let (bare_rate, _) = ingest(&bare, &secret, n, "bare").await;
    eprintln!("bare axum: {bare_rate:.0} events/s");

    // Accept latency: sign in, make an API token, accept offers one after another.
    let jar = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    jar.post(format!("{base}/api/session/login"))
        .form(&[
            ("email", "merchant@demo.test"),
            ("password", "demo-merchant-pass"),
        ])
        .send()
        .await
        .unwrap();
    let key: String = jar
        .post(format!("{base}/api/settings/tokens/create"))
        .json(&json!({ "name": format!("bench {run}") }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut app_ms = Vec::new();
    let mut total_ms = Vec::new();
    for c in CUSTOMERS.iter().cycle().take(300) {
        // A fresh offer per accept: a purchase by a customer with a usable card.
        let (id, body) = event(app_ms.len() + 1_000_000, &format!("{run}a"));
        let body = body
            .replace("cus_PriyaRaman0001", c)
            .replace("cus_JonasWeber0002", c)
            .replace("cus_AikoTanaka0003", c);
        let signer = standardwebhooks::Webhook::new(&secret).unwrap();
        let ts = chrono::Utc::now().timestamp();
        client
            .post(format!("{base}/webhooks/dodo"))
            .header("webhook-id", &id)
            .header("webhook-timestamp", ts.to_string())
            .header(
                "webhook-signature",
                signer.sign(&id, ts, body.as_bytes()).unwrap(),
            )
            .body(body)
            .send()
            .await
            .unwrap();
        let open: Value = client
            .get(format!("{base}/api/v1/customers/{c}/offer"))
            .bearer_auth(&key)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let Some(token) = open["offer"]["token"].as_str() else {
            continue;
        };
        let t = Instant::now();
        let r = client
            .post(format!("{base}/api/v1/offers/{token}/accept"))
            .bearer_auth(&key)
            .send()
            .await
            .unwrap();
        total_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        if let Some(app) = server_timing(&r, "app") {
            app_ms.push(app);
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    app_ms.sort_by(f64::total_cmp);
    total_ms.sort_by(f64::total_cmp);
    let mut out = json!({
        "ingest_events": n, "ingest_applied": applied, "ingest_events_per_s": rate.round(),
        "ingest_all_applied_s": applied_s.map(|s| (s * 100.0).round() / 100.0),
        "ingest_applied_events_per_s": applied_s.map(|s| (n as f64 / s).round()),
        "bare_axum_events_per_s": bare_rate.round(), "concurrency": CONCURRENCY,
        "accepts": app_ms.len(),
        "accept_overhead_ms_p50": percentile(&app_ms, 0.5), "accept_overhead_ms_p99": percentile(&app_ms, 0.99),
        "accept_total_ms_p50": percentile(&total_ms, 0.5), "accept_total_ms_p99": percentile(&total_ms, 0.99),
    });
    if plan_n > 0 {
        let plan = plan_changes(&client, &base, &key, plan_n).await;
        out.as_object_mut()
            .unwrap()
            .extend(plan.as_object().unwrap().clone());
    }
    println!("{out}");
}
