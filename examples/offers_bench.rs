//! Load generator for `make bench` (offers): signed-webhook ingest throughput and one-click
//! accept latency against a running release server, with a bare axum handler on the same
//! machine as the reference. Prints one JSON object.
//!
//! cargo run --release --features ssr --example offers_bench -- <base_url> <webhook_secret> <events>
use futures::{stream, StreamExt};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const CUSTOMERS: [&str; 3] = [
    "cus_PriyaRaman0001",
    "cus_JonasWeber0002",
    "cus_AikoTanaka0003",
];
const CONCURRENCY: usize = 64;

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

/// Sends every event once, `CONCURRENCY` at a time; returns (events/s, all applied).
async fn ingest(
    client: &reqwest::Client,
    url: &str,
    secret: &str,
    n: usize,
    run: &str,
) -> (f64, usize) {
    let signer = standardwebhooks::Webhook::new(secret).expect("secret");
    let events: Vec<(String, String, String)> = (0..n)
        .map(|i| {
            let (id, body) = event(i, run);
            let ts = chrono::Utc::now().timestamp();
            let sig = signer.sign(&id, ts, body.as_bytes()).unwrap();
            (id, format!("{ts}|{sig}"), body)
        })
        .collect();
    let start = Instant::now();
    let ok = stream::iter(events)
        .map(|(id, tsig, body)| {
            let (ts, sig) = tsig
                .split_once('|')
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .unwrap();
            client
                .post(url)
                .header("content-type", "application/json")
                .header("webhook-id", id)
                .header("webhook-timestamp", ts)
                .header("webhook-signature", sig)
                .body(body)
                .send()
        })
        .buffer_unordered(CONCURRENCY)
        .filter(|r| futures::future::ready(r.as_ref().is_ok_and(|r| r.status().is_success())))
        .count()
        .await;
    (n as f64 / start.elapsed().as_secs_f64(), ok)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
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
    let run = format!("{}", chrono::Utc::now().timestamp_millis());
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CONCURRENCY)
        .build()
        .unwrap();

    // Warm up (connections, catalogue cache), then measure.
    ingest(
        &client,
        &format!("{base}/webhooks/dodo"),
        &secret,
        500,
        &format!("{run}w"),
    )
    .await;
    let (rate, applied) = ingest(&client, &format!("{base}/webhooks/dodo"), &secret, n, &run).await;
    let bare = bare_axum().await;
    ingest(&client, &bare, &secret, 500, "warm").await;
    let (bare_rate, _) = ingest(&client, &bare, &secret, n, "bare").await;

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
        // Server-Timing: app;dur=<our own time>, dodo;dur=<time waiting for Dodo>.
        let timing = r
            .headers()
            .get("server-timing")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        if let Some(app) = timing
            .split(',')
            .find_map(|p| p.trim().strip_prefix("app;dur="))
            .and_then(|v| v.parse::<f64>().ok())
        {
            app_ms.push(app);
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    app_ms.sort_by(f64::total_cmp);
    total_ms.sort_by(f64::total_cmp);
    println!(
        "{}",
        json!({
            "ingest_events": n, "ingest_applied": applied, "ingest_events_per_s": rate.round(),
            "bare_axum_events_per_s": bare_rate.round(), "concurrency": CONCURRENCY,
            "accepts": app_ms.len(),
            "accept_overhead_ms_p50": percentile(&app_ms, 0.5), "accept_overhead_ms_p99": percentile(&app_ms, 0.99),
            "accept_total_ms_p50": percentile(&total_ms, 0.5), "accept_total_ms_p99": percentile(&total_ms, 0.99),
        })
    );
}
