use crate::api::rules::RulesData;
use crate::api::rules::{DeleteRule, MoveRule, SetRuleEnabled};
use crate::domain::rule::{rule_action, ProductSummary, Rule, RuleAction};
use crate::ui::i18n::{use_i18n, Msg};
use crate::ui::widgets::{form_error as failed, ErrorBanner};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

pub(crate) fn kind_msg(k: crate::domain::rule::RuleKind) -> Msg {
    use crate::domain::rule::RuleKind::*;
    match k {
        Upsell => Msg::KindUpsell,
        CrossSell => Msg::KindCrossSell,
        Downsell => Msg::KindDownsell,
        Next => Msg::KindNext,
        Save => Msg::KindSave,
    }
}

/// When the rule's offer is shown: its timing, or what it answers.
fn when_msg(rule: &Rule) -> Msg {
    use crate::domain::rule::RuleKind;
    match rule.kind {
        RuleKind::Save => Msg::TimingOnCancel,
        RuleKind::Downsell => Msg::TimingOnDecline,
        RuleKind::Next => Msg::TimingOnAccept,
        _ => timing_msg(rule.timing),
    }
}

fn action_msg(a: RuleAction) -> Msg {
    match a {
        RuleAction::OneTime => Msg::ActionOneTime,
        RuleAction::NewSubscription => Msg::ActionNewSubscription,
        RuleAction::PlanChange => Msg::ActionPlanChange,
        RuleAction::FreeTime => Msg::ActionFreeTime,
    }
}

fn action_class(a: RuleAction) -> &'static str {
    match a {
        RuleAction::OneTime => "one-time",
        RuleAction::NewSubscription => "new-subscription",
        RuleAction::PlanChange => "plan-change",
        RuleAction::FreeTime => "free-time",
    }
}

pub(super) fn timing_msg(t: crate::domain::rule::Timing) -> Msg {
    use crate::domain::rule::Timing::*;
    match t {
        PostPurchase => Msg::TimingPostPurchase,
        UsageMilestone => Msg::TimingUsageMilestone,
        NearPlanLimit => Msg::TimingNearPlanLimit,
        OnboardingComplete => Msg::TimingOnboardingComplete,
    }
}

pub(super) fn product_label(products: &[ProductSummary], id: &str) -> String {
    products
        .iter()
        .find(|p| p.id == id)
        .map(|p| format!("{} ({})", p.name, p.price_label()))
        .unwrap_or_else(|| id.to_string())
}

/// The list with its actions, each a plain form: posted, the server answers with this page
/// again, showing the result (`?done=`) or the error (leptos's `?__err=`).
pub(super) fn rule_table(data: &RulesData, confirm: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    // A failed action comes back in the URL; the action of that path reads it on the server.
    let error = failed::<SetRuleEnabled>()
        .or_else(failed::<DeleteRule>)
        .or_else(failed::<MoveRule>);
    if data.rules.is_empty() {
        return view! { <p class="empty" data-testid="no-rules">{i18n.t(Msg::NoRules)}</p> }
            .into_any();
    }
    let last = data.rules.len() - 1;
    let rows = data
        .rules
        .iter()
        .enumerate()
        .map(|(i, rule)| {
            let confirming = confirm.as_deref() == Some(rule.id.as_str());
            row(rule, i, i == last, data, confirming)
        })
        .collect_view();
    view! {
        {error.map(|e| view! { <ErrorBanner error=e/> })}
        <table class="rules" data-testid="rules-table">
            <thead>
                <tr>
                    <th scope="col">{i18n.t(Msg::ColOrder)}</th>
                    <th scope="col">{i18n.t(Msg::ColRule)}</th>
                    <th scope="col">{i18n.t(Msg::ColWhenOffer)}</th>
                    <th scope="col">{i18n.t(Msg::RulesColAction)}</th>
                    <th scope="col">{i18n.t(Msg::ColTiming)}</th>
                    <th scope="col">{i18n.t(Msg::ColEnabled)}</th>
                    <th scope="col">{i18n.t(Msg::ColActions)}</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
    .into_any()
}

/// An arrow that moves a rule one place (`disabled` at the end it cannot pass).
fn move_form(id: &str, up: bool, disabled: bool, label: String) -> impl IntoView {
    view! {
        <form method="post" action=MoveRule::PATH class="inline">
            <input type="hidden" name="id" value=id.to_string()/>
            <input type="hidden" name="up" value=up.to_string()/>
            <button type="submit" class="icon" aria-label=label disabled=disabled>{if up { "↑" } else { "↓" }}</button>
        </form>
    }
}

fn row(rule: &Rule, i: usize, last: bool, data: &RulesData, confirming: bool) -> impl IntoView {
    let i18n = use_i18n();
    let trigger = if rule.trigger_product_id == crate::domain::rule::ANY_PRODUCT {
        i18n.now(Msg::PvCatchAll).to_string()
    } else {
        product_label(&data.products, &rule.trigger_product_id)
    };
    let lang = i18n.now_lang();
    let conditions = super::who::conditions_text(lang, &rule.targeting, &data.products);
    let window = super::who::window_text(lang, &rule.targeting, data.now_ms);
    let find = |id: &str| data.products.iter().find(|p| p.id == id);
    let action = rule_action(
        rule.kind,
        find(&rule.trigger_product_id),
        find(&rule.offer_product_id),
        rule.terms.free_days,
    );
    let offer = if action == RuleAction::FreeTime {
        format!("{} {}", rule.terms.free_days, i18n.now(Msg::OfferDaysFree))
    } else {
        product_label(&data.products, &rule.offer_product_id)
    };
    let reason = rule
        .terms
        .cancel_reason
        .map(|r| i18n.now(super::editor::reason_msg(r)));
    let parent = rule.parent_rule_id.as_ref().and_then(|p| {
        data.rules
            .iter()
            .find(|r| &r.id == p)
            .map(|r| r.name.clone())
    });
    let enabled = rule.enabled;
    let state = i18n.now(if enabled { Msg::Enabled } else { Msg::Disabled });
    let actions = if confirming {
        view! {
            <form method="post" action=DeleteRule::PATH class="confirm" role="group">
                <input type="hidden" name="id" value=rule.id.clone()/>
                <input type="hidden" name="version" value=rule.version.to_string()/>
                <span>{i18n.t(Msg::ConfirmDelete)}</span>
                <button type="submit" class="danger" data-testid="confirm-delete" data-pending=i18n.now(Msg::Deleting) autofocus>
                    {i18n.t(Msg::Delete)}
                </button>
                <a class="button plain" href="/rules">{i18n.t(Msg::Cancel)}</a>
            </form>
        }
        .into_any()
    } else {
        view! {
            <a class="button plain" href=format!("/rules?edit={}#editor", rule.id)>{i18n.t(Msg::Edit)}</a>
            <a class="button danger" href=format!("/rules?delete={}", rule.id)>{i18n.t(Msg::Delete)}</a>
        }
        .into_any()
    };
    view! {
        <tr data-rule-id=rule.id.clone() class:disabled=!enabled>
            <td class="order">
                <span class="priority">{i + 1}</span>
                {move_form(&rule.id, true, i == 0, format!("{} {}", i18n.now(Msg::MoveUp), rule.name))}
                {move_form(&rule.id, false, last, format!("{} {}", i18n.now(Msg::MoveDown), rule.name))}
            </td>
            <td>
                <strong class="rule-name">{rule.name.clone()}</strong>
                <span class=format!("kind kind-{}", rule.kind.as_str())>{i18n.t(kind_msg(rule.kind))}</span>
                {rule.badge.clone().map(|b| view! { <span class="badge">{b}</span> })}
                {parent.map(|p| view! { <div class="sub">"↳ " {p}</div> })}
                {reason.map(|r| view! { <div class="sub">{r}</div> })}
                {conditions.map(|c| view! { <div class="sub conditions" data-testid="rule-conditions">{c}</div> })}
                {window.map(|(w, live)| view! { <div class=if live { "sub window live" } else { "sub window inert" } data-testid="rule-window">{w}</div> })}
            </td>
            <td>{trigger} " → " <strong>{offer}</strong> {(rule.quantity > 1).then(|| format!(" × {}", rule.quantity))}
                {rule.discount.is_set().then(|| view! { " " <span class="discount" data-testid="rule-discount">{format!("−{}%", rule.discount.percent)}</span> })}
            </td>
            <td class=format!("action action-{}", action_class(action)) data-testid="rule-action">{i18n.t(action_msg(action))}</td>
            <td>{i18n.t(when_msg(rule))}</td>
            <td>
                <form method="post" action=SetRuleEnabled::PATH class="inline">
                    <input type="hidden" name="id" value=rule.id.clone()/>
                    <input type="hidden" name="version" value=rule.version.to_string()/>
                    <input type="hidden" name="enabled" value=(!enabled).to_string()/>
                    <button type="submit" class="switch" role="switch" aria-checked=enabled.to_string()
                        aria-label=format!("{} {}", i18n.now(Msg::ColEnabled), rule.name)>
                        <span>{state}</span>
                    </button>
                </form>
            </td>
            <td class="actions">{actions}</td>
        </tr>
    }
}
