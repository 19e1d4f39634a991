use super::codec::FormOrJson;
use crate::domain::audit::AuditEntry;
use crate::domain::error::AppError;
use crate::domain::rule::{ProductSummary, Rule, RuleDraft};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Everything the rules screen shows, in one round trip.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RulesData {
    pub rules: Vec<Rule>,
    pub products: Vec<ProductSummary>,
    pub audit: Vec<AuditEntry>,
    /// The server's clock, for "starts in 3 days" (the map renders on the server).
    pub now_ms: i64,
    pub cap: crate::domain::rule::target::FrequencyCap,
}

#[cfg(feature = "ssr")]
fn can_edit(r: crate::domain::role::Role) -> bool {
    r.can_edit_rules()
}

#[server(endpoint = "rules/page")]
pub async fn rules_page() -> Result<RulesData, AppError> {
    use crate::server::{audit, rules};
    super::guard::finish(
        async {
            let (state, _) = super::guard::require(can_edit).await?;
            Ok(RulesData {
                rules: rules::list(&state.db).await?,
                products: state.dodo.products().await?.to_vec(),
                audit: audit::recent(&state.db, "rule", 50).await?,
                now_ms: crate::server::ids::now_ms(),
                cap: crate::server::targeting::get_cap(&state.db).await?,
            })
        }
        .await,
    )
}

#[server(endpoint = "rules/products")]
pub async fn list_products() -> Result<Vec<ProductSummary>, AppError> {
    super::guard::finish(
        async {
            let (state, _) = super::guard::require(can_edit).await?;
            Ok(state.dodo.products().await?.to_vec())
        }
        .await,
    )
}

#[server(endpoint = "rules/save", input = FormOrJson)]
pub async fn save_rule(draft: RuleDraft) -> Result<Rule, AppError> {
    super::guard::finish(
        async {
            let (state, user) = super::guard::require(can_edit).await?;
            let rule = crate::server::rules::save(&state.db, &state.dodo, &user, draft).await?;
            super::guard::form_redirect(&format!("/rules?done=saved&rule={}", rule.id));
            Ok(rule)
        }
        .await,
    )
}

#[server(endpoint = "rules/enable", input = FormOrJson)]
pub async fn set_rule_enabled(id: String, version: i64, enabled: bool) -> Result<Rule, AppError> {
    super::guard::finish(
        async {
            let (state, user) = super::guard::require(can_edit).await?;
            let rule =
                crate::server::rules::set_enabled(&state.db, &user, &id, version, enabled).await?;
            let done = if rule.enabled { "enabled" } else { "disabled" };
            super::guard::form_redirect(&format!("/rules?done={done}&rule={}", rule.id));
            Ok(rule)
        }
        .await,
    )
}

#[server(endpoint = "rules/delete", input = FormOrJson)]
pub async fn delete_rule(id: String, version: i64) -> Result<(), AppError> {
    super::guard::finish(
        async {
            let (state, user) = super::guard::require(can_edit).await?;
            crate::server::rules::delete(&state.db, &user, &id, version).await?;
            super::guard::form_redirect("/rules?done=deleted");
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "rules/reorder", input = FormOrJson)]
pub async fn reorder_rules(ids: Vec<String>) -> Result<Vec<Rule>, AppError> {
    super::guard::finish(
        async {
            let (state, user) = super::guard::require(can_edit).await?;
            let rules = crate::server::rules::reorder(&state.db, &user, &ids).await?;
            super::guard::form_redirect("/rules?done=order");
            Ok(rules)
        }
        .await,
    )
}

/// The list's arrows: one rule a place up or down in the current order.
#[server(endpoint = "rules/move", input = FormOrJson)]
pub async fn move_rule(id: String, up: bool) -> Result<Vec<Rule>, AppError> {
    super::guard::finish(
        async {
            let (state, user) = super::guard::require(can_edit).await?;
            let rules = crate::server::rules::move_one(&state.db, &user, &id, up).await?;
            super::guard::form_redirect("/rules?done=order");
            Ok(rules)
        }
        .await,
    )
}

/// "Preview as customer": which rule fires for the purchase described, and why each other
/// rule does not. Reads only; the screen calls it from a plain GET form.
#[server(endpoint = "rules/preview_as")]
pub async fn preview_as(
    customer_id: String,
    product_id: String,
    total: String,
    country: String,
    quantity: String,
) -> Result<Vec<crate::domain::rule::target::Verdict>, AppError> {
    use crate::server::targeting::{preview, Ask};
    super::guard::finish(
        async {
            let (state, _) = super::guard::require(can_edit).await?;
            preview(
                &state.db,
                &state.dodo,
                Ask {
                    customer_id: &customer_id,
                    product_id: &product_id,
                    total: &total,
                    country: &country,
                    quantity: &quantity,
                },
            )
            .await
        }
        .await,
    )
}

/// The map's frequency cap: at most `max_offers` offers per customer every `days` days (both
/// 0 for none). Plain form post; typed text that is not a number is refused by field.
#[server(endpoint = "rules/cap", input = FormOrJson)]
pub async fn set_frequency_cap(
    max_offers: String,
    days: String,
) -> Result<crate::domain::rule::target::FrequencyCap, AppError> {
    use crate::domain::error::FieldError;
    use crate::domain::rule::target::FrequencyCap;
    super::guard::finish(
        async {
            let (state, user) = super::guard::require(can_edit).await?;
            let number = |field: &str, text: &str, errs: &mut Vec<FieldError>| match text.trim() {
                "" => 0,
                t => t.parse::<i32>().unwrap_or_else(|_| {
                    errs.push(FieldError::new(
                        field,
                        "number",
                        "Enter a whole number (0 for no cap).",
                    ));
                    0
                }),
            };
            let mut errs = Vec::new();
            let cap = FrequencyCap {
                max_offers: number("max_offers", &max_offers, &mut errs),
                days: number("days", &days, &mut errs),
            };
            if !errs.is_empty() {
                return Err(AppError::validation(errs));
            }
            let saved = crate::server::targeting::set_cap(&state.db, &user, cap).await?;
            super::guard::form_redirect("/rules?done=cap#frequency-cap");
            Ok(saved)
        }
        .await,
    )
}
