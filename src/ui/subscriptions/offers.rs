//! One customer's offers: when, which rule, what it offered and for how much now and after,
//! where it stands, and what it caused (a payment, a plan change, a kept or ended subscription).
use super::state_msg;
use crate::domain::customer_offer::{CustomerOfferView, SaveState};
use crate::domain::money::format_money;
use crate::domain::offer::OfferState;
use crate::domain::offer_action::OfferAction;
use crate::domain::time::format_utc;
use crate::ui::i18n::{use_i18n, Msg};
use leptos::prelude::*;

fn action_msg(a: OfferAction) -> Msg {
    match a {
        OfferAction::OneTime => Msg::ActionOneTime,
        OfferAction::NewSubscription => Msg::SubsOfferNewSubscription,
        OfferAction::PlanChange => Msg::ActionPlanChange,
        OfferAction::FreeTime => Msg::ActionFreeTime,
    }
}

fn offer_state_msg(s: OfferState) -> Msg {
    match s {
        OfferState::Pending => Msg::SubsOfferPending,
        OfferState::Charging => Msg::SubsOfferCharging,
        OfferState::Paid => Msg::SubsOfferPaid,
        OfferState::Failed => Msg::SubsOfferFailed,
        OfferState::Declined => Msg::SubsOfferDeclined,
        OfferState::Expired => Msg::SubsOfferExpired,
        OfferState::Fallback => Msg::SubsOfferFallback,
    }
}

fn save_msg(s: SaveState) -> Msg {
    match s {
        SaveState::Offered => Msg::SubsSaveOffered,
        SaveState::Saved => Msg::SubsSaveSaved,
        SaveState::Cancelling => Msg::SubsSaveCancelling,
        SaveState::Cancelled => Msg::SubsSaveCancelled,
    }
}

/// The customer's offers as a table (or a line saying there are none).
#[component]
pub(super) fn CustomerOffers(customer_id: String, offers: Vec<CustomerOfferView>) -> impl IntoView {
    let i18n = use_i18n();
    let heading = format!("offers-{customer_id}");
    let labelled = heading.clone();
    view! {
        <section class="customer-offers" aria-labelledby=labelled>
            <h3 id=heading>{i18n.t(Msg::SubsOffers)}</h3>
            {if offers.is_empty() {
                view! { <p data-testid="no-offers">{i18n.t(Msg::SubsNoOffers)}</p> }.into_any()
            } else {
                view! {
                    <table class="history offers" data-testid="customer-offers">
                        <caption class="small">{i18n.t(Msg::SubsOffersCaption)}</caption>
                        <thead><tr>
                            <th scope="col">{i18n.t(Msg::SubsColWhen)}</th>
                            <th scope="col">{i18n.t(Msg::SubsOfferColRule)}</th>
                            <th scope="col">{i18n.t(Msg::SubsOfferColOffered)}</th>
                            <th scope="col">{i18n.t(Msg::SubsOfferColNow)}</th>
                            <th scope="col">{i18n.t(Msg::SubsOfferColAfter)}</th>
                            <th scope="col">{i18n.t(Msg::SubsOfferColState)}</th>
                            <th scope="col">{i18n.t(Msg::SubsOfferColResult)}</th>
                        </tr></thead>
                        <tbody>{offers.into_iter().map(|o| view! { <OfferRow o/> }).collect_view()}</tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn OfferRow(o: CustomerOfferView) -> impl IntoView {
    let i18n = use_i18n();
    let after = o.recurring_label().unwrap_or_else(|| "—".into());
    let quantity = (o.quantity > 1).then(|| format!(" × {}", o.quantity));
    let free = o.free_days.filter(|d| *d > 0);
    let nothing = o.payment_id.is_none()
        && o.plan_change.is_none()
        && o.save.is_none()
        && o.failure_message.is_none();
    view! {
        <tr data-testid="offer-row" data-id=o.id.clone() data-state=o.state.as_str()
            data-action=o.action.as_str()
            data-save=o.save.as_ref().and_then(|s| s.state).map(SaveState::as_str)>
            <th scope="row">{format_utc(o.created_at)}</th>
            <td>{match o.rule_name {
                Some(name) => view! { <span>{name}</span> }.into_any(),
                None => view! { <span class="small">{i18n.t(Msg::SubsOfferRuleDeleted)}</span> }.into_any(),
            }}</td>
            <td>{o.product_name.clone()} {quantity}
                <br/><span class="small" data-testid="offer-action">{i18n.t(action_msg(o.action))}
                    {free.map(|d| view! { " · " {d} " " {i18n.t(Msg::SubsOfferFreeDays)} })}</span>
                {o.save.is_some().then(|| view! { <span class="flag" data-testid="save-offer">{i18n.t(Msg::SubsOfferSave)}</span> })}</td>
            <td>{format_money(o.amount, &o.currency)}</td>
            <td>{after}</td>
            <td><span class="state" data-state=o.state.as_str()>{i18n.t(offer_state_msg(o.state))}</span></td>
            <td>
                {o.payment_id.clone().map(|p| view! {
                    <span class="small">{i18n.t(Msg::SubsOfferPayment)} " "</span><code data-testid="offer-payment">{p}</code><br/>
                })}
                {o.plan_change.clone().map(|c| view! {
                    <span data-testid="offer-change" data-state=c.state.as_str()>
                        {i18n.t(Msg::ActionPlanChange)} ": " {c.from_product_name} " × " {c.from_quantity}
                        " → " {c.to_product_name} " × " {c.to_quantity}
                        <br/><span class="small">{i18n.t(state_msg(c.state))}</span>
                    </span><br/>
                })}
                {o.failure_message.clone().map(|m| view! { <span class="small">{m}</span><br/> })}
                {o.save.clone().map(|s| view! {
                    <span data-testid="offer-save">
                        <span class="small">{i18n.t(Msg::SubsOfferCancelReason)} ": "</span>
                        {s.reason.map(|r| view! { <span data-testid="cancel-reason" data-reason=r.as_str()>{i18n.t(crate::ui::rules::reason_msg(r))}</span> })}
                        {s.state.map(|st| view! {
                            <br/><span class=if st == SaveState::Cancelled { "flag bad" } else { "flag" }
                                data-testid="save-state" data-state=st.as_str()>{i18n.t(save_msg(st))}</span>
                        })}
                    </span>
                })}
                {nothing.then_some("—")}
            </td>
        </tr>
    }
}
