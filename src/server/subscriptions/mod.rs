//! The support console's service: find subscriptions, preview a plan change under every
//! proration mode, execute it exactly once (compare-and-set, no automatic retry, settled by
//! webhooks or read-back), the approval guardrail, cancelling, and the history.
mod dodo;
mod offers;
pub mod settle;
mod store;
mod views;

pub use self::dodo::PlanCall;
pub use self::views::ms;

use self::store::{audit, Change, COLUMNS};
use super::db::{begin_write, is_unique_violation, Db};
use super::ids::{new_id, now_ms};
use super::state::AppState;
use crate::domain::error::{AppError, ErrorCode, FieldError};
use crate::domain::money::format_money;
use crate::domain::proration::ProrationMode;
use crate::domain::role::CurrentUser;
use crate::domain::rule::ProductSummary;
use crate::domain::subscription::{
    approval_size, needs_approval, parse_lookup, ChangeState, CustomerView, EffectiveAt, LineItem,
    Lookup, ModeQuote, OnPaymentFailure, PlanChangeView, PreviewView, ReasonCode,
};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Prorated amounts move with the clock: a preview older than this is not executed.
const PREVIEW_TTL_MS: i64 = 30 * 60_000;
const THRESHOLD_KEY: &str = "plan_change_threshold";

fn actor(u: &CurrentUser) -> (&str, &str) {
    (&u.id, &u.email)
}

// --- Finding ------------------------------------------------------------------------------

async fn customer_view(
    state: &AppState,
    customer: &Value,
    products: &[ProductSummary],
) -> Result<Option<CustomerView>, AppError> {
    use chrono::Datelike;
    let Some(id) = customer.get("customer_id").and_then(Value::as_str) else {
        return Ok(None);
    };
    let (subs, methods) = tokio::join!(
        state.dodo.subscriptions_of(id),
        state.dodo.payment_methods_raw(id)
    );
    let subscriptions: Vec<_> = subs?
        .iter()
        .filter_map(|s| views::subscription(s, products))
        .collect();
    let renewal: Vec<String> = subscriptions
        .iter()
        .filter_map(|s| s.payment_method_id.clone())
        .collect();
    let now = chrono::Utc::now();
    let text = |k: &str| {
        customer
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    Ok(Some(CustomerView {
        id: id.to_string(),
        name: text("name"),
        email: text("email"),
        methods: methods?
            .iter()
            .filter_map(|m| views::method(m, (now.year(), now.month()), &renewal))
            .collect(),
        subscriptions,
        offers: Vec::new(),
    }))
}

/// Customers matching a subscription id, a customer id or an email, with their subscriptions
/// saved methods and offers. Unknown ids find nothing (not an error).
pub async fn find(state: &AppState, q: &str) -> Result<Vec<CustomerView>, AppError> {
    let Some(lookup) = parse_lookup(q) else {
        return Err(AppError::validation(vec![FieldError::new(
            "q",
            "lookup_invalid",
            "Enter a subscription id (sub_…), a customer id (cus_…) or the customer's email address.",
        )]));
    };
    let missing = |e: AppError| {
        if e.code == ErrorCode::NotFound {
            Ok(Vec::new())
        } else {
            Err(e)
        }
    };
    let customers = match lookup {
        Lookup::Email(email) => state.dodo.customers_by_email(&email).await?,
        Lookup::Customer(id) => match state.dodo.customer(&id).await {
            Ok(c) => vec![c],
            Err(e) => missing(e)?,
        },
        Lookup::Subscription(id) => match state.dodo.subscription(&id).await {
            Ok(s) => match s.pointer("/customer/customer_id").and_then(Value::as_str) {
                Some(cid) => vec![state.dodo.customer(cid).await?],
                None => Vec::new(),
            },
            Err(e) => missing(e)?,
        },
    };
    let products = state.dodo.products().await?;
    let mut out = Vec::new();
    for c in customers.iter().take(10) {
        if let Some(v) = customer_view(state, c, &products).await? {
            out.push(v);
        }
    }
    offers::attach(&state.db, &mut out, &products).await?;
    Ok(out)
}

// --- Thresholds ---------------------------------------------------------------------------

/// The merchant's guardrail per currency (minor units); a currency without one has none.
pub async fn thresholds<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    exec: E,
) -> Result<BTreeMap<String, i64>, AppError> {
    let v: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
        .bind(THRESHOLD_KEY)
        .fetch_optional(exec)
        .await?;
    Ok(v.and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_default())
}

pub async fn set_threshold(
    db: &Db,
    user: &CurrentUser,
    currency: &str,
    amount: Option<i64>,
) -> Result<BTreeMap<String, i64>, AppError> {
    let currency = currency.trim().to_uppercase();
    let mut errs = Vec::new();
    if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
        errs.push(FieldError::new(
            "currency",
            "currency_invalid",
            "Pick a currency (a three-letter ISO code such as USD).",
        ));
    }
    if amount.is_some_and(|a| !(0..=1_000_000_000_000).contains(&a)) {
        errs.push(FieldError::new(
            "amount",
            "amount_range",
            "Enter an amount of zero or more (leave it empty for no limit).",
        ));
    }
    if !errs.is_empty() {
        return Err(AppError::validation(errs));
    }
    let mut tx = begin_write(db).await?;
    let before = thresholds(&mut *tx).await?;
    let mut after = before.clone();
    match amount {
        Some(a) => after.insert(currency, a),
        None => after.remove(&currency),
    };
    super::audit::put_setting(&mut tx, user, THRESHOLD_KEY, &before, &after).await?;
    tx.commit().await?;
    Ok(after)
}

// --- Preview ------------------------------------------------------------------------------

pub struct PreviewInput {
    pub subscription_id: String,
    pub product_id: String,
    pub quantity: i64,
    pub effective_at: String,
    pub on_payment_failure: String,
}

/// The body of a change-plan call and of its preview.
fn plan_body(
    product_id: &str,
    quantity: i64,
    mode: ProrationMode,
    effective: EffectiveAt,
    on_failure: OnPaymentFailure,
) -> Value {
    json!({
        "product_id": product_id, "quantity": quantity,
        "proration_billing_mode": mode.as_str(), "effective_at": effective.as_str(),
        "on_payment_failure": on_failure.as_str(),
    })
}

fn to_amount_of(target: &ProductSummary, quantity: i64) -> i64 {
    target.price.saturating_mul(quantity)
}

fn mode_quote(
    mode: ProrationMode,
    v: &Value,
    threshold: Option<i64>,
    fallback_currency: &str,
) -> ModeQuote {
    let charge = v.get("immediate_charge").unwrap_or(&Value::Null);
    let summary = charge.get("summary").unwrap_or(&Value::Null);
    let int = |k: &str| summary.get(k).and_then(Value::as_i64).unwrap_or(0);
    let line_items = charge
        .get("line_items")
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .map(|i| LineItem {
                    name: i
                        .get("name")
                        .or_else(|| i.get("id"))
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                    unit_price: i.get("unit_price").and_then(Value::as_i64).unwrap_or(0),
                    quantity: i.get("quantity").and_then(Value::as_i64).unwrap_or(1),
                    proration_factor: i
                        .get("proration_factor")
                        .and_then(Value::as_f64)
                        .unwrap_or(1.0),
                })
                .collect()
        })
        .unwrap_or_default();
    let total = int("total_amount");
    let credits = int("customer_credits");
    ModeQuote {
        mode,
        total_amount: total,
        customer_credits: credits,
        currency: summary
            .get("currency")
            .and_then(Value::as_str)
            .unwrap_or(fallback_currency)
            .to_string(),
        effective_at: match views::ms(charge.get("effective_at")) {
            0 => now_ms(),
            t => t,
        },
        line_items,
        next_billing_date: views::ms(v.pointer("/new_plan/next_billing_date")),
        needs_approval: needs_approval(total, credits, threshold),
    }
}

pub async fn preview(
    state: &AppState,
    user: &CurrentUser,
    input: PreviewInput,
) -> Result<PreviewView, AppError> {
    let mut errs = Vec::new();
    let effective = EffectiveAt::parse(&input.effective_at);
    let on_failure = OnPaymentFailure::parse(&input.on_payment_failure);
    if !(1..=100).contains(&input.quantity) {
        errs.push(FieldError::new(
            "quantity",
            "quantity_range",
            "Quantity must be between 1 and 100.",
        ));
    }
    if effective.is_none() {
        errs.push(FieldError::new(
            "effective_at",
            "required",
            "Choose when the change takes effect: immediately or at the next billing date.",
        ));
    }
    if on_failure.is_none() {
        errs.push(FieldError::new(
            "on_payment_failure",
            "required",
            "Choose what happens if the charge fails: keep the current plan or change anyway.",
        ));
    }
    if !matches!(
        parse_lookup(&input.subscription_id),
        Some(Lookup::Subscription(_))
    ) {
        return Err(AppError::new(
            ErrorCode::NotFound,
            "This is not a subscription id (they start with sub_). Search for the customer again.",
        ));
    }
    let products = state.dodo.products().await?;
    let target = products
        .iter()
        .find(|p| p.id == input.product_id && p.is_recurring);
    if target.is_none() {
        errs.push(FieldError::new(
            "product_id",
            "product_missing",
            "Pick a subscription product from the list.",
        ));
    }
    let (Some(target), Some(effective), Some(on_failure), true) =
        (target, effective, on_failure, errs.is_empty())
    else {
        return Err(AppError::validation(errs));
    };
    let sub = state.dodo.subscription(&input.subscription_id).await?;
    let current = views::subscription(&sub, &products).ok_or_else(AppError::internal)?;
    if current.status != "active" {
        return Err(AppError::new(
            ErrorCode::Conflict,
            format!(
                "This subscription is {}; only active subscriptions can change plan.",
                current.status
            ),
        ));
    }
    if target.currency != current.currency {
        return Err(AppError::validation(vec![FieldError::new(
            "product_id",
            "currency_mismatch",
            format!(
                "The subscription is billed in {}; pick a plan priced in {}.",
                current.currency, current.currency
            ),
        )]));
    }
    if target.id == current.product_id && input.quantity == current.quantity {
        return Err(AppError::validation(vec![FieldError::new(
            "quantity",
            "same_plan",
            "The subscription is already on this plan and quantity; change the plan or the quantity.",
        )]));
    }
    let body = |mode| plan_body(&target.id, input.quantity, mode, effective, on_failure);
    let sid = &current.id;
    let [pa, pb, pc] = ProrationMode::ALL.map(body);
    let (a, b, c) = tokio::join!(
        state.dodo.preview_plan_change(sid, &pa),
        state.dodo.preview_plan_change(sid, &pb),
        state.dodo.preview_plan_change(sid, &pc),
    );
    let threshold = thresholds(&state.db).await?.get(&current.currency).copied();
    let quotes: Vec<ModeQuote> = ProrationMode::ALL
        .into_iter()
        .zip([a?, b?, c?])
        .map(|(m, v)| mode_quote(m, &v, threshold, &current.currency))
        .map(|mut q| {
            let (size, credited) = approval_size(
                effective,
                (q.total_amount, q.customer_credits),
                (
                    current.recurring_amount,
                    to_amount_of(target, input.quantity),
                ),
            );
            q.needs_approval = needs_approval(size, credited, threshold);
            q
        })
        .collect();
    let customer_id = sub
        .pointer("/customer/customer_id")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let id = new_id("pch");
    let now = now_ms();
    let to_amount = to_amount_of(target, input.quantity);
    let mut tx = begin_write(&state.db).await?;
    sqlx::query(&format!(
        "INSERT INTO plan_changes ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, \
         NULL, NULL, NULL, NULL, NULL, $16, NULL, NULL, $17, $18, NULL, NULL, NULL, NULL, 0, $19, $19, NULL, NULL)"
    ))
    .bind(&id)
    .bind(sid)
    .bind(customer_id)
    .bind(&current.product_id)
    .bind(&current.product_name)
    .bind(current.quantity)
    .bind(current.recurring_amount)
    .bind(&target.id)
    .bind(&target.name)
    .bind(input.quantity)
    .bind(to_amount)
    .bind(&current.currency)
    .bind(effective.as_str())
    .bind(on_failure.as_str())
    .bind(serde_json::to_string(&quotes).map_err(|_| AppError::internal())?)
    .bind(ChangeState::Previewed.as_str())
    .bind(&user.id)
    .bind(&user.email)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    audit(
        &mut tx,
        actor(user),
        &id,
        "previewed",
        json!({ "subscription_id": sid, "to_product_id": target.id, "quantity": input.quantity,
                "effective_at": effective.as_str(),
                "amounts": quotes.iter().map(|q| (q.mode.as_str(), q.total_amount, q.customer_credits)).collect::<Vec<_>>() }),
    )
    .await?;
    tx.commit().await?;
    Ok(PreviewView {
        change_id: id,
        subscription_id: sid.clone(),
        from_product_name: current.product_name,
        from_quantity: current.quantity,
        from_amount: current.recurring_amount,
        to_product_id: target.id.clone(),
        to_product_name: target.name.clone(),
        to_quantity: input.quantity,
        to_amount,
        currency: current.currency,
        effective,
        on_payment_failure: on_failure,
        quotes,
        threshold,
    })
}

// --- Execute, approve, cancel ------------------------------------------------------------

pub struct ExecuteInput {
    pub change_id: String,
    pub mode: String,
    /// The amount support confirmed on screen; must be what the mode charges.
    pub confirm_amount: i64,
    pub reason_code: Option<String>,
    pub reason_note: Option<String>,
}

fn not_found() -> AppError {
    AppError::new(
        ErrorCode::NotFound,
        "This plan change does not exist. Search for the subscription and preview again.",
    )
}

/// A stored preview, as it was shown when it was made (the console shows it from the URL).
pub async fn preview_of(state: &AppState, id: &str) -> Result<PreviewView, AppError> {
    let c = load(&state.db, id).await?;
    let threshold = thresholds(&state.db).await?.get(&c.view.currency).copied();
    Ok(PreviewView {
        change_id: c.view.id,
        subscription_id: c.view.subscription_id,
        from_product_name: c.view.from_product_name,
        from_quantity: c.view.from_quantity,
        from_amount: c.from_amount,
        to_product_id: c.to_product_id,
        to_product_name: c.view.to_product_name,
        to_quantity: c.view.to_quantity,
        to_amount: c.to_amount,
        currency: c.view.currency,
        effective: c.view.effective,
        on_payment_failure: c.view.on_payment_failure,
        quotes: c.quotes,
        threshold,
    })
}

async fn load(db: &Db, id: &str) -> Result<Change, AppError> {
    store::get(db, id).await?.ok_or_else(not_found)
}

/// Says which change is in the way; its `reason` field keeps that when the error comes back
/// in a URL (a form post without JavaScript), where only codes are read.
fn pending_conflict(other: &PlanChangeView) -> AppError {
    let (reason, when) = match other.state {
        ChangeState::Scheduled => (
            "change_scheduled",
            "is scheduled for the next billing date; cancel it in the plan change history first",
        ),
        _ => (
            "change_in_progress",
            "is still being processed; wait for its outcome in the plan change history",
        ),
    };
    let message = format!(
        "Another change of this subscription (to {} × {}) {when}. Nothing was charged.",
        other.to_product_name, other.to_quantity
    );
    AppError {
        fields: vec![FieldError::new(
            crate::domain::error::REASON,
            reason,
            message.clone(),
        )],
        ..AppError::new(ErrorCode::Conflict, message)
    }
}

pub async fn execute(
    state: &AppState,
    user: &CurrentUser,
    input: ExecuteInput,
) -> Result<PlanChangeView, AppError> {
    let Some(mode) = ProrationMode::parse(&input.mode) else {
        return Err(AppError::validation(vec![FieldError::new(
            "mode",
            "required",
            "Choose one of the three proration modes.",
        )]));
    };
    let change = load(&state.db, &input.change_id).await?;
    let v = &change.view;
    let from = match v.state {
        ChangeState::Previewed => ChangeState::Previewed,
        ChangeState::Approved => ChangeState::Approved,
        ChangeState::AwaitingApproval => {
            return Err(AppError::new(
                ErrorCode::Conflict,
                "This change is waiting for a merchant's approval; it runs once a merchant approves it.",
            ))
        }
        // Already executed (a double submit, another tab): report where it stands, call nothing.
        _ => return settled(state, change).await,
    };
    // What support confirms: the approved amounts, or the saved preview of this mode.
    let (amount, credit) = if from == ChangeState::Approved {
        if v.mode != Some(mode) {
            return Err(AppError::validation(vec![FieldError::new(
                "mode",
                "mode_not_approved",
                "The approval covers another proration mode; execute that mode or preview again.",
            )]));
        }
        (
            v.previewed_amount.unwrap_or(0),
            v.previewed_credit.unwrap_or(0),
        )
    } else {
        if now_ms() - v.created_at > PREVIEW_TTL_MS {
            return Err(AppError::new(
                ErrorCode::Conflict,
                "This preview is more than 30 minutes old and prorated amounts have moved since. Preview again.",
            ));
        }
        let q = change
            .quotes
            .iter()
            .find(|q| q.mode == mode)
            .ok_or_else(AppError::internal)?;
        (q.total_amount, q.customer_credits)
    };
    if input.confirm_amount != amount {
        return Err(AppError::validation(vec![FieldError::new(
            "confirm_amount",
            "amount_changed",
            format!(
                "You confirmed {}, but this mode charges {} now. Review the preview and confirm again.",
                format_money(input.confirm_amount, &v.currency),
                format_money(amount, &v.currency)
            ),
        )]));
    }
    let reason = input.reason_code.as_deref().and_then(ReasonCode::parse);
    let note = input
        .reason_note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(|n| n.chars().take(500).collect::<String>());
    if from == ChangeState::Previewed {
        let threshold = thresholds(&state.db).await?.get(&v.currency).copied();
        let (size, credited) = approval_size(
            v.effective,
            (amount, credit),
            (change.from_amount, change.to_amount),
        );
        if needs_approval(size, credited, threshold) {
            return request_approval(state, user, &change, mode, (amount, credit), reason, note)
                .await;
        }
    } else {
        approval_still_covers(state, &change, mode, (amount, credit)).await?;
    }
    // A change of this subscription whose outcome is overdue is read back first, so one that
    // Dodo never made stops blocking this one.
    if let Some(other) =
        store::latest_in(&state.db, &v.subscription_id, &[ChangeState::Executing]).await?
    {
        if other.view.id != v.id {
            settled(state, other).await?;
        }
    }
    // Compare-and-set: only the call that makes this move may call Dodo.
    let mut tx = begin_write(&state.db).await?;
    if let Some(other) = store::latest_in(
        &mut *tx,
        &v.subscription_id,
        &[ChangeState::Executing, ChangeState::Scheduled],
    )
    .await?
    {
        if other.view.id != v.id {
            return Err(pending_conflict(&other.view));
        }
    }
    let moved = sqlx::query(
        "UPDATE plan_changes SET state = $1, mode = $2, previewed_amount = $3, previewed_credit = $4, \
         reason_code = COALESCE(reason_code, $5), reason_note = COALESCE(reason_note, $6), executed_by = $7, \
         executed_at = $8, updated_at = $8 WHERE id = $9 AND state = $10",
    )
    .bind(ChangeState::Executing.as_str())
    .bind(mode.as_str())
    .bind(amount)
    .bind(credit)
    .bind(reason.map(ReasonCode::as_str))
    .bind(&note)
    .bind(&user.email)
    .bind(now_ms())
    .bind(&v.id)
    .bind(from.as_str())
    .execute(&mut *tx)
    .await;
    let moved = match moved {
        Ok(r) => r.rows_affected() == 1,
        Err(e) if is_unique_violation(&e) => {
            drop(tx);
            return Err(AppError::new(
                ErrorCode::Conflict,
                "Another change of this subscription is in progress; wait for its outcome. Nothing was charged.",
            ));
        }
        Err(e) => return Err(e.into()),
    };
    if !moved {
        drop(tx);
        return view(state, &v.id).await;
    }
    audit(
        &mut tx,
        actor(user),
        &v.id,
        "executing",
        json!({ "mode": mode.as_str(), "previewed_amount": amount, "previewed_credit": credit,
                "from": v.from_product_name, "to": v.to_product_name, "quantity": v.to_quantity }),
    )
    .await?;
    tx.commit().await?;
    let mut body = plan_body(
        &change.to_product_id,
        v.to_quantity,
        mode,
        v.effective,
        v.on_payment_failure,
    );
    body["metadata"] = json!({ "plan_change_id": v.id });
    match state.dodo.change_plan(&v.subscription_id, &body).await {
        PlanCall::Accepted { payment_id } => {
            let mut tx = begin_write(&state.db).await?;
            sqlx::query(
                "UPDATE plan_changes SET payment_id = COALESCE(payment_id, $1) WHERE id = $2",
            )
            .bind(payment_id)
            .bind(&v.id)
            .execute(&mut *tx)
            .await?;
            if v.effective == EffectiveAt::NextBillingDate
                && store::transition(
                    &mut tx,
                    &v.id,
                    ChangeState::Executing,
                    ChangeState::Scheduled,
                )
                .await?
            {
                audit(&mut tx, actor(user), &v.id, "scheduled", json!({})).await?;
            }
            tx.commit().await?;
        }
        PlanCall::Refused {
            status,
            code,
            message,
        } => {
            let mut tx = begin_write(&state.db).await?;
            if store::transition(&mut tx, &v.id, ChangeState::Executing, ChangeState::Failed)
                .await?
            {
                sqlx::query(
                    "UPDATE plan_changes SET failure_code = $1, failure_message = $2 WHERE id = $3",
                )
                .bind(&code)
                .bind(&message)
                .bind(&v.id)
                .execute(&mut *tx)
                .await?;
                audit(
                    &mut tx,
                    actor(user),
                    &v.id,
                    "refused",
                    json!({ "status": status, "code": code, "message": message }),
                )
                .await?;
            }
            tx.commit().await?;
            if status == 409 {
                return Err(dodo::pending_at_dodo());
            }
        }
        // Left `executing`: webhooks or a later read-back settle it. Never re-sent.
        PlanCall::Unknown => {}
    }
    view(state, &v.id).await
}

/// An approval covers the amounts it was given for, not whatever the change bills when it
/// finally runs: the plan, the credit held or the billing period may have moved since. Asks
/// Dodo for the mode's preview again (a read) and refuses when it charges or credits more.
async fn approval_still_covers(
    state: &AppState,
    change: &Change,
    mode: ProrationMode,
    (amount, credit): (i64, i64),
) -> Result<(), AppError> {
    let v = &change.view;
    let body = plan_body(
        &change.to_product_id,
        v.to_quantity,
        mode,
        v.effective,
        v.on_payment_failure,
    );
    let now = state
        .dodo
        .preview_plan_change(&v.subscription_id, &body)
        .await?;
    let q = mode_quote(mode, &now, None, &v.currency);
    if q.total_amount <= amount && q.credit() <= credit.max(0) {
        return Ok(());
    }
    Err(AppError::new(
        ErrorCode::Conflict,
        format!(
            "The amounts have moved since this change was approved: it would now charge {} and credit {}. \
             Nothing was charged. Cancel it and preview again.",
            format_money(q.total_amount, &v.currency),
            format_money(q.credit(), &v.currency)
        ),
    ))
}

async fn request_approval(
    state: &AppState,
    user: &CurrentUser,
    change: &Change,
    mode: ProrationMode,
    (amount, credit): (i64, i64),
    reason: Option<ReasonCode>,
    note: Option<String>,
) -> Result<PlanChangeView, AppError> {
    let Some(reason) = reason else {
        return Err(AppError::validation(vec![FieldError::new(
            "reason_code",
            "reason_required",
            "This change is above the merchant's limit: choose a reason; a merchant must then approve it.",
        )]));
    };
    // The one asking for approval is the requester: they cannot approve it themselves.
    let mut tx = begin_write(&state.db).await?;
    let n = sqlx::query(
        "UPDATE plan_changes SET state = $1, mode = $2, previewed_amount = $3, previewed_credit = $4, \
         reason_code = $5, reason_note = $6, requested_by_id = $7, requested_by = $8, updated_at = $9 \
         WHERE id = $10 AND state = $11",
    )
    .bind(ChangeState::AwaitingApproval.as_str())
    .bind(mode.as_str())
    .bind(amount)
    .bind(credit)
    .bind(reason.as_str())
    .bind(&note)
    .bind(&user.id)
    .bind(&user.email)
    .bind(now_ms())
    .bind(&change.view.id)
    .bind(ChangeState::Previewed.as_str())
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 1 {
        audit(
            &mut tx,
            actor(user),
            &change.view.id,
            "approval_requested",
            json!({ "mode": mode.as_str(), "previewed_amount": amount, "previewed_credit": credit,
                    "reason_code": reason.as_str(), "reason_note": note }),
        )
        .await?;
    }
    tx.commit().await?;
    view(state, &change.view.id).await
}

/// A merchant other than the requester approves a change above the threshold.
pub async fn approve(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
) -> Result<PlanChangeView, AppError> {
    let change = load(&state.db, id).await?;
    if change.requested_by_id == user.id {
        return Err(AppError::new(
            ErrorCode::Forbidden,
            "A second person must approve this change: ask another merchant account.",
        ));
    }
    let mut tx = begin_write(&state.db).await?;
    if !store::transition(
        &mut tx,
        id,
        ChangeState::AwaitingApproval,
        ChangeState::Approved,
    )
    .await?
    {
        return Err(AppError::new(
            ErrorCode::Conflict,
            "This change is no longer waiting for approval (it was approved, withdrawn or executed). Reload to see it.",
        ));
    }
    sqlx::query("UPDATE plan_changes SET approved_by = $1 WHERE id = $2")
        .bind(&user.email)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    audit(&mut tx, actor(user), id, "approved", json!({})).await?;
    tx.commit().await?;
    view(state, id).await
}

/// Cancels a scheduled change at Dodo, or withdraws (rejects) one not yet executed.
pub async fn cancel(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
) -> Result<PlanChangeView, AppError> {
    let change = load(&state.db, id).await?;
    let from = change.view.state;
    match from {
        ChangeState::Scheduled => {
            state
                .dodo
                .cancel_scheduled_change(&change.view.subscription_id)
                .await?
        }
        ChangeState::Previewed | ChangeState::AwaitingApproval | ChangeState::Approved => {}
        _ => {
            return Err(AppError::new(
                ErrorCode::Conflict,
                "This change has already been sent to Dodo Payments and cannot be cancelled here.",
            ))
        }
    }
    let mut tx = begin_write(&state.db).await?;
    if store::transition(&mut tx, id, from, ChangeState::Cancelled).await? {
        audit(
            &mut tx,
            actor(user),
            id,
            "cancelled",
            json!({ "was": from.as_str() }),
        )
        .await?;
    }
    tx.commit().await?;
    view(state, id).await
}

// --- Reading ------------------------------------------------------------------------------

/// One change, read back from Dodo first when its outcome is overdue.
pub async fn view(state: &AppState, id: &str) -> Result<PlanChangeView, AppError> {
    settled(state, load(&state.db, id).await?).await
}

/// The change as loaded, or, when it is `executing` past its webhooks' due time, as it stands
/// after reading Dodo back.
async fn settled(state: &AppState, change: Change) -> Result<PlanChangeView, AppError> {
    let overdue = change.view.state == ChangeState::Executing
        && change
            .view
            .executed_at
            .is_some_and(|t| now_ms() - t > super::dodo::READ_BACK_AFTER_MS);
    if !overdue {
        return Ok(change.view);
    }
    if let Err(e) = settle::read_back(state, &change).await {
        tracing::info!(error = %e.message, "plan change read-back did not settle it yet");
    }
    Ok(load(&state.db, &change.view.id).await?.view)
}

async fn list(db: &Db, filter: &str, binds: &[&str]) -> Result<Vec<Change>, AppError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM plan_changes WHERE {filter} ORDER BY created_at DESC, id DESC LIMIT 200"
    );
    let mut q = sqlx::query(&sql);
    for b in binds {
        q = q.bind(*b);
    }
    Ok(q.fetch_all(db)
        .await?
        .iter()
        .map(store::from_row)
        .collect::<Result<_, _>>()?)
}

/// Every change of these subscriptions except bare previews, newest first (one query).
pub async fn history(
    state: &AppState,
    subscription_ids: &[String],
) -> Result<Vec<PlanChangeView>, AppError> {
    let ids: Vec<&str> = subscription_ids
        .iter()
        .take(50)
        .map(String::as_str)
        .collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks = (1..=ids.len())
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let filter = format!("subscription_id IN ({marks}) AND state <> 'previewed'");
    let mut out = Vec::new();
    for c in list(&state.db, &filter, &ids).await? {
        out.push(settled(state, c).await?);
    }
    Ok(out)
}

/// Changes waiting for a merchant's approval.
pub async fn approvals(db: &Db) -> Result<Vec<PlanChangeView>, AppError> {
    Ok(list(db, "state = 'awaiting_approval'", &[])
        .await?
        .into_iter()
        .map(|c| c.view)
        .collect())
}
