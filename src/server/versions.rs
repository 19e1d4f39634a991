//! Versions of the upsell map (`domain::rule::versions`): each change to the map saves the
//! whole map in the same transaction as the change; rollback and import replace the map with
//! a saved one, guarded by the version the merchant was looking at (optimistic concurrency).
use super::audit;
use super::db::{begin_write, Db, WriteTx};
use super::dodo::Dodo;
use super::ids::{new_id, now_ms};
use super::rules::{from_row, COLUMNS};
use crate::domain::error::{AppError, ErrorCode, FieldError};
use crate::domain::role::CurrentUser;
use crate::domain::rule::chain::CHAIN_MAX;
use crate::domain::rule::versions::{diff, MapExport, RuleChange, VersionInfo};
use crate::domain::rule::{normalize, validate, Rule};
use sqlx::Row;

async fn rules_in(tx: &mut WriteTx) -> Result<Vec<Rule>, sqlx::Error> {
    sqlx::query(&format!(
        "SELECT {COLUMNS} FROM rules ORDER BY priority, name_key"
    ))
    .fetch_all(&mut **tx)
    .await?
    .iter()
    .map(from_row)
    .collect()
}

async fn latest_in(conn: &mut sqlx::AnyConnection) -> Result<i64, sqlx::Error> {
    sqlx::query("SELECT COALESCE(MAX(number), 0) AS n FROM map_versions")
        .fetch_one(&mut *conn)
        .await?
        .try_get("n")
}

/// Saves the map as it now stands in `tx` as the next version. Call it last, before commit.
pub async fn snapshot(
    tx: &mut WriteTx,
    actor: &CurrentUser,
    summary: &str,
) -> Result<i64, AppError> {
    if tx.is_postgres() {
        // Two changes committing at once must not both take the same number.
        sqlx::query("LOCK TABLE map_versions IN EXCLUSIVE MODE")
            .execute(&mut **tx)
            .await?;
    }
    let rules = rules_in(tx).await?;
    let number = latest_in(tx).await? + 1;
    let json = serde_json::to_string(&rules).map_err(|_| AppError::internal())?;
    sqlx::query("INSERT INTO map_versions (number, at, actor_email, summary, rules_json) VALUES ($1, $2, $3, $4, $5)")
        .bind(number)
        .bind(now_ms())
        .bind(&actor.email)
        .bind(summary)
        .bind(json)
        .execute(&mut **tx)
        .await?;
    Ok(number)
}

pub async fn list(db: &Db, limit: i64) -> Result<Vec<VersionInfo>, AppError> {
    let rows = sqlx::query(
        "SELECT number, at, actor_email, summary FROM map_versions ORDER BY number DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(VersionInfo {
                number: r.try_get("number")?,
                at: r.try_get("at")?,
                actor: r.try_get("actor_email")?,
                summary: r.try_get("summary")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(AppError::from)
}

fn no_version(number: i64) -> AppError {
    AppError::new(
        ErrorCode::NotFound,
        format!("There is no version {number} of the map. Pick one from the list of versions."),
    )
}

pub async fn get(db: &Db, number: i64) -> Result<Vec<Rule>, AppError> {
    let json: String = sqlx::query("SELECT rules_json FROM map_versions WHERE number = $1")
        .bind(number)
        .fetch_optional(db)
        .await?
        .ok_or_else(|| no_version(number))?
        .try_get("rules_json")?;
    serde_json::from_str(&json).map_err(|_| AppError::internal())
}

/// The latest version and its rules (the live map).
pub async fn export(db: &Db) -> Result<MapExport, AppError> {
    let mut conn = db.acquire().await?;
    let version = latest_in(&mut conn).await?;
    drop(conn);
    Ok(MapExport {
        version,
        rules: super::rules::list(db).await?,
    })
}

/// Changes from version `from` to version `to` (0 or absent: the live map).
pub async fn compare(db: &Db, from: i64, to: Option<i64>) -> Result<Vec<RuleChange>, AppError> {
    let before = get(db, from).await?;
    let after = match to {
        Some(n) if n > 0 => get(db, n).await?,
        _ => super::rules::list(db).await?,
    };
    Ok(diff(&before, &after))
}

fn moved_on(latest: i64) -> AppError {
    AppError::new(
        ErrorCode::Conflict,
        format!(
            "The map changed since you looked at it (it is now at version {latest}). Reload the page, \
             check the versions again, and repeat."
        ),
    )
}

/// Replaces the live map with `rules` in one transaction: each rule keeps its id (offers and
/// analytics still point to it), its version moves past any an open editor holds.
async fn replace(
    db: &Db,
    actor: &CurrentUser,
    expected_latest: i64,
    rules: Vec<Rule>,
    action: &str,
    summary: &str,
) -> Result<i64, AppError> {
    let mut tx = begin_write(db).await?;
    let latest = latest_in(&mut tx).await?;
    if latest != expected_latest {
        return Err(moved_on(latest));
    }
    let before = rules_in(&mut tx).await?;
    sqlx::query("DELETE FROM rules").execute(&mut *tx).await?;
    let now = now_ms();
    let mut restored = Vec::with_capacity(rules.len());
    for (i, mut r) in rules.into_iter().enumerate() {
        let old = before
            .iter()
            .find(|b| b.id == r.id)
            .map_or(0, |b| b.version);
        r.version = old.max(r.version) + 1;
        r.priority = i as i64 + 1;
        r.updated_at = now;
        restored.push(r);
    }
    for r in &restored {
        super::rules::insert(&mut tx, r).await?;
    }
    audit::record(
        &mut tx,
        actor,
        "map",
        &new_id("map"),
        action,
        Some(&before),
        Some(&restored),
    )
    .await?;
    let number = snapshot(&mut tx, actor, summary).await?;
    tx.commit().await?;
    tracing::info!(version = number, action, "map replaced");
    Ok(number)
}

/// Restores version `number` exactly (its rules, their order and settings).
pub async fn rollback(
    db: &Db,
    actor: &CurrentUser,
    number: i64,
    expected_latest: i64,
) -> Result<i64, AppError> {
    let rules = get(db, number).await?;
    replace(
        db,
        actor,
        expected_latest,
        rules,
        "rollback",
        &format!("Rolled back to version {number}"),
    )
    .await
}

/// Reads and checks an exported map: every rule must pass the editor's validation against
/// the live catalogue and the rest of the imported map (names, chains and their loops).
pub async fn check_import(dodo: &Dodo, json: &str) -> Result<MapExport, AppError> {
    let mut map: MapExport = serde_json::from_str(json).map_err(|e| {
        AppError::validation(vec![FieldError::new(
            "json",
            "json",
            format!("This is not an exported upsell map ({e}). Export one from this page and edit that."),
        )])
    })?;
    let products = dodo.products().await?;
    let mut errs = Vec::new();
    let mut seen = std::collections::HashSet::new();
    // Stored as the editor would save them: a follower's trigger comes from its parent,
    // whatever the file said (parents first: a chain is at most `CHAIN_MAX` long).
    for _ in 0..CHAIN_MAX {
        for i in 0..map.rules.len() {
            let d = normalize(map.rules[i].to_draft(), &map.rules);
            let r = &mut map.rules[i];
            r.trigger_product_id = d.trigger_product_id;
            r.parent_rule_id = d.parent_rule_id;
            r.targeting = d.targeting;
        }
    }
    for r in &map.rules {
        if r.id.trim().is_empty() || !seen.insert(r.id.clone()) {
            errs.push(FieldError::new(
                "json",
                "rule_id",
                format!("Rule \"{}\": every rule needs its own id.", r.name),
            ));
        }
        let d = normalize(r.to_draft(), &map.rules);
        for e in validate(&d, &products, &map.rules) {
            errs.push(FieldError::new(
                "json",
                &e.code,
                format!("Rule \"{}\", {}: {}", r.name, e.field, e.message),
            ));
        }
    }
    if errs.is_empty() {
        Ok(map)
    } else {
        Err(AppError::validation(errs))
    }
}

/// Applies an exported map after `check_import`.
pub async fn import(
    db: &Db,
    dodo: &Dodo,
    actor: &CurrentUser,
    json: &str,
    expected_latest: i64,
) -> Result<i64, AppError> {
    let map = check_import(dodo, json).await?;
    replace(
        db,
        actor,
        expected_latest,
        map.rules,
        "import",
        "Imported a map",
    )
    .await
}

/// A checked import waits here (keyed by a token, for the user who checked it) until it is
/// applied, so a plain form can show the changes on one page and apply them from the next.
/// Kept in `settings`; a staged import older than an hour is refused.
const STAGE_TTL_MS: i64 = 3_600_000;

#[derive(serde::Serialize, serde::Deserialize)]
struct Staged {
    token: String,
    at: i64,
    json: String,
}

/// One staged import per user: a new check replaces the last.
fn stage_key(actor: &CurrentUser) -> String {
    format!("import:{}", actor.id)
}

pub async fn stage_import(
    db: &Db,
    dodo: &Dodo,
    actor: &CurrentUser,
    json: &str,
) -> Result<String, AppError> {
    check_import(dodo, json).await?;
    let staged = Staged {
        token: new_id("imp"),
        at: now_ms(),
        json: json.to_string(),
    };
    let value = serde_json::to_string(&staged).map_err(|_| AppError::internal())?;
    super::db::write(
        db,
        sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = $2")
            .bind(stage_key(actor))
            .bind(value),
    )
    .await?;
    Ok(staged.token)
}

async fn staged(db: &Db, actor: &CurrentUser, token: &str) -> Result<String, AppError> {
    let gone = || {
        AppError::new(
            ErrorCode::NotFound,
            "This import is no longer waiting (it was applied, replaced, or is over an hour old). Paste the map again.",
        )
    };
    let text: String = sqlx::query("SELECT value FROM settings WHERE key = $1")
        .bind(stage_key(actor))
        .fetch_optional(db)
        .await?
        .ok_or_else(gone)?
        .try_get("value")?;
    let s: Staged = serde_json::from_str(&text).map_err(|_| gone())?;
    if s.token != token || now_ms() - s.at > STAGE_TTL_MS {
        return Err(gone());
    }
    Ok(s.json)
}

/// The live map's version and what the staged import would change in it.
pub async fn staged_changes(
    db: &Db,
    actor: &CurrentUser,
    token: &str,
) -> Result<(i64, Vec<RuleChange>), AppError> {
    let json = staged(db, actor, token).await?;
    let map: MapExport = serde_json::from_str(&json).map_err(|_| AppError::internal())?;
    let live = export(db).await?;
    Ok((live.version, diff(&live.rules, &map.rules)))
}

pub async fn apply_staged(
    db: &Db,
    dodo: &Dodo,
    actor: &CurrentUser,
    token: &str,
    expected_latest: i64,
) -> Result<i64, AppError> {
    let json = staged(db, actor, token).await?;
    let v = import(db, dodo, actor, &json, expected_latest).await?;
    super::db::write(
        db,
        sqlx::query("DELETE FROM settings WHERE key = $1").bind(stage_key(actor)),
    )
    .await?;
    Ok(v)
}
