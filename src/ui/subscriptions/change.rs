//! Preview a change under all three modes side by side, choose one, confirm the amount,
//! execute, and follow the outcome until Dodo confirms it.
use super::{state_msg, Ctx};
use crate::api::subscriptions::{ExecuteChange, PreviewChange};
use crate::domain::money::format_money;
use crate::domain::proration::ProrationMode;
use crate::domain::rule::ProductSummary;
use crate::domain::subscription::{
    ChangeState, EffectiveAt, ModeQuote, PlanChangeView, PreviewView, ReasonCode, SubscriptionView,
};
use crate::domain::time::format_utc;
use crate::ui::errors::error_text;
use crate::ui::i18n::{use_i18n, Msg};
use crate::ui::widgets::FieldMsg;
use leptos::prelude::*;

pub(super) fn mode_msg(m: ProrationMode) -> Msg {
    match m {
        ProrationMode::ProratedImmediately => Msg::SubsModeProrated,
        ProrationMode::DifferenceImmediately => Msg::SubsModeDifference,
        ProrationMode::FullImmediately => Msg::SubsModeFull,
    }
}

fn explain(m: ProrationMode, effective: EffectiveAt) -> Msg {
    match (effective, m) {
        (EffectiveAt::NextBillingDate, _) => Msg::SubsExplainScheduled,
        (_, ProrationMode::ProratedImmediately) => Msg::SubsExplainProrated,
        (_, ProrationMode::DifferenceImmediately) => Msg::SubsExplainDifference,
        (_, ProrationMode::FullImmediately) => Msg::SubsExplainFull,
    }
}

fn reason_msg(r: ReasonCode) -> Msg {
    match r {
        ReasonCode::CustomerRequest => Msg::SubsReasonCustomer,
        ReasonCode::BillingCorrection => Msg::SubsReasonBilling,
        ReasonCode::Retention => Msg::SubsReasonRetention,
        ReasonCode::Goodwill => Msg::SubsReasonGoodwill,
        ReasonCode::Other => Msg::SubsReasonOther,
    }
}

#[component]
pub(super) fn ChangePanel(
    customer: String,
    sub: SubscriptionView,
    products: Vec<ProductSummary>,
) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = expect_context::<Ctx>();
    let targets: Vec<ProductSummary> = products
        .into_iter()
        .filter(|p| p.currency == sub.currency)
        .collect();
    let first = targets
        .iter()
        .find(|p| p.id != sub.product_id)
        .map(|p| p.id.clone())
        .unwrap_or_default();
    let product = RwSignal::new(first);
    let quantity = RwSignal::new(sub.quantity.to_string());
    let effective = RwSignal::new(EffectiveAt::Immediately);
    let on_failure = RwSignal::new("prevent_change".to_string());
    let chosen = RwSignal::new(None::<ProrationMode>);
    let reason = RwSignal::new(ReasonCode::CustomerRequest);
    let note = RwSignal::new(String::new());
    let preview = ServerAction::<PreviewChange>::new();
    let execute = ServerAction::<ExecuteChange>::new();
    let sub_id = sub.id.clone();
    let on_preview = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        chosen.set(None);
        ctx.last.set(None);
        preview.dispatch(PreviewChange {
            subscription_id: sub_id.clone(),
            product_id: product.get_untracked(),
            quantity: quantity.get_untracked().trim().parse().unwrap_or(0),
            effective_at: effective.get_untracked().as_str().to_string(),
            on_payment_failure: on_failure.get_untracked(),
        });
    };
    // The reply becomes the page's latest outcome (kept across the reload it triggers).
    Effect::new(move |_| {
        if let Some(Ok(v)) = execute.value().get() {
            ctx.last.set(Some(v));
            ctx.refresh();
        }
    });
    let field_err = move |name: &'static str| {
        Signal::derive(move || {
            preview
                .value()
                .get()
                .and_then(|r| r.err())
                .and_then(|e| e.field(name).cloned())
        })
    };
    let top_err = move || {
        preview
            .value()
            .get()
            .and_then(|r| r.err())
            .filter(|e| e.fields.is_empty())
            .map(|e| view! { <p class="field-error" role="alert">{move || error_text(i18n.0.get(), &e)}</p> })
    };
    let options = targets
        .iter()
        .map(|p| {
            let id = p.id.clone();
            let label = format!("{} — {}", p.name, p.price_label());
            view! { <option value=id.clone() selected=move || product.get() == id>{label}</option> }
        })
        .collect_view();
    view! {
        <section class="change-panel" aria-labelledby="change-title" data-testid="change-panel">
            <h2 id="change-title">{i18n.t(Msg::SubsChangePlan)} " — " {customer} ", " {sub.product_name.clone()} " × " {sub.quantity}
                " (" {format_money(sub.recurring_amount, &sub.currency)} ")"</h2>
            <form class="form" on:submit=on_preview novalidate=true>
                <div class="row">
                    <div class="field">
                        <label for="change-product">{i18n.t(Msg::SubsTarget)}</label>
                        <select id="change-product" aria-describedby="change-product-error"
                            on:change=move |ev| product.set(event_target_value(&ev))>{options}</select>
                        <FieldMsg id="change-product-error".into() error=field_err("product_id")/>
                    </div>
                    <div class="field">
                        <label for="change-quantity">{i18n.t(Msg::SubsQuantity)}</label>
                        <input id="change-quantity" type="number" min="1" max="100" aria-describedby="change-quantity-error"
                            prop:value=quantity on:input=move |ev| quantity.set(event_target_value(&ev))/>
                        <FieldMsg id="change-quantity-error".into() error=field_err("quantity")/>
                    </div>
                </div>
                <div class="row">
                    <div class="field">
                        <label for="change-effective">{i18n.t(Msg::SubsEffective)}</label>
                        <select id="change-effective" on:change=move |ev| effective.set(EffectiveAt::parse(&event_target_value(&ev)).unwrap_or(EffectiveAt::Immediately))>
                            <option value="immediately">{i18n.t(Msg::SubsImmediately)}</option>
                            <option value="next_billing_date">{i18n.t(Msg::SubsNextBillingDate)}</option>
                        </select>
                    </div>
                    <div class="field">
                        <label for="change-failure">{i18n.t(Msg::SubsOnFailure)}</label>
                        <select id="change-failure" on:change=move |ev| on_failure.set(event_target_value(&ev))>
                            <option value="prevent_change">{i18n.t(Msg::SubsPreventChange)}</option>
                            <option value="apply_change">{i18n.t(Msg::SubsApplyChange)}</option>
                        </select>
                    </div>
                </div>
                {top_err}
                <button type="submit" class="primary" data-testid="preview" disabled=preview.pending()>
                    {move || i18n.now(if preview.pending().get() { Msg::SubsPreviewing } else { Msg::SubsPreview })}
                </button>
            </form>
            {move || preview.value().get().and_then(|r| r.ok()).map(|p| view! {
                <Modes p=p.clone() chosen/>
                <Confirm p chosen reason note execute/>
            })}
            {move || execute.value().get().and_then(|r| r.err()).map(|e| view! {
                <div class="banner error" role="alert" data-testid="execute-error"><p>{move || error_text(i18n.0.get(), &e)}</p></div>
            })}
        </section>
    }
}

#[component]
fn Modes(p: PreviewView, chosen: RwSignal<Option<ProrationMode>>) -> impl IntoView {
    let i18n = use_i18n();
    let effective = p.effective;
    view! {
        <p class="lead">{p.from_product_name.clone()} " × " {p.from_quantity} " (" {format_money(p.from_amount, &p.currency)} ") → "
            {p.to_product_name.clone()} " × " {p.to_quantity} " (" {format_money(p.to_amount, &p.currency)} ")"</p>
        <div class="modes" role="group" aria-label=i18n.t(Msg::SubsColMode)>
            {p.quotes.into_iter().map(|q| {
                let mode = q.mode;
                let cur = q.currency.clone();
                let credit = q.credit();
                view! {
                    <article class="mode-card" class:chosen=move || chosen.get() == Some(mode)
                        data-testid=format!("mode-{}", mode.as_str())>
                        <h3>{i18n.t(mode_msg(mode))} " " <code class="small">{mode.as_str()}</code></h3>
                        <p>{i18n.t(Msg::SubsChargedNow)} ": " <strong data-testid="charge">{format_money(q.total_amount, &cur)}</strong></p>
                        {(credit > 0).then(|| view! {
                            <p>{i18n.t(Msg::SubsCredit)} ": " <strong data-testid="credit">{format_money(credit, &cur)}</strong></p>
                        })}
                        <p class="small">{i18n.t(Msg::SubsTakesEffect)} ": " {format_utc(q.effective_at)}</p>
                        <p class="small">{i18n.t(Msg::SubsNewNextBilling)} ": " {format_utc(q.next_billing_date)}</p>
                        {(!q.line_items.is_empty()).then(|| view! {
                            <ul class="small" aria-label=i18n.t(Msg::SubsLineItems)>
                                {q.line_items.iter().map(|l| view! {
                                    <li>{l.name.clone()} " × " {l.quantity} " @ " {format_money(l.unit_price, &cur)}
                                        " · " {format!("{:.1}%", l.proration_factor * 100.0)}</li>
                                }).collect_view()}
                            </ul>
                        })}
                        <p class="explain">{i18n.t(explain(mode, effective))}</p>
                        {q.needs_approval.then(|| view! { <p class="flag bad">{i18n.t(Msg::SubsNeedsApproval)}</p> })}
                        <button type="button" data-testid="choose" aria-pressed=move || (chosen.get() == Some(mode)).to_string()
                            on:click=move |_| chosen.set(Some(mode))>{i18n.t(Msg::SubsChoose)}</button>
                    </article>
                }
            }).collect_view()}
        </div>
    }
}

#[component]
fn Confirm(
    p: PreviewView,
    chosen: RwSignal<Option<ProrationMode>>,
    reason: RwSignal<ReasonCode>,
    note: RwSignal<String>,
    execute: ServerAction<ExecuteChange>,
) -> impl IntoView {
    let i18n = use_i18n();
    let quotes = StoredValue::new(p.quotes.clone());
    let change_id = p.change_id.clone();
    let pick = move || -> Option<ModeQuote> {
        let m = chosen.get()?;
        quotes.with_value(|qs| qs.iter().find(|q| q.mode == m).cloned())
    };
    move || {
        pick().map(|q| {
            let needs = q.needs_approval;
            let cur = q.currency.clone();
            let change_id = change_id.clone();
            let amount = q.total_amount;
            let mode = q.mode;
            let go = move |_| {
                execute.dispatch(ExecuteChange {
                    change_id: change_id.clone(),
                    mode: mode.as_str().to_string(),
                    confirm_amount: amount,
                    reason_code: needs.then(|| reason.get_untracked().as_str().to_string()),
                    reason_note: needs.then(|| note.get_untracked()),
                });
            };
            view! {
                <div class="confirm banner" role="region" aria-labelledby="confirm-title" data-testid="confirm">
                    <h3 id="confirm-title">{i18n.t(Msg::SubsConfirmTitle)} " — " {i18n.t(mode_msg(mode))}</h3>
                    {if amount > 0 {
                        view! { <p>{i18n.t(Msg::SubsConfirmCharge)} " " <strong data-testid="confirm-amount">{format_money(amount, &cur)}</strong></p> }.into_any()
                    } else {
                        view! { <p>{i18n.t(Msg::SubsConfirmCredit)} " " <strong data-testid="confirm-amount">{format_money(q.credit(), &cur)}</strong></p> }.into_any()
                    }}
                    {needs.then(|| view! {
                        <p class="flag bad">{i18n.t(Msg::SubsNeedsApproval)}</p>
                        <div class="field">
                            <label for="change-reason">{i18n.t(Msg::SubsReason)}</label>
                            <select id="change-reason" on:change=move |ev| reason.set(ReasonCode::parse(&event_target_value(&ev)).unwrap_or(ReasonCode::Other))>
                                {ReasonCode::ALL.into_iter().map(|r| view! { <option value=r.as_str()>{i18n.t(reason_msg(r))}</option> }).collect_view()}
                            </select>
                            <label for="change-note">{i18n.t(Msg::SubsReasonNote)}</label>
                            <input id="change-note" type="text" maxlength="500" prop:value=note on:input=move |ev| note.set(event_target_value(&ev))/>
                        </div>
                    })}
                    <button type="button" class="primary" data-testid="execute" disabled=execute.pending() on:click=go>
                        {move || i18n.now(if execute.pending().get() { Msg::SubsExecuting } else if needs { Msg::SubsRequestApproval } else { Msg::SubsExecute })}
                    </button>
                </div>
            }
        })
    }
}

#[component]
pub(super) fn Outcome(v: PlanChangeView) -> impl IntoView {
    let i18n = use_i18n();
    let ok = matches!(v.state, ChangeState::Applied | ChangeState::Scheduled);
    view! {
        <div class="banner" class:error=v.state == ChangeState::Failed role="status" aria-live="polite"
            data-testid="change-result" data-state=v.state.as_str()>
            <p class:ok=ok><strong>{i18n.t(state_msg(v.state))}</strong></p>
            {v.charged_amount.map(|c| view! { <p>{i18n.t(Msg::SubsColCharged)} ": " <span data-testid="charged">{format_money(c, &v.currency)}</span></p> })}
            {v.previewed_credit.filter(|c| *c > 0).map(|c| view! { <p>{i18n.t(Msg::SubsCredit)} ": " {format_money(c, &v.currency)}</p> })}
            {v.failure_message.clone().map(|m| view! { <p>{m}</p> })}
            {v.mismatch().then(|| view! { <p class="flag bad">{i18n.t(Msg::SubsMismatch)}</p> })}
        </div>
    }
}
