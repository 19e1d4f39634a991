//! Outcomes left open are settled without anyone looking: an offer still `charging`, or a plan
//! change still `executing`, after its webhooks were due (a lost response, a lost webhook) is
//! read back from Dodo every few seconds, by each instance (the settling is a compare-and-set,
//! so two instances settle it once). Nothing is ever re-sent to Dodo from here.
use super::dodo::READ_BACK_AFTER_MS;
use super::ids::now_ms;
use super::state::AppState;
use sqlx::Row;
use std::time::Duration;

const EVERY: Duration = Duration::from_secs(10);
/// Read-backs per round and kind: a backlog is worked off over rounds, never all at once.
const PER_ROUND: i64 = 50;

/// Settles what is overdue; returns how many it looked at.
pub async fn overdue(state: &AppState) -> Result<usize, sqlx::Error> {
    let before = now_ms() - READ_BACK_AFTER_MS;
    let offers = overdue_ids(
        state,
        "SELECT token AS id FROM offers WHERE state = 'charging' AND updated_at < $1 ORDER BY updated_at LIMIT $2",
        before,
    )
    .await?;
    let changes = overdue_ids(
        state,
        "SELECT id FROM plan_changes WHERE state = 'executing' AND executed_at < $1 ORDER BY executed_at LIMIT $2",
        before,
    )
    .await?;
    for token in &offers {
        if let Err(e) = super::offers::peek(state, token).await {
            tracing::info!(error = %e.message, "charging offer not settled yet");
        }
    }
    for id in &changes {
        if let Err(e) = super::subscriptions::view(state, id).await {
            tracing::info!(error = %e.message, plan_change_id = %id, "plan change not settled yet");
        }
    }
    Ok(offers.len() + changes.len())
}

async fn overdue_ids(state: &AppState, sql: &str, before: i64) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query(sql)
        .bind(before)
        .bind(PER_ROUND)
        .fetch_all(&state.db)
        .await?
        .iter()
        .map(|r| r.try_get("id"))
        .collect()
}

pub fn spawn(state: AppState) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(EVERY);
        loop {
            tick.tick().await;
            if let Err(e) = overdue(&state).await {
                tracing::warn!(error = %e, "reconciliation round failed");
            }
        }
    });
}
