//! The upsell map service: every change is validated against the live Dodo catalogue,
//! guarded by the rule's version (optimistic concurrency) and audited in the same transaction.
use super::audit;
use super::db::{begin_write, is_unique_violation, Db};
use super::dodo::Dodo;
use super::ids::{new_id, now_ms};
use super::schedule;
use crate::domain::error::{AppError, ErrorCode, FieldError};
use crate::domain::offer_action::CancelReason;
use crate::domain::proration::ProrationMode;
use crate::domain::role::CurrentUser;
use crate::domain::rule::{
    name_key, normalize, validate, Discount, Experiment, PlanTerms, Rule, RuleDraft, RuleKind,
    Timing,
};
use crate::domain::subscription::OnPaymentFailure;
use sqlx::any::AnyRow;
use sqlx::{Any, Row};

pub(super) const COLUMNS: &str = "id, version, name, kind, parent_rule_id, trigger_product_id, offer_product_id, \
    quantity, headline, value_prop, badge, timing, expiry_minutes, priority, enabled, created_at, updated_at, \
    variant_b_product_id, variant_b_headline, variant_b_weight, holdout_percent, proration_mode, \
    on_payment_failure, cancel_reason, free_days, targeting, discount_percent, discount_cycles";

pub(super) fn from_row(r: &AnyRow) -> Result<Rule, sqlx::Error> {
    let kind: String = r.try_get("kind")?;
    let timing: String = r.try_get("timing")?;
    let bad = |what: &str| sqlx::Error::Decode(format!("unknown rule {what}").into());
    Ok(Rule {
        id: r.try_get("id")?,
        version: r.try_get("version")?,
        name: r.try_get("name")?,
        kind: RuleKind::parse(&kind).ok_or_else(|| bad("kind"))?,
        parent_rule_id: r.try_get("parent_rule_id")?,
        trigger_product_id: r.try_get("trigger_product_id")?,
        offer_product_id: r.try_get("offer_product_id")?,
        quantity: r.try_get::<i64, _>("quantity")? as i32,
        headline: r.try_get("headline")?,
        value_prop: r.try_get("value_prop")?,
        badge: r.try_get("badge")?,
        timing: Timing::parse(&timing).ok_or_else(|| bad("timing"))?,
        expiry_minutes: r.try_get::<i64, _>("expiry_minutes")? as i32,
        priority: r.try_get("priority")?,
        enabled: r.try_get::<i64, _>("enabled")? != 0,
        experiment: Experiment {
            product_id: r
                .try_get::<Option<String>, _>("variant_b_product_id")?
                .unwrap_or_default(),
            headline: r
                .try_get::<Option<String>, _>("variant_b_headline")?
                .unwrap_or_default(),
            weight_b: r.try_get::<i64, _>("variant_b_weight")? as i32,
            holdout: r.try_get::<i64, _>("holdout_percent")? as i32,
        },
        terms: PlanTerms {
            proration_mode: ProrationMode::parse(&r.try_get::<String, _>("proration_mode")?)
                .ok_or_else(|| bad("proration mode"))?,
            on_payment_failure: OnPaymentFailure::parse(
                &r.try_get::<String, _>("on_payment_failure")?,
            )
            .ok_or_else(|| bad("on_payment_failure"))?,
            cancel_reason: r
                .try_get::<Option<String>, _>("cancel_reason")?
                .as_deref()
                .and_then(CancelReason::parse),
            free_days: r.try_get::<i64, _>("free_days")? as i32,
        },
        targeting: serde_json::from_str(&r.try_get::<String, _>("targeting")?)
            .map_err(|_| bad("targeting"))?,
        discount: Discount {
            percent: r.try_get::<i64, _>("discount_percent")? as i32,
            cycles: r.try_get::<i64, _>("discount_cycles")? as i32,
        },
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

/// The whole map in display order: priority first, then name.
pub async fn list(db: &Db) -> Result<Vec<Rule>, AppError> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM rules ORDER BY priority, name_key"
    ))
    .fetch_all(db)
    .await?;
    Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
}

async fn get_in(tx: &mut crate::server::db::WriteTx, id: &str) -> Result<Option<Rule>, AppError> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM rules WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(row.as_ref().map(from_row).transpose()?)
}

fn not_found() -> AppError {
    AppError::new(
        ErrorCode::NotFound,
        "This rule no longer exists (someone may have deleted it). Reload the page to see the current map.",
    )
}

fn changed_since() -> AppError {
    AppError::new(
        ErrorCode::Conflict,
        "This rule was changed by someone else since you opened it. Your edits are still in the form: \
         reload the latest version, compare, and save again.",
    )
}

/// Creates or updates a rule. Updates must carry the version the editor started from.
pub async fn save(
    db: &Db,
    dodo: &Dodo,
    actor: &CurrentUser,
    draft: RuleDraft,
) -> Result<Rule, AppError> {
    let rules = list(db).await?;
    let mut products = dodo.products().await?;
    let mut draft = normalize(draft, &rules);
    let schedule_errs = schedule::resolve(&mut draft.targeting.schedule);
    let mut errs = validate(&draft, &products, &rules);
    if errs.iter().any(|e| e.code == "product_missing") {
        // A product created in Dodo a moment ago may not be in our cache yet.
        dodo.refresh_products().await;
        products = dodo.products().await?;
        errs = validate(&draft, &products, &rules);
    }
    errs.extend(schedule_errs);
    if !errs.is_empty() {
        return Err(AppError::validation(errs));
    }
    let now = now_ms();
    let mut tx = begin_write(db).await?;
    let saved = match draft.id.take() {
        None => {
            let priority: i64 =
                sqlx::query("SELECT COALESCE(MAX(priority), 0) + 1 AS p FROM rules")
                    .fetch_one(&mut *tx)
                    .await?
                    .try_get("p")?;
            let rule = Rule {
                id: new_id("rul"),
                version: 1,
                priority,
                created_at: now,
                updated_at: now,
                ..from_draft(&draft)
            };
            map_unique(insert(&mut tx, &rule).await)?;
            audit::record(
                &mut tx,
                actor,
                "rule",
                &rule.id,
                "create",
                None,
                Some(&rule),
            )
            .await?;
            super::versions::snapshot(&mut tx, actor, &format!("Created \"{}\"", rule.name))
                .await?;
            rule
        }
        Some(id) => {
            let expected = draft.version.ok_or_else(|| {
                AppError::new(ErrorCode::BadRequest, "An edit must say which version of the rule it started from; reload and try again.")
            })?;
            let before = get_in(&mut tx, &id).await?.ok_or_else(not_found)?;
            if before.version != expected {
                return Err(changed_since());
            }
            let rule = Rule {
                id: id.clone(),
                version: expected + 1,
                priority: before.priority,
                created_at: before.created_at,
                updated_at: now,
                ..from_draft(&draft)
            };
            let res = sqlx::query(
                "UPDATE rules SET name = $1, name_key = $2, kind = $3, parent_rule_id = $4, trigger_product_id = $5, \
                 offer_product_id = $6, quantity = $7, headline = $8, value_prop = $9, badge = $10, timing = $11, \
                 expiry_minutes = $12, enabled = $13, version = $14, updated_at = $15, variant_b_product_id = $16, \
                 variant_b_headline = $17, variant_b_weight = $18, holdout_percent = $19, proration_mode = $20, \
                 on_payment_failure = $21, cancel_reason = $22, free_days = $23, targeting = $24, \
                 discount_percent = $25, discount_cycles = $26 WHERE id = $27 AND version = $28",
            )
            .bind(&rule.name)
            .bind(name_key(&rule.name))
            .bind(rule.kind.as_str())
            .bind(&rule.parent_rule_id)
            .bind(&rule.trigger_product_id)
            .bind(&rule.offer_product_id)
            .bind(rule.quantity as i64)
            .bind(&rule.headline)
            .bind(&rule.value_prop)
            .bind(&rule.badge)
            .bind(rule.timing.as_str())
            .bind(rule.expiry_minutes as i64)
            .bind(rule.enabled as i64)
            .bind(rule.version)
            .bind(now)
            .bind(non_empty(&rule.experiment.product_id))
            .bind(non_empty(&rule.experiment.headline))
            .bind(rule.experiment.weight_b as i64)
            .bind(rule.experiment.holdout as i64)
            .bind(rule.terms.proration_mode.as_str())
            .bind(rule.terms.on_payment_failure.as_str())
            .bind(rule.terms.cancel_reason.map(CancelReason::as_str))
            .bind(rule.terms.free_days as i64)
            .bind(targeting_json(&rule))
            .bind(rule.discount.percent as i64)
            .bind(rule.discount.cycles as i64)
            .bind(&id)
            .bind(expected)
            .execute(&mut *tx)
            .await;
            // The WHERE on version is the real guard: two saves racing past the read above
            // cannot both match it.
            if map_unique(res)?.rows_affected() == 0 {
                return Err(changed_since());
            }
            audit::record(
                &mut tx,
                actor,
                "rule",
                &id,
                "update",
                Some(&before),
                Some(&rule),
            )
            .await?;
            super::versions::snapshot(&mut tx, actor, &format!("Edited \"{}\"", rule.name)).await?;
            rule
        }
    };
    tx.commit().await?;
    tracing::info!(rule_id = %saved.id, version = saved.version, "rule saved");
    Ok(saved)
}

pub(super) fn from_draft(d: &RuleDraft) -> Rule {
    Rule {
        id: String::new(),
        version: 0,
        name: d.name.clone(),
        kind: d.kind,
        parent_rule_id: d.parent_rule_id.clone(),
        trigger_product_id: d.trigger_product_id.clone(),
        offer_product_id: d.offer_product_id.clone(),
        quantity: d.quantity,
        headline: d.headline.clone(),
        value_prop: d.value_prop.clone(),
        badge: Some(d.badge.clone()).filter(|b| !b.is_empty()),
        timing: d.timing,
        expiry_minutes: d.expiry_minutes,
        priority: 0,
        enabled: d.enabled,
        experiment: d.experiment.clone(),
        terms: d.terms.clone(),
        targeting: d.targeting.clone(),
        discount: d.discount,
        created_at: 0,
        updated_at: 0,
    }
}

/// Inserts a whole rule as it is (its id, version and priority included).
pub(super) async fn insert(
    tx: &mut crate::server::db::WriteTx,
    rule: &Rule,
) -> Result<(), sqlx::Error> {
    bind_all(
        sqlx::query(&format!(
            "INSERT INTO rules ({COLUMNS}, name_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29)"
        )),
        rule,
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn bind_all<'q>(
    q: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>,
    r: &'q Rule,
) -> sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>> {
    q.bind(&r.id)
        .bind(r.version)
        .bind(&r.name)
        .bind(r.kind.as_str())
        .bind(&r.parent_rule_id)
        .bind(&r.trigger_product_id)
        .bind(&r.offer_product_id)
        .bind(r.quantity as i64)
        .bind(&r.headline)
        .bind(&r.value_prop)
        .bind(&r.badge)
        .bind(r.timing.as_str())
        .bind(r.expiry_minutes as i64)
        .bind(r.priority)
        .bind(r.enabled as i64)
        .bind(r.created_at)
        .bind(r.updated_at)
        .bind(non_empty(&r.experiment.product_id))
        .bind(non_empty(&r.experiment.headline))
        .bind(r.experiment.weight_b as i64)
        .bind(r.experiment.holdout as i64)
        .bind(r.terms.proration_mode.as_str())
        .bind(r.terms.on_payment_failure.as_str())
        .bind(r.terms.cancel_reason.map(CancelReason::as_str))
        .bind(r.terms.free_days as i64)
        .bind(targeting_json(r))
        .bind(r.discount.percent as i64)
        .bind(r.discount.cycles as i64)
        .bind(name_key(&r.name))
}

fn targeting_json(r: &Rule) -> String {
    serde_json::to_string(&r.targeting).unwrap_or_else(|_| "{}".into())
}

fn non_empty(s: &str) -> Option<&str> {
    (!s.is_empty()).then_some(s)
}

fn map_unique<T>(res: Result<T, sqlx::Error>) -> Result<T, AppError> {
    res.map_err(|e| {
        if is_unique_violation(&e) {
            AppError::validation(vec![FieldError::new(
                "name",
                "name_taken",
                "Another rule already has this name; choose a different one.",
            )])
        } else {
            AppError::from(e)
        }
    })
}

/// Turns a rule on or off; also guarded by its version.
pub async fn set_enabled(
    db: &Db,
    actor: &CurrentUser,
    id: &str,
    version: i64,
    enabled: bool,
) -> Result<Rule, AppError> {
    let mut tx = begin_write(db).await?;
    let before = get_in(&mut tx, id).await?.ok_or_else(not_found)?;
    let res = sqlx::query("UPDATE rules SET enabled = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND version = $4")
        .bind(enabled as i64)
        .bind(now_ms())
        .bind(id)
        .bind(version)
        .execute(&mut *tx)
        .await?;
    if res.rows_affected() == 0 {
        return Err(changed_since());
    }
    let after = get_in(&mut tx, id).await?.ok_or_else(not_found)?;
    let action = if enabled { "enable" } else { "disable" };
    audit::record(
        &mut tx,
        actor,
        "rule",
        id,
        action,
        Some(&before),
        Some(&after),
    )
    .await?;
    let verb = if enabled {
        "Switched on"
    } else {
        "Switched off"
    };
    super::versions::snapshot(&mut tx, actor, &format!("{verb} \"{}\"", after.name)).await?;
    tx.commit().await?;
    Ok(after)
}

/// Deletes a rule the editor saw at `version`. A rule that another follows (a downsell or a
/// next offer) cannot go first.
pub async fn delete(db: &Db, actor: &CurrentUser, id: &str, version: i64) -> Result<(), AppError> {
    let mut tx = begin_write(db).await?;
    let before = get_in(&mut tx, id).await?.ok_or_else(not_found)?;
    let child: Option<String> = sqlx::query("SELECT name FROM rules WHERE parent_rule_id = $1")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| r.try_get("name"))
        .transpose()?;
    if let Some(child) = child {
        return Err(AppError::new(
            ErrorCode::Conflict,
            format!(
                "The rule \"{child}\" follows this rule's offer. Delete or re-attach it first."
            ),
        ));
    }
    let res = sqlx::query("DELETE FROM rules WHERE id = $1 AND version = $2")
        .bind(id)
        .bind(version)
        .execute(&mut *tx)
        .await?;
    if res.rows_affected() == 0 {
        return Err(changed_since());
    }
    audit::record(&mut tx, actor, "rule", id, "delete", Some(&before), None).await?;
    super::versions::snapshot(&mut tx, actor, &format!("Deleted \"{}\"", before.name)).await?;
    tx.commit().await?;
    Ok(())
}

/// Sets the order of the whole map. `ids` must be exactly the current rules: if someone added
/// or removed one meanwhile, the reorder is refused rather than guessed.
pub async fn reorder(db: &Db, actor: &CurrentUser, ids: &[String]) -> Result<Vec<Rule>, AppError> {
    set_order(db, actor, |current| {
        let mut a = current.to_vec();
        let mut b: Vec<&str> = ids.iter().map(String::as_str).collect();
        a.sort_unstable();
        b.sort_unstable();
        if a != b {
            return Err(AppError::new(
                ErrorCode::Conflict,
                "The list of rules changed since you loaded it. Reload the page and reorder again.",
            ));
        }
        Ok(ids.to_vec())
    })
    .await
}

/// Moves one rule a place up or down in the order as it is now (the list's arrows).
pub async fn move_one(
    db: &Db,
    actor: &CurrentUser,
    id: &str,
    up: bool,
) -> Result<Vec<Rule>, AppError> {
    set_order(db, actor, |current| {
        crate::domain::rule::moved(current, id, up).ok_or_else(not_found)
    })
    .await
}

/// Writes the order `order` makes of the current one (ids, top first), in one transaction,
/// with its audit line.
async fn set_order(
    db: &Db,
    actor: &CurrentUser,
    order: impl FnOnce(&[&str]) -> Result<Vec<String>, AppError>,
) -> Result<Vec<Rule>, AppError> {
    let mut tx = begin_write(db).await?;
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM rules ORDER BY priority, name_key"
    ))
    .fetch_all(&mut *tx)
    .await?;
    let current: Vec<Rule> = rows.iter().map(from_row).collect::<Result<_, _>>()?;
    let before: Vec<&str> = current.iter().map(|r| r.id.as_str()).collect();
    let ids = order(&before)?;
    let now = now_ms();
    for (i, id) in ids.iter().enumerate() {
        let old = current.iter().find(|r| &r.id == id).map(|r| r.priority);
        if old != Some(i as i64 + 1) {
            sqlx::query("UPDATE rules SET priority = $1, version = version + 1, updated_at = $2 WHERE id = $3")
                .bind(i as i64 + 1)
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
    }
    audit::record(
        &mut tx,
        actor,
        "rule",
        "*",
        "reorder",
        Some(&before),
        Some(&ids.iter().map(String::as_str).collect::<Vec<_>>()),
    )
    .await?;
    super::versions::snapshot(&mut tx, actor, "Changed the order").await?;
    tx.commit().await?;
    list(db).await
}
