//! Preview a change under all three modes side by side, choose one, confirm the amount,
//! execute, and follow the outcome until Dodo confirms it. Each step is a plain form or link;
//! the preview and the chosen mode live in the URL.
use super::{state_msg, View};
use crate::api::subscriptions::{get_preview, ExecuteChange, PreviewChange};
use crate::domain::money::format_money;
use crate::domain::proration::ProrationMode;
use crate::domain::rule::ProductSummary;
use crate::domain::subscription::{
    ChangeState, EffectiveAt, ModeQuote, OnPaymentFailure, PlanChangeView, PreviewView, ReasonCode,
    SubscriptionView,
};
use crate::domain::time::format_utc;
use crate::ui::i18n::{use_i18n, Msg};
use crate::ui::widgets::{field_of, form_error, ErrorBanner, FieldMsg, InlineError};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Meta;

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

pub(super) fn effective_msg(e: EffectiveAt) -> Msg {
    match e {
        EffectiveAt::Immediately => Msg::SubsImmediately,
        EffectiveAt::NextBillingDate => Msg::SubsNextBillingDate,
    }
}

pub(super) fn reason_msg(r: ReasonCode) -> Msg {
    match r {
        ReasonCode::CustomerRequest => Msg::SubsReasonCustomer,
        ReasonCode::BillingCorrection => Msg::SubsReasonBilling,
        ReasonCode::Retention => Msg::SubsReasonRetention,
        ReasonCode::Goodwill => Msg::SubsReasonGoodwill,
        ReasonCode::Other => Msg::SubsReasonOther,
    }
}

/// What the form shows as chosen: the preview's choice once there is one, else a first guess.
#[derive(Clone)]
struct Chosen {
    product_id: String,
    quantity: i64,
    effective: EffectiveAt,
    on_payment_failure: OnPaymentFailure,
}

impl Chosen {
    fn first_guess(sub: &SubscriptionView, products: &[ProductSummary]) -> Self {
        Self {
            // Another plan in the same currency, billed as often as this one when there is
            // such a plan (a monthly subscriber's likely move is another monthly plan, not a
            // year's price).
            product_id: products
                .iter()
                .filter(|p| p.currency == sub.currency && p.id != sub.product_id)
                .min_by_key(|p| {
                    !p.interval
                        .as_deref()
                        .is_some_and(|i| i.eq_ignore_ascii_case(&sub.interval))
                })
                .map(|p| p.id.clone())
                .unwrap_or_default(),
            quantity: sub.quantity,
            effective: EffectiveAt::Immediately,
            on_payment_failure: OnPaymentFailure::PreventChange,
        }
    }

    fn of(p: &PreviewView) -> Self {
        Self {
            product_id: p.to_product_id.clone(),
            quantity: p.to_quantity,
            effective: p.effective,
            on_payment_failure: p.on_payment_failure,
        }
    }
}

#[component]
pub(super) fn ChangePanel(
    customer: String,
    sub: SubscriptionView,
    products: Vec<ProductSummary>,
    v: View,
) -> impl IntoView {
    let i18n = use_i18n();
    let guess = Chosen::first_guess(&sub, &products);
    let body = match v.change.clone() {
        None => view! { <ChangeForm sub=sub.clone() products chosen=guess/> }.into_any(),
        Some(id) => {
            let res = Resource::new(move || id.clone(), get_preview);
            let (sub, v) = (sub.clone(), v.clone());
            view! {
                <Suspense fallback=|| ()>
                    {move || res.get().map(|r| match r {
                        Ok(p) => view! {
                            <ChangeForm sub=sub.clone() products=products.clone() chosen=Chosen::of(&p)/>
                            <Modes p=p.clone() v=v.clone()/>
                            <Confirm p v=v.clone()/>
                        }.into_any(),
                        Err(e) => view! {
                            <ChangeForm sub=sub.clone() products=products.clone() chosen=guess.clone()/>
                            <InlineError error=Some(e)/>
                        }.into_any(),
                    })}
                </Suspense>
            }
            .into_any()
        }
    };
    let execute_error = form_error::<ExecuteChange>().map(|e| view! { <ErrorBanner error=e/> });
    // Dodo keeps one scheduled change per subscription: said before the agent prepares another.
    let scheduled = sub.scheduled.clone().map(|s| {
        view! {
            <p class="flag bad" data-testid="scheduled-first">
                {i18n.t(Msg::SubsScheduledTo)} " " {s.product_name} " × " {s.quantity} " · "
                {format_utc(s.effective_at)} ". " {i18n.t(Msg::SubsCancelScheduledFirst)}
            </p>
        }
    });
    view! {
        <section class="change-panel" aria-labelledby="change-title" data-testid="change-panel">
            <h2 id="change-title">{i18n.t(Msg::SubsChangePlan)} " — " {customer} ", " {sub.product_name.clone()} " × " {sub.quantity}
                " (" {format_money(sub.recurring_amount, &sub.currency)} ")"</h2>
            {scheduled}
            {body}
            {execute_error}
        </section>
    }
}

#[component]
fn ChangeForm(
    sub: SubscriptionView,
    products: Vec<ProductSummary>,
    chosen: Chosen,
) -> impl IntoView {
    let i18n = use_i18n();
    let error = form_error::<PreviewChange>();
    let top = error.clone().filter(|e| e.fields.is_empty());
    let options = products
        .iter()
        .filter(|p| p.currency == sub.currency)
        .map(|p| {
            let label = format!("{} — {}", p.name, p.price_label());
            view! { <option value=p.id.clone() selected=p.id == chosen.product_id>{label}</option> }
        })
        .collect_view();
    let now = chosen.effective == EffectiveAt::Immediately;
    let prevent = chosen.on_payment_failure == OnPaymentFailure::PreventChange;
    view! {
        <form class="form" method="post" action=PreviewChange::PATH novalidate=true>
            <input type="hidden" name="subscription_id" value=sub.id.clone()/>
            <div class="row">
                <div class="field">
                    <label for="change-product">{i18n.t(Msg::SubsTarget)}</label>
                    <select id="change-product" name="product_id" aria-describedby="change-product-error">{options}</select>
                    <FieldMsg id="change-product-error".into() error=field_of(&error, "product_id")/>
                </div>
                <div class="field">
                    <label for="change-quantity">{i18n.t(Msg::SubsQuantity)}</label>
                    <input id="change-quantity" name="quantity" type="number" min="1" max="100" aria-describedby="change-quantity-error"
                        value=chosen.quantity.to_string()/>
                    <FieldMsg id="change-quantity-error".into() error=field_of(&error, "quantity")/>
                </div>
            </div>
            <div class="row">
                <div class="field">
                    <label for="change-effective">{i18n.t(Msg::SubsEffective)}</label>
                    <select id="change-effective" name="effective_at">
                        <option value="immediately" selected=now>{i18n.t(effective_msg(EffectiveAt::Immediately))}</option>
                        <option value="next_billing_date" selected=!now>{i18n.t(effective_msg(EffectiveAt::NextBillingDate))}</option>
                    </select>
                </div>
                <div class="field">
                    <label for="change-failure">{i18n.t(Msg::SubsOnFailure)}</label>
                    <select id="change-failure" name="on_payment_failure">
                        <option value="prevent_change" selected=prevent>{i18n.t(Msg::SubsPreventChange)}</option>
                        <option value="apply_change" selected=!prevent>{i18n.t(Msg::SubsApplyChange)}</option>
                    </select>
                </div>
            </div>
            <InlineError error=top/>
            <button type="submit" class="primary" data-testid="preview" data-pending=i18n.now(Msg::SubsPreviewing)>
                {i18n.t(Msg::SubsPreview)}
            </button>
        </form>
    }
}

/// A line's share of the period, to two decimals: one decimal ("50.0%") hid that 49.99% of
/// $150.00 is $74.99.
fn share(factor: f64) -> String {
    format!("{:.2}%", factor * 100.0)
}

#[component]
fn Modes(p: PreviewView, v: View) -> impl IntoView {
    let i18n = use_i18n();
    let effective = p.effective;
    let to_amount = p.to_amount;
    view! {
        <p class="lead" id="modes">{p.from_product_name.clone()} " × " {p.from_quantity} " (" {format_money(p.from_amount, &p.currency)} ") → "
            {p.to_product_name.clone()} " × " {p.to_quantity} " (" {format_money(p.to_amount, &p.currency)} ")"</p>
        <div class="modes" role="group" aria-label=i18n.t(Msg::SubsColMode)>
            {p.quotes.into_iter().map(|q| {
                let mode = q.mode;
                let cur = q.currency.clone();
                let credit = q.credit();
                let chosen = v.mode.as_deref() == Some(mode.as_str());
                let href = format!("{}#confirm-title", v.href(&[("mode", mode.as_str())]));
                view! {
                    <article class="mode-card" class:chosen=chosen data-testid=format!("mode-{}", mode.as_str())>
                        <h3>{i18n.t(mode_msg(mode))} " " <code class="small">{mode.as_str()}</code></h3>
                        <p>{i18n.t(Msg::SubsChargedNow)} ": " <strong data-testid="charge">{format_money(q.total_amount, &cur)}</strong></p>
                        {(credit > 0).then(|| view! {
                            <p>{i18n.t(Msg::SubsCredit)} ": " <strong data-testid="credit">{format_money(credit, &cur)}</strong></p>
                        })}
                        <p class="small">{i18n.t(Msg::SubsTakesEffect)} ": " {format_utc(q.effective_at)}</p>
                        // Scheduled: nothing now in any mode; what the new plan bills, and when, is the news.
                        {(effective == EffectiveAt::NextBillingDate).then(|| view! {
                            <p data-testid="billed-from">{i18n.t(Msg::SubsBilledFrom)} " " {format_utc(q.effective_at)} ": "
                                <strong>{format_money(to_amount, &cur)}</strong></p>
                        })}
                        <p class="small">{i18n.t(Msg::SubsNewNextBilling)} ": " {format_utc(q.next_billing_date)}</p>
                        {(!q.line_items.is_empty()).then(|| view! {
                            <ul class="small" aria-label=i18n.t(Msg::SubsLineItems)>
                                {q.line_items.iter().map(|l| view! {
                                    <li>{l.name.clone()} " × " {l.quantity} " @ " {format_money(l.unit_price, &cur)}
                                        " × " {share(l.proration_factor)} " = " {format_money(l.amount(), &cur)}</li>
                                }).collect_view()}
                                {q.credit_used_row().map(|used| view! {
                                    <li data-testid="credit-used">{i18n.t(Msg::SubsCreditUsed)} ": " {format_money(used, &cur)}</li>
                                })}
                            </ul>
                            {(!q.lines_add_up()).then(|| view! {
                                <p class="small" data-testid="lines-note">{i18n.t(Msg::SubsLinesNote)}</p>
                            })}
                        })}
                        <p class="explain">{i18n.t(explain(mode, effective))}</p>
                        {q.needs_approval.then(|| view! { <p class="flag bad">{i18n.t(Msg::SubsNeedsApproval)}</p> })}
                        <a class="button plain" href=href data-testid="choose" aria-current=chosen.then_some("true")>{i18n.t(Msg::SubsChoose)}</a>
                    </article>
                }
            }).collect_view()}
        </div>
    }
}

#[component]
fn Confirm(p: PreviewView, v: View) -> impl IntoView {
    let i18n = use_i18n();
    let q: Option<ModeQuote> = v
        .mode
        .as_deref()
        .and_then(|m| p.quotes.iter().find(|q| q.mode.as_str() == m).cloned());
    q.map(|q| {
        let needs = q.needs_approval;
        let cur = q.currency.clone();
        let amount = q.total_amount;
        let mode = q.mode;
        view! {
            <form method="post" action=ExecuteChange::PATH class="confirm banner" role="region" aria-labelledby="confirm-title" data-testid="confirm">
                <input type="hidden" name="change_id" value=p.change_id.clone()/>
                <input type="hidden" name="mode" value=mode.as_str()/>
                <input type="hidden" name="confirm_amount" value=amount.to_string()/>
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
                        <select id="change-reason" name="reason_code">
                            {ReasonCode::ALL.into_iter().map(|r| view! { <option value=r.as_str()>{i18n.t(reason_msg(r))}</option> }).collect_view()}
                        </select>
                        <label for="change-note">{i18n.t(Msg::SubsReasonNote)}</label>
                        <input id="change-note" name="reason_note" type="text" maxlength="500"/>
                    </div>
                })}
                <button type="submit" class="primary" data-testid="execute" data-pending=i18n.now(Msg::SubsExecuting)>
                    {i18n.t(if needs { Msg::SubsRequestApproval } else { Msg::SubsExecute })}
                </button>
            </form>
        }
    })
}

/// The change just made. Until its outcome and the charged amount are known, the page looks
/// again every second (the server reads Dodo back when the webhooks are overdue), at most 120
/// times, so a lost webhook cannot poll forever.
#[component]
pub(super) fn Outcome(o: PlanChangeView, v: View) -> impl IntoView {
    let i18n = use_i18n();
    let ok = matches!(o.state, ChangeState::Applied | ChangeState::Scheduled);
    let waiting = o.state == ChangeState::Executing
        || (o.state == ChangeState::Applied
            && o.charged_amount.is_none()
            && o.previewed_amount.unwrap_or(0) > 0);
    let again = (waiting && v.polls < 120).then(|| {
        let n = (v.polls + 1).to_string();
        view! { <Meta http_equiv="refresh" content=format!("1;url={}", v.href(&[("n", &n)]))/> }
    });
    view! {
        {again}
        <div class="banner" class:error=o.state == ChangeState::Failed role="status" aria-live="polite"
            data-testid="change-result" data-state=o.state.as_str()>
            <p class:ok=ok><strong>{i18n.t(state_msg(o.state))}</strong></p>
            {o.charged_amount.map(|c| view! { <p>{i18n.t(Msg::SubsColCharged)} ": " <span data-testid="charged">{format_money(c, &o.currency)}</span></p> })}
            {o.previewed_credit.filter(|c| *c > 0).map(|c| view! { <p>{i18n.t(Msg::SubsCredit)} ": " {format_money(c, &o.currency)}</p> })}
            {o.failure_message.clone().map(|m| view! { <p>{m}</p> })}
            {o.mismatch().then(|| view! { <p class="flag bad">{i18n.t(Msg::SubsMismatch)}</p> })}
        </div>
    }
}
