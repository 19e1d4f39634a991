//! The rule draft a save refused, kept per user for a while (`refused_drafts`), so the editor
//! comes back with what was typed next to the error. The form post's answer is a redirect
//! (with or without JavaScript), which cannot carry the draft itself.
use super::db::{write, Db};
use super::dodo::Dodo;
use super::ids::now_ms;
use crate::domain::error::AppError;
use crate::domain::role::CurrentUser;
use crate::domain::rule::{Rule, RuleDraft};
use sqlx::Row;

/// How long a refused draft is offered back.
const KEEP_MS: i64 = 30 * 60 * 1000;

/// A save from the editor's form: the draft is kept when it is refused and forgotten once a
/// save succeeds. Keeping and forgetting are best effort: they never change the save's answer.
pub async fn save_form(
    db: &Db,
    dodo: &Dodo,
    actor: &CurrentUser,
    draft: RuleDraft,
) -> Result<Rule, AppError> {
    let kept = serde_json::to_string(&draft).unwrap_or_default();
    match super::rules::save(db, dodo, actor, draft).await {
        Ok(rule) => {
            let forget = sqlx::query("DELETE FROM refused_drafts WHERE user_id = $1");
            if let Err(e) = write(db, forget.bind(actor.id.clone())).await {
                tracing::warn!(error = %e, "refused draft not forgotten");
            }
            Ok(rule)
        }
        Err(refusal) => {
            let keep = sqlx::query(
                "INSERT INTO refused_drafts (user_id, draft, refused_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (user_id) DO UPDATE SET draft = excluded.draft, \
                 refused_at = excluded.refused_at",
            )
            .bind(actor.id.clone())
            .bind(kept)
            .bind(now_ms());
            if let Err(e) = write(db, keep).await {
                tracing::warn!(error = %e, "refused draft not kept");
            }
            Err(refusal)
        }
    }
}

/// The user's last refused draft, if it is recent.
pub async fn last(db: &Db, user_id: &str) -> Result<Option<RuleDraft>, AppError> {
    let row =
        sqlx::query("SELECT draft FROM refused_drafts WHERE user_id = $1 AND refused_at > $2")
            .bind(user_id.to_string())
            .bind(now_ms() - KEEP_MS)
            .fetch_optional(db)
            .await?;
    let Some(row) = row else { return Ok(None) };
    let json: String = row.try_get("draft")?;
    Ok(serde_json::from_str(&json).ok())
}

/// Drafts no longer offered back.
pub async fn purge(db: &Db, now: i64) -> Result<u64, AppError> {
    let q = sqlx::query("DELETE FROM refused_drafts WHERE refused_at < $1").bind(now - KEEP_MS);
    Ok(write(db, q).await?.rows_affected())
}
