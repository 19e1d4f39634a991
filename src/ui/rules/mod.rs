//! The upsell map screen. The list, its actions and the change history render on the server
//! and post plain forms (the screen works without JavaScript); the editor, with its live
//! validation and preview, is the screen's one island. What the screen shows comes from the
//! URL: `?new`, `?edit=ID`, `?delete=ID` (the confirmation), `?done=…` (the last result).
mod audit;
mod editor;
mod graph;

pub(crate) use editor::reason_msg;
mod picker;
mod preview;
mod replay;
mod table;
mod targeting;
mod versions;
mod who;

pub(crate) use table::kind_msg;

use super::i18n::{use_i18n, Msg};
use super::widgets::{ErrorBanner, Status};
use crate::api::rules::{rules_page, SaveRuleForm};
use crate::domain::error::ErrorCode;
use crate::domain::rule::RuleDraft;
use crate::ui::widgets::form_error;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The result named by `?done=` after a form post, and the rule it concerns.
fn done_text(done: &str, rule: Option<String>, i18n: super::i18n::I18n) -> Option<String> {
    let msg = match done {
        "saved" => Msg::RuleSaved,
        "deleted" => Msg::RuleDeleted,
        "order" => Msg::OrderSaved,
        "enabled" => Msg::ActEnable,
        "disabled" => Msg::ActDisable,
        "cap" => Msg::CapSaved,
        "rolled_back" => Msg::MapRolledBack,
        "imported" => Msg::MapImported,
        _ => return None,
    };
    Some(match rule {
        Some(name) => format!("{} — {name}", i18n.now(msg)),
        None => i18n.now(msg).to_string(),
    })
}

#[component]
pub fn RulesPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let q = move |k: &str| query.with_untracked(|m| m.get(k));
    let page = Resource::new(|| (), |_| rules_page());
    view! {
        <section class="page rules-page">
            <h1>{i18n.t(Msg::RulesTitle)}</h1>
            <p class="lead">{i18n.t(Msg::RulesIntro)}</p>
            <Suspense fallback=move || view! { <p class="loading">{i18n.t(Msg::Loading)}</p> }>
                {move || page.get().map(|r| match r {
                    Err(e) if e.code == ErrorCode::Forbidden => view! {
                        <div class="banner error" role="alert" data-testid="rules-denied">
                            <p>{i18n.t(Msg::DeniedRules)}</p>
                        </div>
                    }.into_any(),
                    Err(e) => view! { <ErrorBanner error=e/> }.into_any(),
                    Ok(data) => {
                        let rule_name = |id: Option<String>| id.and_then(|id| data.rules.iter().find(|r| r.id == id).map(|r| r.name.clone()));
                        let status = q("done").and_then(|d| done_text(&d, rule_name(q("rule")), i18n));
                        let save_error = form_error::<SaveRuleForm>();
                        let draft = if q("new").is_some() {
                            Some(RuleDraft::default())
                        } else {
                            q("edit").and_then(|id| data.rules.iter().find(|r| r.id == id).map(|r| r.to_draft()))
                        };
                        // Back from a refused save or a draft's replay: the editor shows what was
                        // sent, not what is stored.
                        let replayed = q("draft_replay").is_some();
                        let sent = data.kept.clone().filter(|k| {
                            (save_error.is_some() || replayed) && draft.as_ref().is_some_and(|d| d.id == k.id)
                        });
                        let draft = sent.clone().or(draft);
                        let confirm = q("delete");
                        view! {
                            <Status text=status/>
                            <div class="toolbar">
                                <a class="button primary" href="/rules?new#editor" data-testid="new-rule">{i18n.t(Msg::NewRule)}</a>
                            </div>
                            {table::rule_table(&data, confirm)}
                            <graph::MapGraph data=data.clone()/>
                            {draft.map(|draft| view! {
                                <div id="editor">
                                    <editor::RuleEditor products=data.products.clone() rules=data.rules.clone() draft error=save_error.clone()/>
                                    {replayed.then(|| view! { <replay::KeptReplay draft=sent/> })}
                                </div>
                            })}
                            <who::PreviewAs products=data.products.clone()/>
                            <who::CapForm cap=data.cap/>
                            <replay::Replay versions=data.versions.clone()/>
                            <versions::Versions versions=data.versions.clone()/>
                            <audit::AuditLog entries=data.audit.clone()/>
                        }.into_any()
                    }
                })}
            </Suspense>
        </section>
    }
}
