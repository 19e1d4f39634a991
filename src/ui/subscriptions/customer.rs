//! One customer: who they are, their saved methods with flags, and their subscriptions.
use super::View;
use crate::domain::money::format_money;
use crate::domain::subscription::CustomerView;
use crate::domain::time::format_utc;
use crate::ui::i18n::{use_i18n, Msg};
use leptos::prelude::*;

#[component]
pub(super) fn CustomerCard(c: CustomerView, v: View) -> impl IntoView {
    let i18n = use_i18n();
    let heading = format!("customer-{}", c.id);
    let heading2 = heading.clone();
    view! {
        <article class="customer-card" aria-labelledby=heading2 data-testid="customer">
            <h2 id=heading>{c.name.clone()} " " <small>{c.email.clone()} " · " <code>{c.id.clone()}</code></small></h2>
            <h3>{i18n.t(Msg::SubsMethods)}</h3>
            {if c.methods.is_empty() {
                view! { <p class="notice" data-testid="no-methods">{i18n.t(Msg::SubsNoMethods)}</p> }.into_any()
            } else {
                view! {
                    <ul class="methods">
                        {c.methods.into_iter().map(|m| view! {
                            <li data-testid="method">
                                {m.label} {m.expiry.map(|e| format!(" · {e}"))}
                                {m.expired.then(|| view! { <span class="flag bad" data-testid="flag-expired">{i18n.t(Msg::SubsExpired)}</span> })}
                                {(!m.recurring).then(|| view! { <span class="flag bad" data-testid="flag-not-recurring">{i18n.t(Msg::SubsNotRecurring)}</span> })}
                                {m.used_for_renewals.then(|| view! { <span class="flag">{i18n.t(Msg::SubsRenewals)}</span> })}
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <table class="subs">
                <thead><tr>
                    <th scope="col">{i18n.t(Msg::SubsColPlan)}</th>
                    <th scope="col">{i18n.t(Msg::SubsColQuantity)}</th>
                    <th scope="col">{i18n.t(Msg::SubsColPrice)}</th>
                    <th scope="col">{i18n.t(Msg::SubsColStatus)}</th>
                    <th scope="col">{i18n.t(Msg::SubsColNextBilling)}</th>
                    <th scope="col">{i18n.t(Msg::ColActions)}</th>
                </tr></thead>
                <tbody>
                    {c.subscriptions.into_iter().map(|s| {
                        let href = format!("{}#change-title", v.href(&[("sub", &s.id), ("change", ""), ("mode", ""), ("done", "")]));
                        let active = s.status == "active";
                        let ended = s.has_ended();
                        view! {
                            <tr data-testid="subscription" data-id=s.id.clone()>
                                <td>{s.product_name.clone()} <br/><code class="small">{s.id.clone()}</code>
                                    {s.scheduled.map(|sc| view! {
                                        <p class="small" data-testid="scheduled">{i18n.t(Msg::SubsScheduledTo)} " " {sc.product_name} " × " {sc.quantity} " · " {format_utc(sc.effective_at)}</p>
                                    })}
                                </td>
                                <td>{s.quantity}</td>
                                <td>{format_money(s.recurring_amount, &s.currency)} " / " {s.interval.to_lowercase()}</td>
                                <td><span class="state" data-state=s.status.clone()>{s.status.clone()}</span>
                                    {(active && s.cancel_at_next_billing_date).then(|| view! {
                                        <p class="small" data-testid="cancelling">{i18n.t(Msg::SubsEndsAtPeriodEnd)}</p>
                                    })}
                                </td>
                                <td>{(!ended).then(|| format_utc(s.next_billing_date))}</td>
                                <td>{active.then(|| view! {
                                    <a class="button plain" data-testid="change-plan" href=href>
                                        {i18n.t(Msg::SubsChangePlan)}
                                    </a>
                                })}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <super::offers::CustomerOffers customer_id=c.id.clone() offers=c.offers/>
        </article>
    }
}
