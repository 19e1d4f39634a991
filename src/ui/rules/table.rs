use super::Ctx;
use crate::api::rules::{DeleteRule, ReorderRules, RulesData as PageData, SetRuleEnabled};
use crate::domain::rule::{ProductSummary, Rule};
use crate::ui::errors::error_text;
use crate::ui::i18n::{use_i18n, Msg};
use leptos::prelude::*;

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

#[component]
pub(super) fn RuleTable(data: StoredValue<PageData>) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = expect_context::<Ctx>();
    let toggle = ServerAction::<SetRuleEnabled>::new();
    let delete = ServerAction::<DeleteRule>::new();
    let reorder = ServerAction::<ReorderRules>::new();
    let confirm: RwSignal<Option<String>> = RwSignal::new(None);
    let busy = Signal::derive(move || {
        toggle.pending().get() || delete.pending().get() || reorder.pending().get()
    });

    // Each finished action reports its result and refreshes the list.
    Effect::new(move |_| {
        if let Some(r) = toggle.value().get() {
            ctx.status.set(Some(match r {
                Ok(rule) => format!(
                    "{} — {}",
                    rule.name,
                    i18n.now(if rule.enabled {
                        Msg::ActEnable
                    } else {
                        Msg::ActDisable
                    })
                ),
                Err(e) => error_text(i18n.0.get_untracked(), &e),
            }));
            ctx.refresh();
        }
    });
    Effect::new(move |_| {
        if let Some(r) = delete.value().get() {
            ctx.status.set(Some(match r {
                Ok(()) => i18n.now(Msg::RuleDeleted).to_string(),
                Err(e) => error_text(i18n.0.get_untracked(), &e),
            }));
            confirm.set(None);
            ctx.refresh();
        }
    });
    Effect::new(move |_| {
        if let Some(r) = reorder.value().get() {
            ctx.status.set(Some(match r {
                Ok(_) => i18n.now(Msg::OrderSaved).to_string(),
                Err(e) => error_text(i18n.0.get_untracked(), &e),
            }));
            ctx.refresh();
        }
    });

    let rules = data.with_value(|d| d.rules.clone());
    let ids: Vec<String> = rules.iter().map(|r| r.id.clone()).collect();
    let count = rules.len();
    let move_rule = move |from: usize, to: usize| {
        let mut order = ids.clone();
        order.swap(from, to);
        reorder.dispatch(ReorderRules { ids: order });
    };
    if rules.is_empty() {
        return view! { <p class="empty" data-testid="no-rules">{i18n.t(Msg::NoRules)}</p> }
            .into_any();
    }
    let rows = rules
        .into_iter()
        .enumerate()
        .map(|(i, rule)| {
            let move_rule = move_rule.clone();
            let move_rule2 = move_rule.clone();
            view! { <Row rule i count data toggle delete confirm busy on_up=move || move_rule(i, i - 1) on_down=move || move_rule2(i, i + 1)/> }
        })
        .collect_view();
    view! {
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

#[allow(clippy::too_many_arguments)]
#[component]
fn Row(
    rule: Rule,
    i: usize,
    count: usize,
    data: StoredValue<PageData>,
    toggle: ServerAction<SetRuleEnabled>,
    delete: ServerAction<DeleteRule>,
    confirm: RwSignal<Option<String>>,
    busy: Signal<bool>,
    on_up: impl Fn() + Send + Sync + 'static,
    on_down: impl Fn() + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = expect_context::<Ctx>();
    let (trigger, offer, parent) = data.with_value(|d| {
        (
            product_label(&d.products, &rule.trigger_product_id),
            product_label(&d.products, &rule.offer_product_id),
            rule.parent_rule_id
                .as_ref()
                .and_then(|p| d.rules.iter().find(|r| &r.id == p).map(|r| r.name.clone())),
        )
    });
    let id = rule.id.clone();
    let version = rule.version;
    let enabled = rule.enabled;
    let name = rule.name.clone();
    let toggle_id = format!("enabled-{}", rule.id);
    let edit_rule = rule.clone();
    let confirming = {
        let id = id.clone();
        move || confirm.get().as_deref() == Some(id.as_str())
    };
    let del_id = id.clone();
    let ask_id = id.clone();
    view! {
        <tr data-rule-id=rule.id.clone() class:disabled=!enabled>
            <td class="order">
                <span class="priority">{i + 1}</span>
                <button type="button" class="icon" aria-label=move || format!("{} {}", i18n.now(Msg::MoveUp), name)
                    disabled=move || busy.get() || i == 0 on:click=move |_| on_up()>"↑"</button>
                <button type="button" class="icon" aria-label=move || format!("{} {}", i18n.now(Msg::MoveDown), rule.name)
                    disabled=move || busy.get() || i + 1 == count on:click=move |_| on_down()>"↓"</button>
            </td>
            <td>
                <strong class="rule-name">{edit_rule.name.clone()}</strong>
                <span class=format!("kind kind-{}", rule.kind.as_str())>{i18n.t(kind_msg(rule.kind))}</span>
                {rule.badge.clone().map(|b| view! { <span class="badge">{b}</span> })}
                {parent.map(|p| view! { <div class="sub">"↳ " {p}</div> })}
            </td>
            <td>{trigger} " → " <strong>{offer}</strong> {(rule.quantity > 1).then(|| format!(" × {}", rule.quantity))}</td>
            <td>{i18n.t(timing_msg(rule.timing))}</td>
            <td>
                <label class="switch" for=toggle_id.clone()>
                    <input type="checkbox" id=toggle_id.clone() role="switch" prop:checked=enabled disabled=busy
                        on:change={
                            let id = id.clone();
                            move |_| { toggle.dispatch(SetRuleEnabled { id: id.clone(), version, enabled: !enabled }); }
                        }/>
                    <span>{move || i18n.now(if enabled { Msg::Enabled } else { Msg::Disabled })}</span>
                </label>
            </td>
            <td class="actions">
                <button type="button" on:click=move |_| {
                    ctx.error.set(None);
                    ctx.editing.set(Some(edit_rule.to_draft()));
                }>{i18n.t(Msg::Edit)}</button>
                <Show when=confirming.clone() fallback=move || {
                    let ask_id = ask_id.clone();
                    view! { <button type="button" class="danger" disabled=busy on:click=move |_| confirm.set(Some(ask_id.clone()))>{i18n.t(Msg::Delete)}</button> }
                }>
                    <span class="confirm" role="group">
                        <span>{i18n.t(Msg::ConfirmDelete)}</span>
                        <button type="button" class="danger" data-testid="confirm-delete" disabled=busy
                            on:click={
                                let del_id = del_id.clone();
                                move |_| { delete.dispatch(DeleteRule { id: del_id.clone(), version }); }
                            }>
                            {move || i18n.now(if delete.pending().get() { Msg::Deleting } else { Msg::Delete })}
                        </button>
                        <button type="button" on:click=move |_| confirm.set(None)>{i18n.t(Msg::Cancel)}</button>
                    </span>
                </Show>
            </td>
        </tr>
    }
}
