//! The last rule draft each user sent from the editor without it being saved (`kept_drafts`):
//! one a save refused, or one sent to be replayed. A form post's answer is a redirect (with or
//! without JavaScript), which cannot carry the draft, so the editor it leads to reads it here
//! and shows what was typed next to the error, or next to the replay.
use super::db::{write, Db};
use super::dodo::Dodo;
use super::ids::now_ms;
use crate::domain::error::AppError;
use crate::domain::role::CurrentUser;
use crate::domain::rule::{Rule, RuleDraft};
use sqlx::Row;

/// How long a kept draft is offered back.
const KEEP_MS: i64 = 30 * 60 * 1000;

/// A save from the editor's form: the draft is kept when it is refused and forgotten once a
/// save succeeds. Keeping and forgetting are best effort: they never change the save's answer.
pub async fn save_form(
    db: &Db,
    dodo: &Dodo,
    actor: &CurrentUser,
    draft: RuleDraft,
) -> Result<Rule, AppError> {
    let sent = draft.clone();
    match super::rules::save(db, dodo, actor, draft).await {
        Ok(rule) => {
            let forget = sqlx::query("DELETE FROM kept_drafts WHERE user_id = $1");
            if let Err(e) = write(db, forget.bind(actor.id.clone())).await {
                tracing::warn!(error = %e, "kept draft not forgotten");
            }
            Ok(rule)
        }
        Err(refusal) => {
            if let Err(e) = keep(db, actor, &sent).await {
                tracing::warn!(error = %e.message, "refused draft not kept");
            }
            Err(refusal)
        }
    }
}

/// Keeps `draft` as the user's last one.
pub async fn keep(db: &Db, actor: &CurrentUser, draft: &RuleDraft) -> Result<(), AppError> {
    let json = serde_json::to_string(draft).map_err(|_| AppError::internal())?;
    let q = sqlx::query(
        "INSERT INTO kept_drafts (user_id, draft, kept_at) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id) DO UPDATE SET draft = excluded.draft, kept_at = excluded.kept_at",
    )
    .bind(actor.id.clone())
    .bind(json)
    .bind(now_ms());
    write(db, q).await?;
    Ok(())
}

/// The user's last kept draft, if it is recent.
pub async fn last(db: &Db, user_id: &str) -> Result<Option<RuleDraft>, AppError> {
    let row = sqlx::query("SELECT draft FROM kept_drafts WHERE user_id = $1 AND kept_at > $2")
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
    let q = sqlx::query("DELETE FROM kept_drafts WHERE kept_at < $1").bind(now - KEEP_MS);
    Ok(write(db, q).await?.rows_affected())
}
