//! The `plan_changes` table: rows, compare-and-set moves, and their audit lines.
use crate::domain::proration::ProrationMode;
use crate::domain::subscription::{
    ChangeState, EffectiveAt, ModeQuote, OnPaymentFailure, PlanChangeView, ReasonCode,
};
use crate::server::ids::now_ms;
use sqlx::any::AnyRow;
use sqlx::{Any, Row};

pub use crate::server::db::WriteTx as Tx;

pub const COLUMNS: &str = "id, subscription_id, customer_id, from_product_id, from_product_name, from_quantity, \
    from_amount, to_product_id, to_product_name, to_quantity, to_amount, currency, effective_at, on_payment_failure, \
    quotes, mode, previewed_amount, previewed_credit, charged_amount, payment_id, state, reason_code, reason_note, \
    requested_by_id, requested_by, approved_by, executed_by, failure_code, failure_message, on_hold, created_at, \
    updated_at, executed_at, settled_at";

/// A row with what the view leaves out.
pub struct Change {
    pub view: PlanChangeView,
    pub from_product_id: String,
    pub to_product_id: String,
    pub quotes: Vec<ModeQuote>,
    pub requested_by_id: String,
    pub from_amount: i64,
    pub to_amount: i64,
}

pub fn from_row(r: &AnyRow) -> Result<Change, sqlx::Error> {
    let bad = |what: &str| sqlx::Error::Decode(format!("unknown plan change {what}").into());
    let state: String = r.try_get("state")?;
    let effective: String = r.try_get("effective_at")?;
    let on_failure: String = r.try_get("on_payment_failure")?;
    let mode: Option<String> = r.try_get("mode")?;
    let reason: Option<String> = r.try_get("reason_code")?;
    let quotes: String = r.try_get("quotes")?;
    Ok(Change {
        from_product_id: r.try_get("from_product_id")?,
        to_product_id: r.try_get("to_product_id")?,
        quotes: serde_json::from_str(&quotes).map_err(|_| bad("quotes"))?,
        requested_by_id: r.try_get("requested_by_id")?,
        from_amount: r.try_get("from_amount")?,
        to_amount: r.try_get("to_amount")?,
        view: PlanChangeView {
            id: r.try_get("id")?,
            subscription_id: r.try_get("subscription_id")?,
            customer_id: r.try_get("customer_id")?,
            state: ChangeState::parse(&state).ok_or_else(|| bad("state"))?,
            from_product_name: r.try_get("from_product_name")?,
            from_quantity: r.try_get("from_quantity")?,
            to_product_name: r.try_get("to_product_name")?,
            to_quantity: r.try_get("to_quantity")?,
            mode: mode.as_deref().and_then(ProrationMode::parse),
            effective: EffectiveAt::parse(&effective).ok_or_else(|| bad("effective_at"))?,
            on_payment_failure: OnPaymentFailure::parse(&on_failure)
                .ok_or_else(|| bad("on_payment_failure"))?,
            currency: r.try_get("currency")?,
            previewed_amount: r.try_get("previewed_amount")?,
            previewed_credit: r.try_get("previewed_credit")?,
            charged_amount: r.try_get("charged_amount")?,
            payment_id: r.try_get("payment_id")?,
            reason_code: reason.as_deref().and_then(ReasonCode::parse),
            reason_note: r.try_get("reason_note")?,
            requested_by: r.try_get("requested_by")?,
            approved_by: r.try_get("approved_by")?,
            executed_by: r.try_get("executed_by")?,
            failure_code: r.try_get("failure_code")?,
            failure_message: r.try_get("failure_message")?,
            on_hold: r.try_get::<i64, _>("on_hold")? != 0,
            created_at: r.try_get("created_at")?,
            executed_at: r.try_get("executed_at")?,
            settled_at: r.try_get("settled_at")?,
        },
    })
}

pub async fn get<'e, E: sqlx::Executor<'e, Database = Any>>(
    exec: E,
    id: &str,
) -> Result<Option<Change>, sqlx::Error> {
    sqlx::query(&format!("SELECT {COLUMNS} FROM plan_changes WHERE id = $1"))
        .bind(id)
        .fetch_optional(exec)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

/// The change whose Dodo call returned `payment_id`.
pub async fn with_payment(
    tx: &mut Tx,
    subscription_id: &str,
    payment_id: &str,
) -> Result<Option<Change>, sqlx::Error> {
    sqlx::query(&format!(
        "SELECT {COLUMNS} FROM plan_changes WHERE subscription_id = $1 AND payment_id = $2 LIMIT 1"
    ))
    .bind(subscription_id)
    .bind(payment_id)
    .fetch_optional(&mut **tx)
    .await?
    .as_ref()
    .map(from_row)
    .transpose()
}

/// The newest change of a subscription in one of `states`.
pub async fn latest_in<'e, E: sqlx::Executor<'e, Database = Any>>(
    exec: E,
    subscription_id: &str,
    states: &[ChangeState],
) -> Result<Option<Change>, sqlx::Error> {
    let list = states
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    sqlx::query(&format!(
        "SELECT {COLUMNS} FROM plan_changes WHERE subscription_id = $1 AND state IN ({list}) \
         ORDER BY created_at DESC, id DESC LIMIT 1"
    ))
    .bind(subscription_id)
    .fetch_optional(exec)
    .await?
    .as_ref()
    .map(from_row)
    .transpose()
}

/// Moves `from → to` only if the change is still in `from`; true when this call made the move.
pub async fn transition(
    tx: &mut Tx,
    id: &str,
    from: ChangeState,
    to: ChangeState,
) -> Result<bool, sqlx::Error> {
    let settled = matches!(
        to,
        ChangeState::Applied | ChangeState::Failed | ChangeState::Cancelled
    )
    .then(now_ms);
    let n = sqlx::query(
        "UPDATE plan_changes SET state = $1, updated_at = $2, settled_at = COALESCE($3, settled_at) \
         WHERE id = $4 AND state = $5",
    )
    .bind(to.as_str())
    .bind(now_ms())
    .bind(settled)
    .bind(id)
    .bind(from.as_str())
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// An audit line in the caller's transaction (webhooks have no signed-in actor).
pub async fn audit(
    tx: &mut Tx,
    actor: (&str, &str),
    change_id: &str,
    action: &str,
    detail: serde_json::Value,
) -> Result<(), sqlx::Error> {
    let detail = Some(detail.to_string());
    crate::server::audit::record_as(tx, actor, "plan_change", change_id, action, None, detail).await
}

/// Who settles changes from Dodo's side.
pub const WEBHOOK: (&str, &str) = ("system", "Dodo Payments");
