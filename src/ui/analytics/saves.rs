//! Save offers by cancel reason: asked to cancel, offered, held out, saved, cancelled, the save
//! rate with its interval, and the monthly recurring revenue kept.
use crate::domain::analytics::Report;
use crate::domain::money::format_money;
use crate::domain::offer_action::CancelReason;
use crate::ui::i18n::{use_i18n, Msg};
use crate::ui::rules::reason_msg;
use leptos::prelude::*;

fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "—".into(), |p| format!("{p:.0}%"))
}

#[component]
pub fn Saves(rep: StoredValue<std::sync::Arc<Report>>) -> impl IntoView {
    let i18n = use_i18n();
    let rows = rep.with_value(|r| r.saves.clone());
    if rows.is_empty() {
        return ().into_any();
    }
    let body = rows
        .into_iter()
        .map(|r| {
            let reason = CancelReason::parse(&r.reason)
                .map_or_else(|| r.reason.clone(), |c| i18n.now(reason_msg(c)).to_string());
            let ci = r
                .save_rate_ci_pct
                .map(|(l, h)| format!(" ({:.0}–{:.0}%)", l, h))
                .unwrap_or_default();
            let kept = r
                .currency
                .as_deref()
                .map_or_else(|| "—".into(), |c| format_money(r.retained, c));
            view! {
                <tr data-testid="save-row">
                    <th scope="row">{reason}</th>
                    <td>{r.currency.clone().unwrap_or_else(|| "—".into())}</td>
                    <td class="num">{r.requests}</td>
                    <td class="num">{r.offered}</td>
                    <td class="num">{r.held_out}</td>
                    <td class="num">{r.saved}</td>
                    <td class="num">{r.cancelled}</td>
                    <td class="num">{pct(r.save_rate_pct)}{ci}</td>
                    <td class="num">{kept}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="saves" data-testid="saves">
            <h2>{i18n.t(Msg::AnSavesTitle)}</h2>
            <p class="hint">{i18n.t(Msg::AnSavesNote)}</p>
            <table>
                <thead>
                    <tr>
                        <th scope="col">{i18n.t(Msg::AnSaveReason)}</th>
                        <th scope="col">{i18n.t(Msg::AnCurrency)}</th>
                        <th scope="col">{i18n.t(Msg::AnSaveAsked)}</th>
                        <th scope="col">{i18n.t(Msg::AnSaveOffered)}</th>
                        <th scope="col">{i18n.t(Msg::AnSaveHeldOut)}</th>
                        <th scope="col">{i18n.t(Msg::AnSaveSaved)}</th>
                        <th scope="col">{i18n.t(Msg::AnSaveCancelled)}</th>
                        <th scope="col">{i18n.t(Msg::AnSaveRate)}</th>
                        <th scope="col">{i18n.t(Msg::AnSaveRetained)}</th>
                    </tr>
                </thead>
                <tbody>{body}</tbody>
            </table>
        </section>
    }
    .into_any()
}
