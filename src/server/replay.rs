//! Replay a version of the map (or the live one) over the last 30 days of recorded purchases
//! (`domain::rule::replay`): four reads (purchases, who bought before, take rates, what the
//! live map did), then pure arithmetic.
use super::db::Db;
use super::dodo::Dodo;
use super::ids::now_ms;
use crate::domain::error::AppError;
use crate::domain::offer::OfferState;
use crate::domain::rule::replay::{replay, PastPurchase, ReplayResult, Taken};
use crate::domain::rule::{normalize, validate, ProductSummary, Rule, RuleDraft};
use sqlx::Row;
use std::collections::{HashMap, HashSet};

pub const WINDOW_DAYS: i64 = 30;
/// Take rates come from a longer window than the replay: more offers, a narrower interval.
const RATE_DAYS: i64 = 90;

/// `version` 0 (or none): the live map.
pub async fn run(db: &Db, dodo: &Dodo, version: i64) -> Result<ReplayResult, AppError> {
    let rules = if version > 0 {
        super::versions::get(db, version).await?
    } else {
        super::rules::list(db).await?
    };
    let products = dodo.products().await?;
    run_with(db, &rules, &products).await
}

/// The live map with one rule as the editor has it, unsaved: a new rule goes last in
/// priority, an edited one keeps its place. Validated as a save would be.
pub async fn run_draft(db: &Db, dodo: &Dodo, draft: RuleDraft) -> Result<ReplayResult, AppError> {
    let live = super::rules::list(db).await?;
    let products = dodo.products().await?;
    let d = normalize(draft, &live);
    let errs = validate(&d, &products, &live);
    if !errs.is_empty() {
        return Err(AppError::validation(errs));
    }
    let mut rule = super::rules::from_draft(&d);
    let stored =
        d.id.as_ref()
            .and_then(|id| live.iter().find(|r| &r.id == id));
    match stored {
        Some(r) => {
            rule.id = r.id.clone();
            rule.priority = r.priority;
        }
        None => {
            rule.id = DRAFT_ID.into();
            rule.priority = live.iter().map(|r| r.priority).max().unwrap_or(0) + 1;
        }
    }
    // In the map's order: an edited rule where it stands, a new one last.
    let mut map = live;
    match map.iter_mut().find(|r| r.id == rule.id) {
        Some(r) => *r = rule,
        None => map.push(rule),
    }
    run_with(db, &map, &products).await
}

/// The id a new, unsaved rule has in a replay.
pub const DRAFT_ID: &str = "draft";

/// The replay of `rules` with the catalogue given (what `make bench` times: every read and
/// the arithmetic; the catalogue is cached in memory by the server anyway).
pub async fn run_with(
    db: &Db,
    rules: &[Rule],
    products: &[ProductSummary],
) -> Result<ReplayResult, AppError> {
    let now = now_ms();
    let start = now - WINDOW_DAYS * 86_400_000;
    let rows = sqlx::query(
        "SELECT customer_id, products, total, currency, country, quantity, created_at FROM purchases \
         WHERE created_at >= $1 ORDER BY created_at, payment_id",
    )
    .bind(start)
    .fetch_all(db)
    .await?;
    let mut purchases = Vec::with_capacity(rows.len());
    for r in &rows {
        let list: String = r.try_get("products")?;
        purchases.push(PastPurchase {
            customer_id: r.try_get("customer_id")?,
            products: serde_json::from_str(&list).unwrap_or_default(),
            total: r.try_get("total")?,
            currency: r.try_get("currency")?,
            country: r.try_get("country")?,
            quantity: r.try_get("quantity")?,
            at_ms: r.try_get("created_at")?,
        });
    }
    let returning: HashSet<String> = sqlx::query(
        "SELECT DISTINCT customer_id FROM purchases WHERE created_at < $1 \
         AND customer_id IN (SELECT customer_id FROM purchases WHERE created_at >= $1)",
    )
    .bind(start)
    .fetch_all(db)
    .await?
    .iter()
    .map(|r| r.try_get("customer_id"))
    .collect::<Result<_, _>>()?;
    let mut taken: HashMap<String, Taken> = HashMap::new();
    for r in sqlx::query(
        "SELECT offer_product_id, COUNT(*) AS offers, \
         CAST(SUM(CASE WHEN state = $2 THEN 1 ELSE 0 END) AS BIGINT) AS paid, \
         CAST(SUM(CASE WHEN state = $3 THEN 1 ELSE 0 END) AS BIGINT) AS declined FROM offers \
         WHERE created_at >= $1 GROUP BY offer_product_id",
    )
    .bind(now - RATE_DAYS * 86_400_000)
    .bind(OfferState::Paid.as_str())
    .bind(OfferState::Declined.as_str())
    .fetch_all(db)
    .await?
    {
        taken.insert(
            r.try_get("offer_product_id")?,
            Taken {
                offers: r.try_get("offers")?,
                paid: r.try_get::<Option<i64>, _>("paid")?.unwrap_or(0),
                declined: r.try_get::<Option<i64>, _>("declined")?.unwrap_or(0),
            },
        );
    }
    let mut actual: HashMap<String, (i64, i64)> = HashMap::new();
    for r in sqlx::query(
        "SELECT rule_id, COUNT(*) AS offers, \
         CAST(SUM(CASE WHEN state = $2 THEN amount ELSE 0 END) AS BIGINT) AS revenue FROM offers \
         WHERE created_at >= $1 GROUP BY rule_id",
    )
    .bind(start)
    .bind(OfferState::Paid.as_str())
    .fetch_all(db)
    .await?
    {
        actual.insert(
            r.try_get("rule_id")?,
            (
                r.try_get("offers")?,
                r.try_get::<Option<i64>, _>("revenue")?.unwrap_or(0),
            ),
        );
    }
    Ok(replay(
        rules, products, &purchases, &returning, &taken, &actual,
    ))
}

/// Each rule's offers, paid offers and revenue over the replay window (the map picture).
pub async fn rule_stats(db: &Db) -> Result<Vec<crate::api::rules::RuleStats>, AppError> {
    let rows = sqlx::query(
        "SELECT rule_id, COUNT(*) AS offers, \
         CAST(SUM(CASE WHEN state = $2 THEN 1 ELSE 0 END) AS BIGINT) AS paid, \
         CAST(SUM(CASE WHEN state = $2 THEN amount ELSE 0 END) AS BIGINT) AS revenue \
         FROM offers WHERE created_at >= $1 GROUP BY rule_id",
    )
    .bind(now_ms() - WINDOW_DAYS * 86_400_000)
    .bind(OfferState::Paid.as_str())
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(crate::api::rules::RuleStats {
                rule_id: r.try_get("rule_id")?,
                offers: r.try_get("offers")?,
                paid: r.try_get::<Option<i64>, _>("paid")?.unwrap_or(0),
                revenue: r.try_get::<Option<i64>, _>("revenue")?.unwrap_or(0),
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(AppError::from)
}
