//! The table: one row per offer and currency, sortable by any number, a total per currency.
use super::Ctx;
use crate::domain::analytics::{OfferRow, Report};
use crate::domain::money::format_money;
use crate::ui::i18n::{use_i18n, Msg};
use leptos::prelude::*;

pub(crate) fn pct(v: Option<f64>) -> String {
    v.map_or("—".into(), |v| format!("{:.1}%", v * 100.0))
}

fn ci(row: &OfferRow) -> String {
    match (row.counts.conversion(), row.counts.conversion_ci()) {
        (Some(c), Some((lo, hi))) => {
            format!("{:.1}% ({:.1}–{:.1})", c * 100.0, lo * 100.0, hi * 100.0)
        }
        _ => "—".into(),
    }
}

#[component]
pub fn OfferTable(rep: StoredValue<std::sync::Arc<Report>>) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = expect_context::<Ctx>();
    let header = move |key: &'static str, label: Msg| {
        let href = move || {
            ctx.link("/analytics", rep, ctx.offer.get().as_deref(), |f| {
                f.desc = f.sort == key && !f.desc;
                f.sort = key.into();
            })
        };
        let sort = move || {
            let f = ctx.filters.get();
            let current = if f.sort.is_empty() {
                "revenue"
            } else {
                f.sort.as_str()
            };
            if current != key {
                "none"
            } else if (key == "name") != f.desc {
                "ascending"
            } else {
                "descending"
            }
        };
        view! {
            <th scope="col" aria-sort=sort>
                <a href=href title=i18n.t(Msg::AnSortBy) data-sort=key>{i18n.t(label)}</a>
            </th>
        }
    };
    let rows = rep.with_value(|r| r.rows.clone());
    let totals = rep.with_value(|r| r.totals.clone());
    if rows.is_empty() {
        return view! { <p class="empty" data-testid="an-empty">{i18n.t(Msg::AnNoData)}</p> }
            .into_any();
    }
    let line = move |row: OfferRow, total: bool| {
        let c = row.counts;
        let cur = row.currency.clone();
        let link = (!total).then(|| {
            let id = row.rule_id.clone();
            let href = move || ctx.link("/analytics", rep, Some(&id), |_| {});
            let id = row.rule_id.clone();
            let current = move || ctx.offer.get().as_deref() == Some(id.as_str());
            view! {
                <a href=href aria-current=move || current().then_some("true")>{row.name.clone()}</a>
            }
        });
        view! {
            <tr class:total=total data-rule=row.rule_id.clone() data-currency=cur.clone()>
                <th scope="row">
                    {link}
                    {total.then(|| view! { <span>{i18n.t(Msg::AnTotal)}</span> })}
                    {(!total).then(|| view! {
                        <span class="sub">{format!("{} → {}", super::catch_all_named(i18n, &row.trigger, row.trigger.clone()), offered_label(i18n, &row))}</span>
                    })}
                </th>
                <td>{cur.clone()}</td>
                <td class="num">{c.created}</td>
                <td class="num" data-col="shown">{c.shown}</td>
                <td class="num">{c.accepted}</td>
                <td class="num" data-col="paid">{c.paid}</td>
                <td class="num">{c.declined}</td>
                <td class="num">{c.failed}</td>
                <td class="num">{c.expired}</td>
                <td class="num">{c.fallback}</td>
                <td class="num">{pct(c.take_rate())}</td>
                <td class="num">{ci(&row)}</td>
                <td class="num" data-col="revenue">{format_money(c.net_revenue(), &cur)}</td>
                <td class="num">{c.revenue_per_shown().map_or("—".into(), |v| format_money(v.round() as i64, &cur))}</td>
                <td class="num">{pct(c.aov_uplift())}</td>
            </tr>
        }
    };
    view! {
        <div class="table-wrap">
            <table class="analytics" data-testid="an-table">
                <thead>
                    <tr>
                        {header("name", Msg::AnOffer)}
                        <th scope="col">{i18n.t(Msg::AnCurrency)}</th>
                        {header("created", Msg::AnCreated)}
                        {header("shown", Msg::AnShown)}
                        {header("accepted", Msg::AnAccepted)}
                        {header("paid", Msg::AnPaid)}
                        {header("declined", Msg::AnDeclined)}
                        {header("failed", Msg::AnFailed)}
                        <th scope="col">{i18n.t(Msg::AnExpired)}</th>
                        <th scope="col">{i18n.t(Msg::AnFallback)}</th>
                        {header("take_rate", Msg::AnTakeRate)}
                        {header("conversion", Msg::AnConversion)}
                        {header("revenue", Msg::AnRevenue)}
                        {header("revenue_per_shown", Msg::AnRevPerShown)}
                        {header("uplift", Msg::AnUplift)}
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|r| line(r, false)).collect_view()}
                </tbody>
                <tfoot>
                    {totals.into_iter().map(|r| line(r, true)).collect_view()}
                </tfoot>
            </table>
        </div>
    }
    .into_any()
}

/// What a rule offers, in words for free time.
fn offered_label(i18n: crate::ui::i18n::I18n, row: &OfferRow) -> String {
    if row.offers_free_time() {
        i18n.now(Msg::AnFreeTimeSamePlan).to_string()
    } else {
        row.offered.clone()
    }
}
