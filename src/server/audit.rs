use super::db::Db;
use super::ids::{new_id, now_ms};
pub use crate::domain::audit::AuditEntry;
use crate::domain::error::AppError;
use crate::domain::role::CurrentUser;
use serde::Serialize;
use sqlx::Row;

/// Written inside the caller's transaction, so a change and its audit entry land together.
pub async fn record<T: Serialize>(
    tx: &mut crate::server::db::WriteTx,
    actor: &CurrentUser,
    entity: &str,
    entity_id: &str,
    action: &str,
    before: Option<&T>,
    after: Option<&T>,
) -> Result<(), AppError> {
    let to_json = |v: Option<&T>| v.and_then(|v| serde_json::to_string(v).ok());
    let actor = (actor.id.as_str(), actor.email.as_str());
    let (before, after) = (to_json(before), to_json(after));
    record_as(tx, actor, entity, entity_id, action, before, after).await?;
    Ok(())
}

/// The one insert into the audit log; `actor` is (id, email), so work done for Dodo's
/// webhooks (no signed-in person) is audited the same way.
pub async fn record_as(
    tx: &mut crate::server::db::WriteTx,
    actor: (&str, &str),
    entity: &str,
    entity_id: &str,
    action: &str,
    before_json: Option<String>,
    after_json: Option<String>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_log (id, at, actor_id, actor_email, entity, entity_id, action, before_json, after_json) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(new_id("aud"))
    .bind(now_ms())
    .bind(actor.0)
    .bind(actor.1)
    .bind(entity)
    .bind(entity_id)
    .bind(action)
    .bind(before_json)
    .bind(after_json)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn recent(db: &Db, entity: &str, limit: i64) -> Result<Vec<AuditEntry>, AppError> {
    let rows = sqlx::query(
        "SELECT id, at, actor_email, entity, entity_id, action, before_json, after_json \
         FROM audit_log WHERE entity = $1 ORDER BY at DESC, id DESC LIMIT $2",
    )
    .bind(entity)
    .bind(limit)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(AuditEntry {
                id: r.try_get("id")?,
                at: r.try_get("at")?,
                actor_email: r.try_get("actor_email")?,
                entity: r.try_get("entity")?,
                entity_id: r.try_get("entity_id")?,
                action: r.try_get("action")?,
                before_json: r.try_get("before_json")?,
                after_json: r.try_get("after_json")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(AppError::from)
}

/// Writes one settings value (JSON) and its audit line, in the caller's transaction.
pub async fn put_setting<T: Serialize>(
    tx: &mut crate::server::db::WriteTx,
    actor: &CurrentUser,
    key: &str,
    before: &T,
    after: &T,
) -> Result<(), AppError> {
    let text = serde_json::to_string(after).map_err(|_| AppError::internal())?;
    sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = $2")
        .bind(key)
        .bind(&text)
        .execute(&mut **tx)
        .await?;
    record(
        tx,
        actor,
        "settings",
        key,
        "update",
        Some(before),
        Some(after),
    )
    .await
}
