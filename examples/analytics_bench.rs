//! `make bench` (analytics): how long the analytics report takes for a 90-day range over 50
//! rules when the database holds 10 thousand and when it holds 10 million offer events.
//! Prints a JSON list, one object per backend.
//!
//! cargo run --release --features ssr --example analytics_bench -- <sqlite_dir> [postgres_url]
//!
//! Or only fills a database (the serving bench's analytics page, served by the real server):
//! cargo run --release --features ssr --example analytics_bench -- generate <database_url> <events> <days>
//!
//! Events are generated in bulk with SQL and their rollups built with one GROUP BY over them:
//! what is timed is the read side, the same call the server function makes. That rollups kept
//! per event equal a recomputation from the events is what `tests/analytics_api.rs` checks.
use serde_json::json;
use std::time::Instant;
use upsell_dashboard::domain::analytics::{day_of, Filters, Window};
use upsell_dashboard::domain::time::format_date;
use upsell_dashboard::server::analytics;
use upsell_dashboard::server::db::{connect, Db};
use upsell_dashboard::server::rollups::Grain;

const RULES: i64 = 50;
const DAYS: i64 = 90;
const RUNS: usize = 101;
/// The viewer's zone for the timed report: India's half-hour offset reads the most quarter
/// rows of a table's ragged ends; UTC reads none; New York is a whole-hour zone.
const ZONES: [&str; 3] = ["Asia/Kolkata", "UTC", "America/New_York"];
const KINDS: [&str; 8] = [
    "created", "shown", "accepted", "paid", "declined", "failed", "expired", "refunded",
];

async fn generate(db: &Db, pg: bool, events: i64, today: i64, days: i64) {
    let now = today * 86_400_000;
    for r in 0..RULES {
        sqlx::query(
            "INSERT INTO rules (id, name, name_key, kind, trigger_product_id, offer_product_id, quantity, headline, value_prop, timing, expiry_minutes, priority, enabled, version, created_at, updated_at) \
             VALUES ($1, $2, $3, 'upsell', 'pdt_T', 'pdt_O', 1, 'h', 'v', 'post_purchase', 60, $4, 1, 1, 0, 0)",
        )
        .bind(format!("rul_{r:02}"))
        .bind(format!("Rule {r:02}"))
        .bind(format!("rule {r:02}"))
        .bind(r)
        .execute(db)
        .await
        .unwrap();
    }
    // Kinds cycle so every rule and day gets every kind; amounts only where money moves.
    let kind_case = KINDS
        .iter()
        .enumerate()
        .map(|(i, k)| format!("WHEN {i} THEN '{k}'"))
        .collect::<Vec<_>>()
        .join(" ");
    let select = format!(
        "SELECT 'oev_' || CAST(i AS TEXT), 'ofr_' || CAST(i / 8 AS TEXT), 'rul_' || (CASE WHEN i % {RULES} < 10 THEN '0' ELSE '' END) || CAST(i % {RULES} AS TEXT), \
         CASE i % 8 {kind_case} END, {now} - (1 + (i / {RULES}) % {days}) * 86400000 + (i % 86400) * 1000, \
         CASE WHEN i % 8 IN (3, 7) THEN 4900 ELSE NULL END, 'USD', NULL"
    );
    let insert =
        "INSERT INTO offer_events (id, offer_id, rule_id, kind, at, amount, currency, detail) ";
    let chunk: i64 = 1_000_000;
    let mut start = 0;
    while start < events {
        let end = (start + chunk).min(events) - 1;
        let sql = if pg {
            format!(
                "{insert} {select} FROM generate_series({start}::BIGINT, {end}::BIGINT) AS g(i)"
            )
        } else {
            format!(
                "WITH RECURSIVE g(i) AS (SELECT {start} UNION ALL SELECT i + 1 FROM g WHERE i < {end}) {insert} {select} FROM g"
            )
        };
        sqlx::query(&sql).execute(db).await.unwrap();
        start = end + 1;
    }
    let sum = |k: &str| format!("SUM(CASE WHEN kind = '{k}' THEN 1 ELSE 0 END)");
    for grain in Grain::ALL {
        let (table, decline_table, trend_table, col) = grain.tables();
        let size = grain.size() * 900_000;
        sqlx::query(&format!(
            "INSERT INTO {table} ({col}, rule_id, variant, currency, created, shown, accepted, paid, declined, failed, expired, refunds, revenue, refunded, revenue_sq, trigger_paid) \
             SELECT at / {size}, rule_id, 'a', 'USD', {}, {}, {}, {}, {}, {}, {}, {}, \
             SUM(CASE WHEN kind = 'paid' THEN amount ELSE 0 END), SUM(CASE WHEN kind = 'refunded' THEN amount ELSE 0 END), 0, \
             SUM(CASE WHEN kind = 'paid' THEN 2900 ELSE 0 END) FROM offer_events GROUP BY at / {size}, rule_id",
            sum("created"), sum("shown"), sum("accepted"), sum("paid"), sum("declined"), sum("failed"), sum("expired"), sum("refunded")
        ))
        .execute(db)
        .await
        .unwrap();
        sqlx::query(&format!("INSERT INTO {decline_table} ({col}, rule_id, code, n) SELECT at / {size}, rule_id, 'INSUFFICIENT_FUNDS', COUNT(*) FROM offer_events WHERE kind = 'failed' GROUP BY at / {size}, rule_id"))
            .execute(db)
            .await
            .unwrap();
        sqlx::query(&format!(
            "INSERT INTO {trend_table} ({col}, currency, shown, paid, revenue) SELECT {col}, currency, {}, {}, {} FROM {table} GROUP BY {col}, currency",
            "CAST(SUM(shown) AS BIGINT)", "CAST(SUM(paid) AS BIGINT)", "CAST(SUM(revenue - refunded) AS BIGINT)"
        ))
        .execute(db)
        .await
        .unwrap();
    }
}

/// The 90-day report's window, for a viewer in `tz`.
fn window(today: i64, tz: &str) -> Window {
    let f = Filters {
        from: format_date(today - DAYS),
        to: format_date(today - 1),
        tz: tz.into(),
        ..Filters::default()
    };
    analytics::check(&f, None).unwrap()
}

/// One run of what the `analytics/report` server function does after authorising, bar the
/// product names (they come from a 30-second cache of the catalogue), in ms.
async fn report_ms(db: &Db, w: &Window) -> f64 {
    let t = Instant::now();
    let report = analytics::report_on(db, &[], w).await.unwrap();
    let ms = t.elapsed().as_secs_f64() * 1000.0;
    assert_eq!(report.rows.len(), RULES as usize);
    ms
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

async fn fresh(backend: &str, target: &str, size: i64) -> Db {
    if backend == "sqlite" {
        let path = format!("{target}/analytics_{size}.db");
        for ext in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{path}{ext}"));
        }
        connect(&format!("sqlite://{path}?mode=rwc")).await.unwrap()
    } else {
        let name = format!("bench_analytics_{size}");
        let admin = connect(target).await.unwrap();
        sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&admin)
            .await
            .unwrap();
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&admin)
            .await
            .unwrap();
        let base = target.rsplit_once('/').map(|(b, _)| b).unwrap_or(target);
        connect(&format!("{base}/{name}")).await.unwrap()
    }
}

#[tokio::main]
async fn main() {
    sqlx::any::install_default_drivers();
    let args: Vec<String> = std::env::args().collect();
    let sizes: Vec<i64> = std::env::var("BENCH_EVENTS")
        .unwrap_or_else(|_| "10000,10000000".into())
        .split(',')
        .map(|s| s.parse().expect("BENCH_EVENTS: comma-separated counts"))
        .collect();
    let today = day_of(chrono::Utc::now().timestamp_millis());
    if args.get(1).map(String::as_str) == Some("generate") {
        let arg = |i: usize| {
            args.get(i)
                .expect("generate <database_url> <events> <days>")
        };
        let url = arg(2);
        let db = connect(url).await.unwrap();
        let pg = !url.starts_with("sqlite");
        generate(
            &db,
            pg,
            arg(3).parse().unwrap(),
            today,
            arg(4).parse().unwrap(),
        )
        .await;
        let settle = if pg {
            "VACUUM ANALYZE"
        } else {
            "PRAGMA wal_checkpoint(TRUNCATE)"
        };
        sqlx::query(settle).execute(&db).await.unwrap();
        db.close().await;
        return;
    }
    let mut out = Vec::new();
    let mut backends = vec![("sqlite", args.get(1).cloned().expect("sqlite dir"))];
    if let Some(pg) = args.get(2).filter(|s| !s.is_empty()) {
        backends.push(("postgresql", pg.clone()));
    }
    let windows: Vec<Window> = ZONES.iter().map(|z| window(today, z)).collect();
    for (backend, target) in backends {
        let mut dbs = Vec::new();
        for &size in &sizes {
            let db = fresh(backend, &target, size).await;
            let t = Instant::now();
            generate(&db, backend != "sqlite", size, today, DAYS).await;
            // Time the steady state a live database reaches, not the moment after a bulk load.
            let settle = if backend == "sqlite" {
                // The app folds the WAL back into the database from a background task
                // (`db::spawn_checkpoints`), so no WAL holds the whole generated history.
                "PRAGMA wal_checkpoint(TRUNCATE)"
            } else {
                // A table that grows by webhooks keeps its planner statistics through
                // autovacuum; one just loaded with 10 million rows has none yet, and
                // autovacuum would be analysing it on the other core while we time.
                "VACUUM ANALYZE"
            };
            sqlx::query(settle).execute(&db).await.unwrap();
            eprintln!(
                "{backend}: {size} events generated in {:.1} s",
                t.elapsed().as_secs_f64()
            );
            dbs.push(db);
        }
        // Rounds in turn: each times every size and zone once, so a change in the machine's
        // load while the benchmark runs weighs on the small and the large database alike.
        let mut times = vec![vec![Vec::new(); ZONES.len()]; sizes.len()];
        for _ in 0..RUNS {
            for (i, db) in dbs.iter().enumerate() {
                for (j, w) in windows.iter().enumerate() {
                    times[i][j].push(report_ms(db, w).await);
                }
            }
        }
        let ms: Vec<Vec<f64>> = times
            .into_iter()
            .map(|per_zone| per_zone.into_iter().map(median).collect())
            .collect();
        for (db, size) in dbs.into_iter().zip(&sizes) {
            db.close().await;
            if backend != "sqlite" {
                // Ten million rows are 2 GB: do not leave them behind (FORCE: autovacuum may
                // still be connected to it).
                let admin = connect(&target).await.unwrap();
                sqlx::query(&format!(
                    "DROP DATABASE IF EXISTS bench_analytics_{size} WITH (FORCE)"
                ))
                .execute(&admin)
                .await
                .unwrap();
            }
        }
        let round = |v: f64| (v * 1000.0).round() / 1000.0;
        let (small, large) = (&ms[0], &ms[ms.len() - 1]);
        // The headline figures are for a zone with ragged days (India: +05:30); the others
        // are kept beside them.
        let mut o = json!({
            "backend": backend,
            "events_small": sizes[0],
            "events_large": sizes[sizes.len() - 1],
            "ms_small": round(small[0]),
            "ms_large": round(large[0]),
            "ratio": round(large[0] / small[0]),
            "zone": ZONES[0],
            "runs": RUNS,
            "range_days": DAYS,
            "rules": RULES,
        });
        for (i, zone) in ZONES.iter().enumerate().skip(1) {
            o[format!("{zone}_ms_small")] = json!(round(small[i]));
            o[format!("{zone}_ms_large")] = json!(round(large[i]));
        }
        out.push(o);
    }
    println!("{}", serde_json::to_string_pretty(&out).unwrap());
}
