//! The support console's functions. Support and merchants may use it; analysts may not.
//! Approving a change above the threshold, and setting the threshold, are for merchants.
use super::codec::FormOrJson;
use crate::domain::error::AppError;
use crate::domain::rule::ProductSummary;
use crate::domain::subscription::{CustomerView, PlanChangeView, PreviewView};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Everything the console shows for a search, in one round trip.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConsoleData {
    pub customers: Vec<CustomerView>,
    /// Subscription products (the targets a plan can change to).
    pub products: Vec<ProductSummary>,
    pub history: Vec<PlanChangeView>,
    /// Changes waiting for a merchant's approval (all subscriptions).
    pub approvals: Vec<PlanChangeView>,
}

#[cfg(feature = "ssr")]
fn console(r: crate::domain::role::Role) -> bool {
    r.can_change_plans()
}

#[cfg(feature = "ssr")]
fn merchant(r: crate::domain::role::Role) -> bool {
    r.can_edit_rules()
}

/// Finds customers by subscription id, customer id or email. An empty query lists nothing
/// but still returns the approvals queue and the catalogue.
#[server(endpoint = "subscriptions/find", input = FormOrJson)]
pub async fn find_subscriptions(q: String) -> Result<ConsoleData, AppError> {
    use crate::server::subscriptions as svc;
    super::guard::finish(
        async {
            let (state, _) = super::guard::require(console).await?;
            let customers = if q.trim().is_empty() {
                Vec::new()
            } else {
                svc::find(&state, &q).await?
            };
            let ids: Vec<String> = customers
                .iter()
                .flat_map(|c| c.subscriptions.iter().map(|s| s.id.clone()))
                .collect();
            Ok(ConsoleData {
                history: svc::history(&state, &ids).await?,
                approvals: svc::approvals(&state.db).await?,
                products: state
                    .dodo
                    .products()
                    .await?
                    .iter()
                    .filter(|p| p.is_recurring)
                    .cloned()
                    .collect(),
                customers,
            })
        }
        .await,
    )
}

#[server(endpoint = "subscriptions/preview", input = FormOrJson)]
pub async fn preview_change(
    subscription_id: String,
    product_id: String,
    quantity: i64,
    effective_at: String,
    on_payment_failure: String,
) -> Result<PreviewView, AppError> {
    use crate::server::subscriptions::{preview, PreviewInput};
    super::guard::finish(
        async {
            let (state, user) = super::guard::require(console).await?;
            preview(
                &state,
                &user,
                PreviewInput {
                    subscription_id,
                    product_id,
                    quantity,
                    effective_at,
                    on_payment_failure,
                },
            )
            .await
            .inspect(|p| {
                super::guard::back_with(&[("change", &p.change_id)], &["mode", "done", "n"])
            })
        }
        .await,
    )
}

/// Executes a previewed change in `mode`. `confirm_amount` is the amount the person confirmed.
#[server(endpoint = "subscriptions/execute", input = FormOrJson)]
pub async fn execute_change(
    change_id: String,
    mode: String,
    confirm_amount: i64,
    reason_code: Option<String>,
    reason_note: Option<String>,
) -> Result<PlanChangeView, AppError> {
    use crate::server::subscriptions::{execute, ExecuteInput};
    super::guard::finish(
        async {
            let (state, user) = super::guard::require(console).await?;
            execute(
                &state,
                &user,
                ExecuteInput {
                    change_id,
                    mode,
                    confirm_amount,
                    reason_code,
                    reason_note,
                },
            )
            .await
            .inspect(|v| {
                super::guard::back_with(&[("done", &v.id)], &["sub", "change", "mode", "n"])
            })
        }
        .await,
    )
}

#[server(endpoint = "subscriptions/approve", input = FormOrJson)]
pub async fn approve_change(change_id: String) -> Result<PlanChangeView, AppError> {
    super::guard::finish(
        async {
            let (state, user) = super::guard::require(merchant).await?;
            crate::server::subscriptions::approve(&state, &user, &change_id)
                .await
                .inspect(|v| super::guard::back_with(&[("done", &v.id)], &["n"]))
        }
        .await,
    )
}

/// Cancels a scheduled change, or withdraws one that has not run yet.
#[server(endpoint = "subscriptions/cancel", input = FormOrJson)]
pub async fn cancel_change(change_id: String) -> Result<PlanChangeView, AppError> {
    super::guard::finish(
        async {
            let (state, user) = super::guard::require(console).await?;
            crate::server::subscriptions::cancel(&state, &user, &change_id)
                .await
                .inspect(|v| super::guard::back_with(&[("done", &v.id)], &["n"]))
        }
        .await,
    )
}

/// A preview as it was made, by its change id.
#[server(endpoint = "subscriptions/preview/get", input = FormOrJson)]
pub async fn get_preview(change_id: String) -> Result<PreviewView, AppError> {
    super::guard::finish(
        async {
            let (state, _) = super::guard::require(console).await?;
            crate::server::subscriptions::preview_of(&state, &change_id).await
        }
        .await,
    )
}

/// One change as it stands (read back from Dodo when its outcome is overdue).
#[server(endpoint = "subscriptions/change", input = FormOrJson)]
pub async fn get_change(change_id: String) -> Result<PlanChangeView, AppError> {
    super::guard::finish(
        async {
            let (state, _) = super::guard::require(console).await?;
            crate::server::subscriptions::view(&state, &change_id).await
        }
        .await,
    )
}

/// Thresholds per currency, in minor units.
#[server(endpoint = "subscriptions/thresholds")]
pub async fn get_thresholds() -> Result<Vec<(String, i64)>, AppError> {
    super::guard::finish(
        async {
            let (state, _) = super::guard::require(console).await?;
            Ok(crate::server::subscriptions::thresholds(&state.db)
                .await?
                .into_iter()
                .collect())
        }
        .await,
    )
}

/// Sets (or, with no amount, removes) the approval threshold for one currency. `amount` is in
/// minor units; the settings form sends `amount_text` as typed ("250.00"; empty removes).
#[server(endpoint = "subscriptions/thresholds/set", input = FormOrJson)]
pub async fn set_threshold(
    currency: String,
    amount: Option<i64>,
    amount_text: Option<String>,
) -> Result<Vec<(String, i64)>, AppError> {
    use crate::domain::error::FieldError;
    use crate::domain::subscription::parse_major;
    super::guard::finish(
        async {
            let (state, user) = super::guard::require(merchant).await?;
            let amount = match amount_text.as_deref().map(str::trim) {
                None => amount,
                Some("") => None,
                Some(text) => Some(parse_major(text, &currency).ok_or_else(|| {
                    AppError::validation(vec![FieldError::new(
                        "amount",
                        "amount_invalid",
                        "Enter an amount such as 250 or 250.00, or leave it empty to remove the limit.",
                    )])
                })?),
            };
            let list =
                crate::server::subscriptions::set_threshold(&state.db, &user, &currency, amount)
                    .await?;
            super::guard::form_redirect("/settings?done=threshold");
            Ok(list.into_iter().collect())
        }
        .await,
    )
}
