//! `make bench` (replay): how long "what would this map have earned?" takes over 100,000
//! recorded purchases in the 30-day window, on SQLite and PostgreSQL. The map has 40 rules
//! with conditions (order values, countries, new or returning customers, held products,
//! catch-alls) and 10 that follow them (downsells and next offers, chains of up to 3); take
//! rates come from 20,000 past offers. Timed: `server::replay::run_with`,
//! every read and the arithmetic, as the server function runs it. Prints
//! `{"results": [{"backend", "purchases", "replay_ms", ...}]}`.
//!
//! cargo run --release --features ssr --example replay_bench -- <sqlite_dir> [postgres_url]
use serde_json::json;
use std::time::Instant;
use upsell_dashboard::domain::rule::target::{CustomerFilter, Targeting, ValueRange};
use upsell_dashboard::domain::rule::{ProductSummary, Rule, RuleKind, Timing, ANY_PRODUCT};
use upsell_dashboard::server::db::{connect, Db};
use upsell_dashboard::server::replay::run_with;

const PURCHASES: i64 = 100_000;
const CUSTOMERS: i64 = 30_000;
const PRODUCTS: i64 = 20;
const RULES: usize = 40;
const OFFERS: i64 = 20_000;
const RUNS: usize = 11;

fn products() -> Vec<ProductSummary> {
    (0..PRODUCTS)
        .map(|i| ProductSummary {
            id: format!("pdt_{i:02}"),
            name: format!("Product {i:02}"),
            price: 900 + 500 * i,
            currency: "USD".into(),
            is_recurring: false,
            interval: None,
        })
        .collect()
}

fn rules() -> Vec<Rule> {
    let mut map: Vec<Rule> = (0..RULES)
        .map(|i| {
            let trigger = if i % 10 == 9 {
                ANY_PRODUCT.to_string()
            } else {
                format!("pdt_{:02}", i as i64 % PRODUCTS)
            };
            let targeting = Targeting {
                order_values: (i % 3 == 0)
                    .then(|| ValueRange {
                        currency: "USD".into(),
                        min: Some(2_000 + 100 * i as i64),
                        max: None,
                    })
                    .into_iter()
                    .collect(),
                // Catch-alls only for first purchases billed in Germany: most purchases get
                // an offer from their product's rules, or none.
                customer: if trigger == ANY_PRODUCT {
                    CustomerFilter::New
                } else {
                    [
                        CustomerFilter::Any,
                        CustomerFilter::New,
                        CustomerFilter::Returning,
                    ][i % 3]
                },
                countries: if trigger == ANY_PRODUCT {
                    vec!["DE".into()]
                } else if i % 4 == 0 {
                    vec!["US".into(), "DE".into()]
                } else {
                    vec![]
                },
                exclude_holders: if i % 5 == 0 {
                    vec![format!("pdt_{:02}", (i + 1) % 20)]
                } else {
                    vec![]
                },
                ..Targeting::default()
            };
            Rule {
                id: format!("rul_{i:02}"),
                version: 1,
                name: format!("Rule {i:02}"),
                kind: RuleKind::Upsell,
                parent_rule_id: None,
                trigger_product_id: trigger,
                offer_product_id: format!("pdt_{:02}", (i as i64 + 7) % PRODUCTS),
                quantity: 1,
                headline: "h".into(),
                value_prop: "v".into(),
                badge: None,
                timing: Timing::PostPurchase,
                expiry_minutes: 60,
                priority: i as i64 + 1,
                enabled: true,
                experiment: Default::default(),
                terms: Default::default(),
                targeting,
                discount: Default::default(),
                created_at: 0,
                updated_at: 0,
            }
        })
        .collect();
    // Downsells of rules 0–4, next offers after rules 5–8, and a downsell of the first next
    // offer (a chain of three).
    let follows = (0..5)
        .map(|i| (RuleKind::Downsell, format!("rul_{i:02}")))
        .chain((5..9).map(|i| (RuleKind::Next, format!("rul_{i:02}"))))
        .chain([(RuleKind::Downsell, "rul_f05".to_string())]);
    for (n, (kind, parent)) in follows.enumerate() {
        let mut r = map[0].clone();
        r.id = format!("rul_f{n:02}");
        r.name = format!("Follower {n:02}");
        r.kind = kind;
        r.parent_rule_id = Some(parent);
        r.offer_product_id = format!("pdt_{:02}", (n as i64 + 3) % PRODUCTS);
        r.targeting = Targeting::default();
        r.priority = (RULES + n + 1) as i64;
        map.push(r);
    }
    map
}

async fn fresh(backend: &str, target: &str) -> Db {
    if backend == "sqlite" {
        let path = format!("{target}/replay.db");
        for ext in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{path}{ext}"));
        }
        connect(&format!("sqlite://{path}?mode=rwc")).await.unwrap()
    } else {
        let admin = connect(target).await.unwrap();
        sqlx::query("DROP DATABASE IF EXISTS bench_replay WITH (FORCE)")
            .execute(&admin)
            .await
            .unwrap();
        sqlx::query("CREATE DATABASE bench_replay")
            .execute(&admin)
            .await
            .unwrap();
        let base = target.rsplit_once('/').map(|(b, _)| b).unwrap_or(target);
        connect(&format!("{base}/bench_replay")).await.unwrap()
    }
}

/// Purchases spread over the window (a few before it: returning customers), and past offers
/// with every fifth paid. Generated in SQL, in bulk.
async fn generate(db: &Db, pg: bool, now: i64) {
    let day = 86_400_000i64;
    let series = if pg {
        format!(
            "SELECT g AS n FROM generate_series(CAST(0 AS BIGINT), {}) AS g",
            PURCHASES - 1
        )
    } else {
        format!(
            "WITH RECURSIVE s(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n < {}) SELECT n FROM s",
            PURCHASES - 1
        )
    };
    let cat = "||";
    let pad = if pg {
        "lpad(CAST(n % 20 AS TEXT), 2, '0')"
    } else {
        "printf('%02d', n % 20)"
    };
    sqlx::query(&format!(
        "INSERT INTO purchases (payment_id, customer_id, products, total, currency, country, quantity, created_at) \
         SELECT 'pay_' {cat} CAST(n AS TEXT), 'cus_' {cat} CAST(n % {CUSTOMERS} AS TEXT), \
         '[\"pdt_' {cat} {pad} {cat} '\"]', 900 + (n % 97) * 53, 'USD', \
         CASE WHEN n % 3 = 0 THEN 'DE' ELSE 'US' END, 1 + n % 3, \
         {now} - (n % 30) * {day} - n % 1000 FROM ({series}) AS s"
    ))
    .execute(db)
    .await
    .unwrap();
    let offers = if pg {
        format!(
            "SELECT g AS n FROM generate_series(CAST(0 AS BIGINT), {}) AS g",
            OFFERS - 1
        )
    } else {
        format!(
            "WITH RECURSIVE s(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n < {}) SELECT n FROM s",
            OFFERS - 1
        )
    };
    sqlx::query(&format!(
        "INSERT INTO offers (id, token, rule_id, customer_id, trigger_payment_id, trigger_product_id, trigger_amount, \
         offer_product_id, quantity, amount, currency, headline, value_prop, state, created_at, expires_at, updated_at) \
         SELECT 'ofr_' {cat} CAST(n AS TEXT), 'otk_' {cat} CAST(n AS TEXT), 'rul_' {cat} printf_free, 'cus_' {cat} CAST(n AS TEXT), \
         'pay_o' {cat} CAST(n AS TEXT), 'pdt_00', 900, 'pdt_' {cat} {pad}, 1, 1000, 'USD', 'h', 'v', \
         CASE WHEN n % 5 = 0 THEN 'paid' ELSE 'declined' END, {now} - (n % 60) * {day}, {now}, {now} FROM ({offers}) AS s"
    ).replace("printf_free", &if pg { "lpad(CAST(n % 40 AS TEXT), 2, '0')".to_string() } else { "printf('%02d', n % 40)".to_string() }))
    .execute(db)
    .await
    .unwrap();
    let settle = if pg {
        "VACUUM ANALYZE"
    } else {
        "PRAGMA wal_checkpoint(TRUNCATE)"
    };
    sqlx::query(settle).execute(db).await.unwrap();
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

#[tokio::main]
async fn main() {
    sqlx::any::install_default_drivers();
    let args: Vec<String> = std::env::args().collect();
    let mut backends = vec![("sqlite", args.get(1).cloned().expect("sqlite dir"))];
    if let Some(pg) = args.get(2).filter(|s| !s.is_empty()) {
        backends.push(("postgresql", pg.clone()));
    }
    let (products, rules) = (products(), rules());
    let mut results = Vec::new();
    for (backend, target) in backends {
        let db = fresh(backend, &target).await;
        let now = chrono::Utc::now().timestamp_millis();
        generate(&db, backend != "sqlite", now).await;
        let mut times = Vec::new();
        let mut last = None;
        for _ in 0..RUNS {
            let t = Instant::now();
            let r = run_with(&db, &rules, &products).await.unwrap();
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            last = Some(r);
        }
        let r = last.unwrap();
        let offers: i64 = r.lines.iter().map(|l| l.offers).sum();
        eprintln!(
            "{backend}: {} purchases, {offers} offers, median {:.0} ms",
            r.purchases,
            median(times.clone())
        );
        results.push(json!({
            "backend": backend,
            "purchases": r.purchases,
            "rules": rules.len(),
            "offers_it_would_make": offers,
            "replay_ms": (median(times.clone()) * 10.0).round() / 10.0,
            "replay_ms_max": (times.iter().cloned().fold(0.0, f64::max) * 10.0).round() / 10.0,
            "runs": RUNS,
        }));
        db.close().await;
        if backend != "sqlite" {
            let admin = connect(&target).await.unwrap();
            let _ = sqlx::query("DROP DATABASE IF EXISTS bench_replay WITH (FORCE)")
                .execute(&admin)
                .await;
        }
    }
    println!(
        "{}",
        serde_json::to_string_pretty(&json!({
            "what": "replay of a 50-rule map (40 rules with conditions, 10 downsells and next offers) over the 30-day window (server::replay::run_with: every read and the arithmetic), median of 11 runs",
            "goal_ms": 2000,
            "results": results,
        }))
        .unwrap()
    );
}
