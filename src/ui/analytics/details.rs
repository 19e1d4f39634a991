//! The selected offer's funnel and recent offers, experiments, and failed charges by reason.
use super::charts::Funnel;
use super::table::pct;
use super::Ctx;
use crate::domain::analytics::{ArmTest, Report, Variant};
use crate::domain::money::format_money;
use crate::domain::time::format_utc;
use crate::ui::i18n::{use_i18n, I18n, Msg};
use crate::ui::widgets::ErrorBanner;
use leptos::prelude::*;

#[component]
pub fn Selected(rep: StoredValue<std::sync::Arc<Report>>) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = expect_context::<Ctx>();
    let recent = ctx.recent;
    view! {
        <section class="drill" aria-labelledby="drill-h" data-testid="drill">
            <h2 id="drill-h">{i18n.t(Msg::AnFunnel)}</h2>
            {move || {
                let id = ctx.offer.get();
                let row = rep.with_value(|r| {
                    r.rows.iter().find(|row| Some(&row.rule_id) == id.as_ref()).cloned()
                });
                match row {
                    Some(row) => view! {
                        <p class="drill-name">{row.name.clone()} " · " {row.currency.clone()}</p>
                        <Funnel counts=row.counts/>
                    }.into_any(),
                    None => view! { <p class="hint">{i18n.t(Msg::AnPickOffer)}</p> }.into_any(),
                }
            }}
            // Recent offers only for a selected offer: without one the section renders at once
            // (so the page's report part can be kept as rendered, see `rendered`).
            {ctx.offer.get_untracked().is_some().then(|| view! {
            // A real fallback node: swapping content in for an empty fallback had no parent
            // to mount into when hydration raced the resource.
            <Transition fallback=|| view! { <p class="loading" hidden></p> }>
                {move || recent.get().map(|r| match r {
                    Err(e) => view! { <ErrorBanner error=e/> }.into_any(),
                    Ok(None) => view! { <span hidden></span> }.into_any(),
                    Ok(Some(list)) => view! {
                        <h3>{i18n.t(Msg::AnRecent)}</h3>
                        <table class="recent" data-testid="recent">
                            <thead><tr>
                                <th scope="col">{i18n.t(Msg::AnCustomer)}</th>
                                <th scope="col">{i18n.t(Msg::AnWhen)}</th>
                                <th scope="col">{i18n.t(Msg::AnArm)}</th>
                                <th scope="col">{i18n.t(Msg::AnOutcome)}</th>
                                // The offer's price whatever became of it ("Amount" read as
                                // money taken on declined offers); the outcome says if it was paid.
                                <th scope="col" class="num">{i18n.t(Msg::AnAmount)}</th>
                            </tr></thead>
                            <tbody>
                                {list.into_iter().map(|o| view! {
                                    <tr>
                                        <td><code>{o.customer_id}</code></td>
                                        <td>{format_utc(o.created_at)}</td>
                                        <td>{o.variant.as_str().to_uppercase()}</td>
                                        <td><span class=format!("state {}", o.outcome)>{o.outcome.clone()}</span>
                                            {o.failure_code.map(|c| view! { " " <code>{c}</code> })}</td>
                                        <td class="num">{format_money(o.amount, &o.currency)}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                })}
            </Transition>
            })}
        </section>
    }
}

/// "A", "B", or the hold-out's name in the viewer's language.
fn arm_label(i18n: I18n, v: Variant) -> String {
    match v {
        Variant::Holdout => i18n.now(Msg::AnHoldout).to_string(),
        v => v.as_str().to_uppercase(),
    }
}

#[component]
fn TestLine(t: ArmTest, currency: String) -> impl IntoView {
    let i18n = use_i18n();
    let title = move || format!("{} vs {}", arm_label(i18n, t.b), arm_label(i18n, t.a));
    if !t.enough_data {
        return view! {
            <li class="not-enough"><strong>{title}</strong> ": " {i18n.t(Msg::AnNotEnough)}</li>
        }
        .into_any();
    }
    let verdict = move |p: f64| {
        i18n.now(if p < 0.05 {
            Msg::AnSignificant
        } else {
            Msg::AnNotSignificant
        })
    };
    let conv = move || {
        t.conversion.map(|c| {
            format!(
                "{} {:+.2} pts (p = {:.3}) — {}",
                i18n.now(Msg::AnConversionShort),
                c.diff * 100.0,
                c.p_value,
                verdict(c.p_value)
            )
        })
    };
    let rev = move || {
        t.revenue.map(|c| {
            format!(
                "{} {}{} (p = {:.3}) — {}",
                i18n.now(Msg::AnRevPerCustomer),
                if c.diff >= 0.0 { "+" } else { "" },
                format_money(c.diff.round() as i64, &currency),
                c.p_value,
                verdict(c.p_value)
            )
        })
    };
    view! {
        <li><strong>{title}</strong> ": " {conv} <br/> {rev}</li>
    }
    .into_any()
}

#[component]
pub fn Experiments(rep: StoredValue<std::sync::Arc<Report>>) -> impl IntoView {
    let i18n = use_i18n();
    let list = rep.with_value(|r| r.experiments.clone());
    view! {
        <section class="experiments" aria-labelledby="exp-h" data-testid="experiments">
            <h2 id="exp-h">{i18n.t(Msg::AnExperiments)}</h2>
            {list.is_empty().then(|| view! { <p class="empty">{i18n.t(Msg::AnNoExperiments)}</p> })}
            <p class="hint">{(!list.is_empty()).then(|| i18n.t(Msg::AnExperimentNote))}</p>
            {list.into_iter().map(|e| {
                let cur = e.currency.clone();
                view! {
                    <article class="experiment" data-rule=e.rule_id.clone()>
                        <h3>{e.name.clone()} " · " {e.currency.clone()}</h3>
                        <table>
                            <thead><tr>
                                <th scope="col">{i18n.t(Msg::AnArm)}</th>
                                <th scope="col" class="num">{i18n.t(Msg::AnCustomers)}</th>
                                <th scope="col" class="num">{i18n.t(Msg::AnPaid)}</th>
                                <th scope="col" class="num">{i18n.t(Msg::AnConversionShort)}</th>
                                <th scope="col" class="num">{i18n.t(Msg::AnRevPerCustomer)}</th>
                            </tr></thead>
                            <tbody>
                                {e.arms.iter().map(|a| {
                                    let v = a.variant;
                                    view! {
                                        <tr>
                                            <th scope="row">{move || arm_label(i18n, v)}</th>
                                            <td class="num">{a.assigned}</td>
                                            <td class="num">{a.paid}</td>
                                            <td class="num">{pct(a.conversion())}</td>
                                            <td class="num">{a.revenue_per_customer().map_or("—".into(), |v| format_money(v.round() as i64, &cur))}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                        <ul class="tests">
                            {e.tests.into_iter().map(|t| view! { <TestLine t currency=cur.clone()/> }).collect_view()}
                        </ul>
                    </article>
                }
            }).collect_view()}
        </section>
    }
}

#[component]
pub fn Declines(rep: StoredValue<std::sync::Arc<Report>>) -> impl IntoView {
    let i18n = use_i18n();
    let list = rep.with_value(|r| r.declines.clone());
    let total: i64 = list.iter().map(|d| d.count).sum();
    view! {
        <section class="declines" aria-labelledby="dec-h" data-testid="declines">
            <h2 id="dec-h">{i18n.t(Msg::AnDeclines)}</h2>
            {if list.is_empty() {
                view! { <p class="empty">{i18n.t(Msg::AnNoDeclines)}</p> }.into_any()
            } else {
                view! {
                    <table>
                        <thead><tr>
                            <th scope="col">{i18n.t(Msg::AnDeclineCode)}</th>
                            <th scope="col">{i18n.t(Msg::AnReason)}</th>
                            <th scope="col" class="num">{i18n.t(Msg::AnCount)}</th>
                            <th scope="col" class="num">{i18n.t(Msg::AnShare)}</th>
                        </tr></thead>
                        <tbody>
                            {list.into_iter().map(|d| view! {
                                <tr>
                                    <td><code>{d.code}</code></td>
                                    <td>{d.reason}</td>
                                    <td class="num">{d.count}</td>
                                    <td class="num">{pct(Some(d.count as f64 / total.max(1) as f64))}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}
