use super::codec::FormOrJson;
use crate::domain::audit::AuditEntry;
use crate::domain::error::AppError;
use crate::domain::rule::form::RuleForm;
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
    /// The newest versions of the map, newest first.
    pub versions: Vec<crate::domain::rule::versions::VersionInfo>,
    /// Each rule's offers, paid offers and revenue over the last 30 days (the map picture).
    pub stats: Vec<RuleStats>,
    /// The signed-in user's last draft sent but not saved (recent only): the editor shows it
    /// again when the page comes back with that refusal, or with its replay.
    pub kept: Option<RuleDraft>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleStats {
    pub rule_id: String,
    pub offers: i64,
    pub paid: i64,
    pub revenue: i64,
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
            let (state, user) = super::guard::require(can_edit).await?;
            Ok(RulesData {
                rules: rules::list(&state.db).await?,
                products: state.dodo.products().await?.to_vec(),
                audit: audit::recent(&state.db, "rule", 50).await?,
                now_ms: crate::server::ids::now_ms(),
                cap: crate::server::targeting::get_cap(&state.db).await?,
                versions: crate::server::versions::list(&state.db, 30).await?,
                stats: crate::server::replay::rule_stats(&state.db).await?,
                kept: crate::server::drafts::last(&state.db, &user.id).await?,
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

/// The editor's form (`rule[name]`, …), as typed: with JavaScript or without it.
#[server(endpoint = "rules/save_form", input = FormOrJson)]
pub async fn save_rule_form(rule: RuleForm) -> Result<Rule, AppError> {
    super::guard::finish(
        async {
            let (state, user) = super::guard::require(can_edit).await?;
            let draft = rule.into_draft();
            let rule =
                crate::server::drafts::save_form(&state.db, &state.dodo, &user, draft).await?;
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

/// What changed from version `from` to version `to` (0: the live map), field by field.
#[server(endpoint = "rules/compare", input = FormOrJson)]
pub async fn compare_versions(
    from: i64,
    to: i64,
) -> Result<Vec<crate::domain::rule::versions::RuleChange>, AppError> {
    super::guard::finish(
        async {
            let (state, _) = super::guard::require(can_edit).await?;
            crate::server::versions::compare(&state.db, from, Some(to)).await
        }
        .await,
    )
}

#[cfg(feature = "ssr")]
fn number(field: &str, text: &str) -> Result<i64, AppError> {
    text.trim().parse().map_err(|_| {
        AppError::validation(vec![crate::domain::error::FieldError::new(
            field,
            "number",
            "Pick a version from the list.",
        )])
    })
}

/// Restores version `number`; `latest` is the newest version the merchant saw (a newer one
/// means someone changed the map meanwhile: refused, nothing changes).
#[server(endpoint = "rules/rollback", input = FormOrJson)]
pub async fn rollback_map(number: String, latest: String) -> Result<i64, AppError> {
    super::guard::finish(
        async {
            let (state, user) = super::guard::require(can_edit).await?;
            let (n, l) = (
                self::number("number", &number)?,
                self::number("latest", &latest)?,
            );
            let v = crate::server::versions::rollback(&state.db, &user, n, l).await?;
            super::guard::form_redirect(&format!("/rules?done=rolled_back&version={n}#versions"));
            Ok(v)
        }
        .await,
    )
}

/// The live map as JSON (to keep, edit, or import elsewhere).
#[server(endpoint = "rules/export", input = leptos::server_fn::codec::GetUrl)]
pub async fn export_map() -> Result<crate::domain::rule::versions::MapExport, AppError> {
    super::guard::finish(
        async {
            let (state, _) = super::guard::require(can_edit).await?;
            crate::server::versions::export(&state.db).await
        }
        .await,
    )
}

/// Checks a map to import and keeps it for this user; the answer (or, for a plain form, the
/// page it redirects to) shows what would change. Nothing changes until it is applied.
#[server(endpoint = "rules/import_check", input = FormOrJson)]
pub async fn check_import(json: String) -> Result<String, AppError> {
    super::guard::finish(
        async {
            let (state, user) = super::guard::require(can_edit).await?;
            let token =
                crate::server::versions::stage_import(&state.db, &state.dodo, &user, &json).await?;
            super::guard::form_redirect(&format!("/rules?import={token}#import"));
            Ok(token)
        }
        .await,
    )
}

/// The changes a staged import would make to the live map.
#[server(endpoint = "rules/import_changes")]
pub async fn import_changes(
    token: String,
) -> Result<(i64, Vec<crate::domain::rule::versions::RuleChange>), AppError> {
    super::guard::finish(
        async {
            let (state, user) = super::guard::require(can_edit).await?;
            crate::server::versions::staged_changes(&state.db, &user, &token).await
        }
        .await,
    )
}

/// Applies a staged import if the map is still at `latest`.
#[server(endpoint = "rules/import_apply", input = FormOrJson)]
pub async fn apply_import(token: String, latest: String) -> Result<i64, AppError> {
    super::guard::finish(
        async {
            let (state, user) = super::guard::require(can_edit).await?;
            let l = self::number("latest", &latest)?;
            let v = crate::server::versions::apply_staged(&state.db, &state.dodo, &user, &token, l)
                .await?;
            super::guard::form_redirect("/rules?done=imported#versions");
            Ok(v)
        }
        .await,
    )
}

/// Replays the live map with `draft` in it, unsaved (the editor's "what would this change have
/// earned?"): the same figures as a version's replay, for the map as it would be.
#[server(endpoint = "rules/replay_draft", input = FormOrJson)]
pub async fn replay_draft(
    draft: RuleDraft,
) -> Result<crate::domain::rule::replay::ReplayResult, AppError> {
    super::guard::finish(
        async {
            let (state, _) = super::guard::require(can_edit).await?;
            crate::server::replay::run_draft(&state.db, &state.dodo, draft).await
        }
        .await,
    )
}

/// "Replay with this change" without JavaScript: the form is kept, and the editor comes back
/// with it and the replay beneath (`?edit=…&draft_replay#editor`).
#[server(endpoint = "rules/replay_form", input = FormOrJson)]
pub async fn replay_draft_form(rule: RuleForm) -> Result<(), AppError> {
    super::guard::finish(
        async {
            let (state, user) = super::guard::require(can_edit).await?;
            let draft = rule.into_draft();
            crate::server::drafts::keep(&state.db, &user, &draft).await?;
            let editing = match &draft.id {
                Some(id) => crate::domain::query_string([("edit", id.as_str())]),
                None => "new".into(),
            };
            super::guard::form_redirect(&format!("/rules?{editing}&draft_replay#editor"));
            Ok(())
        }
        .await,
    )
}

/// Replays version `version` of the map (0: the live one) over the last 30 days of recorded
/// purchases: offers it would have made and the revenue to expect, per rule, next to what the
/// live map did.
#[server(endpoint = "rules/replay", input = FormOrJson)]
pub async fn replay_map(
    version: i64,
) -> Result<crate::domain::rule::replay::ReplayResult, AppError> {
    super::guard::finish(
        async {
            let (state, _) = super::guard::require(can_edit).await?;
            crate::server::replay::run(&state.db, &state.dodo, version).await
        }
        .await,
    )
}
