//! The analytics service: the report (from rollups only, so its cost does not grow with the
//! number of events), the drill-down and the CSV export.
use super::api_v1::ApiFailure;
use super::db::Db;
use super::ids::now_ms;
use super::state::AppState;
use super::{auth, rollups, rules};
use crate::domain::analytics::saves::{save_rows, SaveCount, SaveRow};
use crate::domain::analytics::{
    build_report, csv_records, Filters, RecentOffer, Report, RuleInfo, Variant, Window,
};
use crate::domain::analytics::{day_of, DAY_MS};
use crate::domain::error::{AppError, ErrorCode, FieldError};
use crate::domain::rule::ProductSummary;
use crate::domain::time::format_date;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use sqlx::Row;
use std::sync::Arc;

/// The browser's last reported time zone (set by the analytics page), used when the query
/// names none.
pub const TZ_COOKIE: &str = "tz";

fn invalid(field: &'static str, message: String) -> AppError {
    AppError {
        code: ErrorCode::Validation,
        message: message.clone(),
        fields: vec![FieldError::new(field, "invalid", message)],
    }
}

/// The zone to report in: the query's (an unknown name is a 422), else the cookie's (an
/// unknown one is ignored), else UTC.
fn zone(f: &Filters, cookie: Option<&str>) -> Result<(String, TimeZone), AppError> {
    if !f.tz.is_empty() {
        return TimeZone::get(&f.tz).map(|tz| (f.tz.clone(), tz)).map_err(|_| {
            invalid(
                "tz",
                format!("Unknown time zone \"{}\": use a name such as Europe/Berlin, or clear it for UTC.", f.tz),
            )
        });
    }
    let named = cookie
        .filter(|c| c.len() <= 64)
        .and_then(|c| TimeZone::get(c).ok().map(|tz| (c.to_string(), tz)));
    Ok(named.unwrap_or_else(|| ("UTC".to_string(), TimeZone::UTC)))
}

/// Today's day number in `tz`.
fn today_in(tz: &TimeZone) -> i64 {
    let now = now_ms();
    let offset = Timestamp::from_millisecond(now)
        .map(|t| i64::from(tz.to_offset(t).seconds()) * 1000)
        .unwrap_or(0);
    day_of(now + offset)
}

/// Local midnight of `day` in `tz`, as UTC ms (the first instant of the day where midnight
/// itself is skipped by a clock change).
fn midnight(tz: &TimeZone, day: i64) -> i64 {
    Date::new(1970, 1, 1)
        .ok()
        .and_then(|epoch| epoch.checked_add(day.days()).ok())
        .and_then(|d| d.to_zoned(tz.clone()).ok())
        .map_or(day * DAY_MS, |z| z.timestamp().as_millisecond())
}

/// The query checked, or a 422 naming the field to fix. No dates at all means the last 30
/// days, the page's default; days run midnight to midnight in the viewer's zone.
pub fn check(f: &Filters, cookie_tz: Option<&str>) -> Result<Window, AppError> {
    let mut f = f.clone();
    let (name, tz) = zone(&f, cookie_tz)?;
    if f.from.is_empty() && f.to.is_empty() {
        let today = today_in(&tz);
        f.from = format_date(today - 29);
        f.to = format_date(today);
    }
    let w = f
        .check()
        .map_err(|(field, message)| invalid(field, message))?;
    // The days' midnights are worked out only when the report is computed (`with_days`):
    // 366 zone conversions are most of a cached report's cost.
    Ok(Window {
        zone: name,
        starts: Vec::new(),
        ..w
    })
}

/// `w` with the local midnight of each of its days (as it is if it has them).
pub fn with_days(w: &Window) -> Window {
    if !w.starts.is_empty() {
        return w.clone();
    }
    let tz = TimeZone::get(&w.zone).unwrap_or(TimeZone::UTC);
    w.clone().in_zone(&w.zone.clone(), |day| midnight(&tz, day))
}

/// How long a computed report may be served again while this process wrote nothing: it
/// bounds what another instance's writes can leave unseen.
const REPORT_TTL: std::time::Duration = std::time::Duration::from_secs(5);
const REPORTS_KEPT: usize = 64;

type Reports = std::collections::HashMap<String, (u64, std::time::Instant, Arc<Report>)>;

/// Reports computed a moment ago, by database and window: an analyst's refresh, or several
/// analysts on one range, cost one computation. Any write transaction of this process (a
/// webhook, an accept, a rule edit) starts a new generation and so a fresh computation.
fn reports() -> &'static std::sync::Mutex<Reports> {
    static REPORTS: std::sync::OnceLock<std::sync::Mutex<Reports>> = std::sync::OnceLock::new();
    REPORTS.get_or_init(Default::default)
}

fn computing(key: &str) -> Arc<tokio::sync::Mutex<()>> {
    static TURNS: std::sync::OnceLock<
        std::sync::Mutex<std::collections::HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    > = std::sync::OnceLock::new();
    let mut turns = TURNS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if turns.len() >= REPORTS_KEPT {
        // Only turns nobody holds or waits for can go.
        turns.retain(|_, t| Arc::strong_count(t) > 1);
    }
    turns.entry(key.to_string()).or_default().clone()
}

/// Shared, not copied: a year's report is tens of kilobytes, and under load most requests
/// are served from here.
pub async fn report(state: &AppState, w: &Window) -> Result<Arc<Report>, AppError> {
    let key = format!("{}|{w:?}", state.db.connect_options().database_url);
    let generation = super::db::write_generation();
    let fresh = |key: &str| {
        let kept = reports().lock().unwrap_or_else(|e| e.into_inner());
        kept.get(key)
            .filter(|(g, at, _)| *g == generation && at.elapsed() < REPORT_TTL)
            .map(|(_, _, r)| r.clone())
    };
    if let Some(r) = fresh(&key) {
        return Ok(r);
    }
    // One computation per report at a time: when a report expires under load, the requests
    // that find it stale wait for the one computing it instead of all computing it at once
    // (64 at once put half-second tails on the page).
    let _turn = computing(&key).lock_owned().await;
    if let Some(r) = fresh(&key) {
        return Ok(r);
    }
    let mut report = compute(state, w).await?;
    static STAMPS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    report.stamp = STAMPS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut kept = reports().lock().unwrap_or_else(|e| e.into_inner());
    if kept.len() >= REPORTS_KEPT {
        kept.clear();
    }
    // Stamped with the generation read before computing: a write meanwhile makes it stale.
    let report = Arc::new(report);
    kept.insert(key, (generation, std::time::Instant::now(), report.clone()));
    Ok(report)
}

async fn compute(state: &AppState, w: &Window) -> Result<Report, AppError> {
    let w = &with_days(w);
    // The catalogue only names products; the report stands without it.
    let products = state
        .dodo
        .products()
        .await
        .map(|p| p.to_vec())
        .unwrap_or_default();
    let mut report = report_on(&state.db, &products, w).await?;
    report.saves = saves(&state.db, w).await?;
    Ok(report)
}

/// Cancel requests in the range by reason: offered, held out, saved, cancelled, and the
/// recurring revenue the saves kept (one query; few rows: reasons × currencies).
async fn saves(db: &Db, w: &Window) -> Result<Vec<SaveRow>, AppError> {
    let (Some(start), Some(end)) = (w.starts.first(), w.starts.last()) else {
        return Ok(Vec::new());
    };
    let rows = sqlx::query(
        "SELECT c.reason, o.currency, CAST(COUNT(*) AS BIGINT) AS requests, \
         CAST(SUM(CASE WHEN c.offer_id IS NULL THEN 0 ELSE 1 END) AS BIGINT) AS offered, \
         CAST(SUM(CASE WHEN EXISTS (SELECT 1 FROM holdouts h WHERE h.trigger_payment_id = c.id) THEN 1 ELSE 0 END) AS BIGINT) AS held_out, \
         CAST(SUM(CASE WHEN c.state = 'saved' THEN 1 ELSE 0 END) AS BIGINT) AS saved, \
         CAST(SUM(CASE WHEN c.state = 'cancelled' THEN 1 ELSE 0 END) AS BIGINT) AS cancelled, \
         CAST(SUM(CASE WHEN c.state = 'saved' THEN COALESCE(o.recurring_amount, 0) ELSE 0 END) AS BIGINT) AS retained \
         FROM cancellations c LEFT JOIN offers o ON o.id = c.offer_id \
         WHERE c.created_at >= $1 AND c.created_at < $2 GROUP BY c.reason, o.currency",
    )
    .bind(*start)
    .bind(*end)
    .fetch_all(db)
    .await?;
    let int = |r: &sqlx::any::AnyRow, k: &str| -> Result<i64, sqlx::Error> {
        r.try_get::<Option<i64>, _>(k)
            .map(Option::unwrap_or_default)
    };
    let counts = rows
        .iter()
        .map(|r| {
            Ok(SaveCount {
                reason: r.try_get("reason")?,
                currency: r.try_get("currency")?,
                requests: int(r, "requests")?,
                offered: int(r, "offered")?,
                held_out: int(r, "held_out")?,
                saved: int(r, "saved")?,
                cancelled: int(r, "cancelled")?,
                retained: int(r, "retained")?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(save_rows(counts))
}

/// The report from the database alone (the benchmark times exactly this).
pub async fn report_on(
    db: &Db,
    products: &[ProductSummary],
    w: &Window,
) -> Result<Report, AppError> {
    let rules = rule_infos(db).await?;
    let w = &with_days(w);
    let data = rollups::load_range(db, w, w.rule_ids(&rules).as_deref()).await?;
    let today = today_in(&TimeZone::get(&w.zone).unwrap_or(TimeZone::UTC));
    Ok(build_report(w, today, &rules, products, &data))
}

/// The rules as the report needs them.
pub async fn rule_infos(db: &Db) -> Result<Vec<RuleInfo>, AppError> {
    Ok(rules::list(db)
        .await?
        .into_iter()
        .map(|r| RuleInfo {
            experiment: r.experiment.is_running(),
            id: r.id,
            name: r.name,
            kind: Some(r.kind),
            trigger_product_id: r.trigger_product_id,
            offer_product_id: r.offer_product_id,
        })
        .collect())
}

/// The rule's newest offers, newest first.
pub async fn recent(state: &AppState, rule_id: &str) -> Result<Vec<RecentOffer>, AppError> {
    let rows = sqlx::query(
        "SELECT customer_id, created_at, variant, state, amount, currency, failure_code FROM offers \
         WHERE rule_id = $1 ORDER BY created_at DESC LIMIT 50",
    )
    .bind(rule_id)
    .fetch_all(&state.db)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(RecentOffer {
                customer_id: r.try_get("customer_id")?,
                created_at: r.try_get("created_at")?,
                variant: Variant::parse(&r.try_get::<String, _>("variant")?).unwrap_or(Variant::A),
                outcome: r.try_get("state")?,
                amount: r.try_get("amount")?,
                currency: r.try_get("currency")?,
                failure_code: r.try_get("failure_code")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(AppError::from)
}

/// `GET /analytics/export.csv?from=…&to=…&…`: the table as the page shows it, as a file.
/// A plain route (not a server function) so the browser can download it with a link.
pub async fn export_csv(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(filters): Query<Filters>,
) -> Result<Response, ApiFailure> {
    let token = auth::session_token(&headers).ok_or_else(AppError::unauthenticated)?;
    let user = auth::user_for_token(&state.db, &token)
        .await?
        .ok_or_else(AppError::unauthenticated)?;
    if !user.role.can_read_analytics() {
        return Err(AppError::forbidden().into());
    }
    let w = check(&filters, auth::cookie_value(&headers, TZ_COOKIE).as_deref())?;
    let report = report(&state, &w).await?;
    let mut out = csv::Writer::from_writer(Vec::new());
    for record in csv_records(&report) {
        out.write_record(&record)
            .map_err(|_| AppError::internal())?;
    }
    let body = out.into_inner().map_err(|_| AppError::internal())?;
    let name = format!("offers_{}_{}.csv", report.from, report.to);
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        body,
    )
        .into_response())
}
