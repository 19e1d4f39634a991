use super::PageData;
use crate::api::rules::{DeleteRule, ReorderRules, SetRuleEnabled};
use crate::domain::rule::{ProductSummary, Rule};
use crate::ui::errors::error_text;
use crate::ui::i18n::{use_i18n, Msg};
use crate::ui::widgets::form_error as failed;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

pub(crate) fn kind_msg(k: crate::domain::rule::RuleKind) -> Msg {
    use crate::domain::rule::RuleKind::*;
    match k {
        Upsell => Msg::KindUpsell,
        CrossSell => Msg::KindCrossSell,
        Downsell => Msg::KindDownsell,
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
#[component]
pub(super) fn RuleTable(data: PageData, confirm: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    // A failed action comes back in the URL; the action of that path reads it on the server.
    let error = failed::<SetRuleEnabled>()
        .or_else(failed::<DeleteRule>)
        .or_else(failed::<ReorderRules>);
    if data.rules.is_empty() {
        return view! { <p class="empty" data-testid="no-rules">{i18n.t(Msg::NoRules)}</p> }
            .into_any();
    }
    let ids: Vec<String> = data.rules.iter().map(|r| r.id.clone()).collect();
    let count = ids.len();
    let rows = data
        .rules
        .iter()
        .enumerate()
        .map(|(i, rule)| {
            let order = |to: usize| {
                (to < count).then(|| {
                    let mut order = ids.clone();
                    order.swap(i, to);
                    order
                })
            };
            let confirming = confirm.as_deref() == Some(rule.id.as_str());
            row(
                rule,
                i,
                &data,
                i.checked_sub(1).and_then(order),
                order(i + 1),
                confirming,
            )
        })
        .collect_view();
    view! {
        {error.map(|e| view! { <div class="banner error" role="alert" data-testid="action-error"><p>{error_text(i18n.now_lang(), &e)}</p></div> })}
        <table class="rules" data-testid="rules-table">
            <thead>
                <tr>
                    <th scope="col">{i18n.t(Msg::ColOrder)}</th>
                    <th scope="col">{i18n.t(Msg::ColRule)}</th>
                    <th scope="col">{i18n.t(Msg::ColWhenOffer)}</th>
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

/// Moves a rule one place: the whole new order, as the reorder function takes it.
fn move_form(order: Option<Vec<String>>, label: String, arrow: &'static str) -> impl IntoView {
    let disabled = order.is_none();
    let inputs = order
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .map(|(n, id)| view! { <input type="hidden" name=format!("ids[{n}]") value=id/> })
        .collect_view();
    view! {
        <form method="post" action=ReorderRules::PATH class="inline">
            {inputs}
            <button type="submit" class="icon" aria-label=label disabled=disabled>{arrow}</button>
        </form>
    }
}

fn row(
    rule: &Rule,
    i: usize,
    data: &PageData,
    up: Option<Vec<String>>,
    down: Option<Vec<String>>,
    confirming: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let trigger = product_label(&data.products, &rule.trigger_product_id);
    let offer = product_label(&data.products, &rule.offer_product_id);
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
            <a class="button danger" href=format!("/rules?delete={}#rule-{}", rule.id, rule.id)>{i18n.t(Msg::Delete)}</a>
        }
        .into_any()
    };
    view! {
        <tr id=format!("rule-{}", rule.id) data-rule-id=rule.id.clone() class:disabled=!enabled>
            <td class="order">
                <span class="priority">{i + 1}</span>
                {move_form(up, format!("{} {}", i18n.now(Msg::MoveUp), rule.name), "↑")}
                {move_form(down, format!("{} {}", i18n.now(Msg::MoveDown), rule.name), "↓")}
            </td>
            <td>
                <strong class="rule-name">{rule.name.clone()}</strong>
                <span class=format!("kind kind-{}", rule.kind.as_str())>{i18n.t(kind_msg(rule.kind))}</span>
                {rule.badge.clone().map(|b| view! { <span class="badge">{b}</span> })}
                {parent.map(|p| view! { <div class="sub">"↳ " {p}</div> })}
            </td>
            <td>{trigger} " → " <strong>{offer}</strong> {(rule.quantity > 1).then(|| format!(" × {}", rule.quantity))}</td>
            <td>{i18n.t(timing_msg(rule.timing))}</td>
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
